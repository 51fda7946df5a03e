"""Generated pages rendered ahead by a second process come out as rendered in one, with the same reads; when
that process fails, its pages are rendered here, and an error is the one a single process meets."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest

from claimledger.checks.project import check_project
from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin
from claimledger.record.graph import build_graph
from claimledger.record.parallel import can_fork
from claimledger.site import ahead
from claimledger.site.ahead import Rendered, RenderedAhead, render
from claimledger.site.manifest import Recorder
from claimledger.site.outputs import PageHead, PageOutput
from claimledger.site.render import LIST_COSTS, Renderer, SiteSettings
from claimledger.site.urls import page_specs
from claimledger.tools.synthetic import write_site_project

from .sitebuild import add_hook, build

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
    return PageOutput(spec, None, body, search, None, functools.partial(PageHead, "", ""))  # type: ignore[arg-type]


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


def _logged_page(
    path: str, log: Path, *, after: Path | None = None, then: Path | None = None, most: float = 60
) -> PageOutput:
    """A page whose rendering is logged with the process that renders it; it waits until the file ``after``
    is there (at most ``most`` seconds), and makes the file ``then`` once rendered."""

    def body() -> str:
        deadline = time.monotonic() + most
        while after is not None and not after.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{path} {os.getpid()}\n")
        if then is not None:
            then.touch()
        return f"<p>{path}</p>"

    spec = SimpleNamespace(src_uri=path)
    return PageOutput(spec, None, body, None, None, functools.partial(PageHead, "", ""))  # type: ignore[arg-type]


def _renderers(log: Path) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        path, pid = line.split()
        found.setdefault(path, []).append(int(pid))
    return found


def test_a_few_costly_pages_are_all_rendered_over_there_none_here_ahead_of_its_turn(tmp_path: Path) -> None:
    log = tmp_path / "log"
    first = _logged_page("claims/index.md", log, after=tmp_path / "never", most=0.5)  # slow over there
    pages = [first, _logged_page("timeline.md", log), _logged_page("tags.md", log)]
    rendering = RenderedAhead(pages, None)
    try:
        got = [rendering.take(page).body for page in pages]
    finally:
        rendering.close()
    assert got == ["<p>claims/index.md</p>", "<p>timeline.md</p>", "<p>tags.md</p>"]
    assert all(os.getpid() not in pids and len(pids) == 1 for pids in _renderers(log).values())


def test_with_many_pages_to_render_this_process_leaves_them_all_to_the_other(tmp_path: Path) -> None:
    log = tmp_path / "log"
    first = _logged_page("claims/index.md", log, after=tmp_path / "never", most=0.5)
    pages = [first, _logged_page("timeline.md", log), *_pages(Recorder(), 3)]
    with mock.patch.object(ahead, "MIN_PAGES", 3):
        rendering = RenderedAhead.start(pages, None, workers=2)
    assert rendering is not None
    try:
        got = [rendering.take(page).body for page in pages[:2]]
    finally:
        rendering.close()
    assert got == ["<p>claims/index.md</p>", "<p>timeline.md</p>"]
    assert os.getpid() not in _renderers(log)["timeline.md"]


def test_no_process_is_forked_for_a_few_pages_or_a_single_worker() -> None:
    recorder = Recorder()
    assert RenderedAhead.start(_pages(recorder, ahead.MIN_PAGES - 1), recorder, workers=2) is None
    assert RenderedAhead.start(_pages(recorder, ahead.MIN_PAGES), recorder, workers=1) is None
    started = RenderedAhead.start(_pages(recorder, ahead.MIN_PAGES), recorder, workers=2)
    assert started is not None
    started.close()


def test_a_few_pages_that_cost_as_much_as_many_are_rendered_by_a_second_process() -> None:
    recorder = Recorder()
    assert RenderedAhead.start(_pages(recorder, 2), recorder, workers=2, weight=lambda spec: 1) is None
    started = RenderedAhead.start(_pages(recorder, 2), recorder, workers=2, weight=lambda spec: ahead.MIN_PAGES / 2)
    assert started is not None
    started.close()


def test_a_list_of_every_claim_weighs_an_item_page_for_each_few_claims_it_lists(tmp_path: Path) -> None:
    dataset, _ = check_project(write_site_project(tmp_path / "project", 90))
    renderer = Renderer(dataset, build_graph(dataset), SiteSettings("Claims", "", ""))
    weights = {spec.template: renderer.weight(spec) for spec in page_specs(dataset)}
    assert weights["claims-index"] == 90 / LIST_COSTS["claims-index"][1] > 1
    assert weights["claim"] == weights["source"] == weights["contact"] == 1
    assert weights["parties-index"] == 1  # a short list weighs no less than an item page


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def _second_process_from_one_page() -> Iterator[list[RenderedAhead | None]]:
    """A second process rendering from one page on, meanwhile; what each start of it gave."""
    started: list[RenderedAhead | None] = []
    real = RenderedAhead.start

    def start(outputs: list[PageOutput], recorder: Recorder | None, workers: int, weight: Any) -> RenderedAhead | None:
        started.append(real(outputs, recorder, workers, weight))
        return started[-1]

    with mock.patch.object(ahead, "MIN_PAGES", 1), mock.patch.object(RenderedAhead, "start", start):
        yield started


def test_a_site_rendered_with_a_second_process_is_the_site_one_process_renders(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    assert build(project, alone, env={"CLAIMLEDGER_WITHOUT": "parallel"}).returncode == 0
    with _second_process_from_one_page() as started:
        assert build(project, shared, env={"CLAIMLEDGER_JOBS": "2"}).returncode == 0
    assert started and started[0] is not None  # the pages were rendered by a second process
    assert _files(shared) == _files(alone)


def test_a_rebuild_rendered_with_a_second_process_is_the_full_build(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    site, full = tmp_path / "site", tmp_path / "full"
    assert build(project, site).returncode == 0
    claim = project / "claims" / "claims" / "claim-00000.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("statement: ", "statement: Edited ", 1), "utf-8")
    with _second_process_from_one_page() as started:
        rebuilt = build(project, site, env={"CLAIMLEDGER_JOBS": "2"})
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "generated pages reused" in rebuilt.stderr and started and started[0] is not None
    assert build(project, full, "--full", env={"CLAIMLEDGER_WITHOUT": "parallel"}).returncode == 0
    assert _files(site) == _files(full)


def test_a_rebuild_starts_rendering_its_pages_before_mkdocs_reads_the_files_in(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    claim = project / "claims" / "claims" / "claim-00000.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("statement: ", "statement: Edited ", 1), "utf-8")
    real = ClaimledgerPlugin.on_files
    started_when_files_read: list[int] = []

    def on_files(plugin: ClaimledgerPlugin, files: Any, config: Any) -> Any:
        started_when_files_read.append(len(started))
        return real(plugin, files, config)

    with _second_process_from_one_page() as started, mock.patch.object(ClaimledgerPlugin, "on_files", on_files):
        rebuilt = build(project, site, env={"CLAIMLEDGER_JOBS": "2"})
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert started_when_files_read == [1] and started[0] is not None


REVERSING_HOOK = """\
from mkdocs.structure.files import Files


def on_files(files, config):
    return Files(list(reversed(list(files))))
"""


def test_pages_a_hook_reorders_are_rendered_again_in_the_order_mkdocs_builds_them(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    add_hook(project, "reverse.py", REVERSING_HOOK)
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    assert build(project, alone, env={"CLAIMLEDGER_WITHOUT": "parallel"}).returncode == 0
    with _second_process_from_one_page() as started:
        built = build(project, shared, env={"CLAIMLEDGER_JOBS": "2"})
    assert built.returncode == 0, built.stderr
    assert len(started) == 2 and started[1] is not None, "started again, in MkDocs' order"
    assert _files(shared) == _files(alone)
