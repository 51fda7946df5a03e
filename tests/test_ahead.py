"""Generated pages rendered ahead by a second process come out as rendered in one, with the same reads; when
that process fails, its pages are rendered here, and an error is the one a single process meets."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from claimledger.record.parallel import can_fork
from claimledger.site import ahead
from claimledger.site.ahead import Rendered, RenderedAhead, render
from claimledger.site.manifest import Recorder
from claimledger.site.outputs import PageOutput
from claimledger.tools.synthetic import write_site_project

from .sitebuild import build

pytestmark = pytest.mark.skipif(not can_fork(), reason="no second process is forked here")


def _page(path: str, recorder: Recorder, *, fails: bool = False) -> PageOutput:
    def body() -> str:
        recorder.note("claims", path)
        if fails:
            raise ValueError(f"{path} cannot be rendered")
        return f"<p>{path}</p>"

    def search() -> str:
        recorder.note("sources", "s-1")
        return path

    spec = SimpleNamespace(src_uri=path)
    return PageOutput(spec, "", None, body, search, None)  # type: ignore[arg-type]


def _pages(recorder: Recorder, count: int = 5) -> list[PageOutput]:
    return [_page(f"claims/c-{n}.md", recorder) for n in range(count)]


def test_pages_rendered_ahead_come_back_as_rendered_here_in_any_order_asked() -> None:
    recorder = Recorder()
    pages = _pages(recorder)
    rendering = RenderedAhead(pages, recorder)
    try:
        got = {page.path: rendering.take(page) for page in reversed(pages)}
    finally:
        rendering.close()
    assert got == {page.path: render(page, recorder) for page in pages}
    assert got["claims/c-0.md"] == Rendered(
        "<p>claims/c-0.md</p>", "claims/c-0.md", None, frozenset({("claims", "claims/c-0.md"), ("sources", "s-1")})
    )


def test_a_page_it_was_not_given_is_rendered_here() -> None:
    recorder = Recorder()
    rendering = RenderedAhead(_pages(recorder, 2), recorder)
    other = _page("claims/other.md", recorder)
    try:
        assert rendering.take(other) == render(other, recorder)
    finally:
        rendering.close()


def test_a_page_that_fails_over_there_fails_here_with_its_own_error() -> None:
    recorder = Recorder()
    pages = [*_pages(recorder, 2), _page("claims/broken.md", recorder, fails=True), *_pages(recorder, 1)]
    rendering = RenderedAhead(pages, recorder)
    try:
        assert rendering.take(pages[0]).body == "<p>claims/c-0.md</p>"
        with pytest.raises(ValueError, match=r"claims/broken\.md cannot be rendered"):
            rendering.take(pages[2])
    finally:
        rendering.close()


def test_pages_of_a_process_that_died_are_rendered_here() -> None:
    recorder = Recorder()
    pages = _pages(recorder)
    rendering = RenderedAhead(pages, recorder)
    process = rendering._process
    assert process is not None and process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    try:
        assert [rendering.take(page) for page in pages] == [render(page, recorder) for page in pages]
    finally:
        rendering.close()


def test_no_process_is_forked_for_a_few_pages_or_a_single_worker() -> None:
    recorder = Recorder()
    assert RenderedAhead.start(_pages(recorder, ahead.MIN_PAGES - 1), recorder, workers=2) is None
    assert RenderedAhead.start(_pages(recorder, ahead.MIN_PAGES), recorder, workers=1) is None
    started = RenderedAhead.start(_pages(recorder, ahead.MIN_PAGES), recorder, workers=2)
    assert started is not None
    started.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_site_rendered_with_a_second_process_is_the_site_one_process_renders(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    assert build(project, alone, env={"CLAIMLEDGER_WITHOUT": "parallel"}).returncode == 0
    started: list[RenderedAhead | None] = []
    real = RenderedAhead.start

    def start(outputs: list[PageOutput], recorder: Recorder | None, workers: int) -> RenderedAhead | None:
        started.append(real(outputs, recorder, workers))
        return started[-1]

    with mock.patch.object(ahead, "MIN_PAGES", 1), mock.patch.object(RenderedAhead, "start", start):
        assert build(project, shared, env={"CLAIMLEDGER_JOBS": "2"}).returncode == 0
    assert started and started[0] is not None  # the pages were rendered by a second process
    assert _files(shared) == _files(alone)
