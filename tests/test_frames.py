"""The theme's sidebars, rendered once for the item pages they are the same on (claimledger.engines.mkdocs.frames):
the site is byte for byte the one the theme renders page by page."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from claimledger.engines.mkdocs.frames import Frames
from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin
from claimledger.tools.synthetic import write_site_project

from .sitebuild import build

Site = dict[Path, bytes]
ADDRESSES = {"CLAIMLEDGER_SITE_URL": "https://claims.test/", "CLAIMLEDGER_REPO_URL": "https://github.com/o/c"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "project"
    write_site_project(root, 60)
    git = ["git", "-c", "user.name=x", "-c", "user.email=x@x"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run([*git, *command], cwd=root, check=True)
    return root


def _built(root: Path, site: Path, frames: Frames | None, monkeypatch: pytest.MonkeyPatch) -> dict[Path, bytes]:
    """The files of the site built with ``frames`` given to the theme's templates, or with none."""
    on_env = ClaimledgerPlugin.on_env

    def with_frames(plugin: ClaimledgerPlugin, env: Environment, **kwargs: Any) -> Environment:
        env = on_env(plugin, env, **kwargs)
        env.globals.pop("claimledger_frames", None)
        if frames is not None:
            env.globals["claimledger_frames"] = frames
        return env

    with monkeypatch.context() as patched:
        patched.setattr(ClaimledgerPlugin, "on_env", with_frames)
        result = build(root, site, env=ADDRESSES)
    assert result.returncode == 0, result.stderr
    return {path.relative_to(site): path.read_bytes() for path in site.rglob("*") if path.is_file()}


class _Counting(Frames):
    """Frames that count, block by block, the pages asking and the renderings by the theme."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: Counter[str] = Counter()
        self.rendered: Counter[str] = Counter()

    def _counted(self, block: str, render: Callable[[], str]) -> Callable[[], str]:
        self.asked[block] += 1

        def counted() -> str:
            self.rendered[block] += 1
            return render()

        return counted

    def site_nav(self, page: Any, nav: Any, config: Any, render: Callable[[], str]) -> str:
        return super().site_nav(page, nav, config, self._counted("site_nav", render))

    def shared(self, block: str, page: Any, nav: Any, config: Any, render: Callable[[], str]) -> str:
        return super().shared(block, page, nav, config, self._counted(block, render))

    @pass_context
    def header(self, context: Context, page: Any, nav: Any, config: Any, render: Callable[[], str]) -> str:
        return Frames.header(self, context, page, nav, config, self._counted("header", render))


@pytest.fixture(scope="module")
def both(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Site, _Counting]]:
    folder = tmp_path_factory.mktemp("sites")
    with pytest.MonkeyPatch.context() as monkeypatch:
        frames = _Counting()
        with_frames = _built(project, folder / "with", frames, monkeypatch)
        without = _built(project, folder / "without", None, monkeypatch)
        yield with_frames, without, frames


def test_a_site_built_with_the_frames_is_byte_identical_to_one_rendered_page_by_page(
    both: tuple[Site, Site, _Counting],
) -> None:
    with_frames, without, _ = both
    assert with_frames.keys() == without.keys()
    assert [path for path in with_frames if with_frames[path] != without[path]] == []


@pytest.mark.parametrize("block", ["site_nav", "header", "config", "styles", "scripts", "footer"])
def test_each_shared_block_is_rendered_for_a_few_pages_only(both: tuple[Site, Site, _Counting], block: str) -> None:
    with_frames, _, frames = both
    pages = [path for path in with_frames if path.name == "index.html" and path.parts[0] != "search"]
    assert frames.asked[block] == len(pages) + 1  # and 404.html
    assert frames.rendered[block] < len(pages) // 4


def _page(url: str, src_uri: str, toc: list[Any] | None = None, meta: dict[str, Any] | None = None) -> Any:
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri=src_uri), toc=toc or [], meta=meta or {})


def _heading(title: str, anchor: str, level: int, children: list[Any] | None = None) -> Any:
    return SimpleNamespace(title=title, url=anchor, level=level, children=children or [])


def _nav(*urls: str) -> Any:
    """A navigation of a page at each of ``urls``, none of them current."""
    pages = [_page(url, (url or "index/")[:-1] + ".md") for url in urls]
    for page in pages:
        page.children, page.active = None, False
    return SimpleNamespace(items=pages, pages=pages)


CONFIG = SimpleNamespace(extra={}, theme=SimpleNamespace(name="material", custom_dir=None))


def _renders(frames: Frames, pages: list[Any], nav: Any) -> int:
    """How many of ``pages`` had their sidebars rendered by the theme."""
    rendered = 0
    for page in pages:

        def render(page: Any = page) -> str:
            nonlocal rendered
            rendered += 1
            return f"sidebars of {page!r}"

        frames.site_nav(page, nav, CONFIG, render)
    return rendered


def test_pages_of_one_folder_share_their_sidebars_whatever_their_title() -> None:
    nav = _nav("", "claims/")
    pages = [_page(f"claims/{n}/", f"claims/{n}.md", [_heading(f"Claim {n}", "#claim", 1, [])]) for n in "abc"]
    assert _renders(Frames(), pages, nav) == 1


def test_pages_of_other_folders_headings_or_hidden_parts_have_sidebars_of_their_own() -> None:
    nav = _nav("", "claims/")
    pages = [
        _page("claims/a/", "claims/a.md", [_heading("A", "#a", 1, [_heading("Verdict", "#verdict", 2)])]),
        _page("claims/b/", "claims/b.md", [_heading("B", "#b", 1, [_heading("Notes", "#notes", 2)])]),
        _page("sources/c/", "sources/c.md"),
        _page("sources/d/", "sources/d.md", meta={"hide": ["toc"]}),
    ]
    assert _renders(Frames(), pages, nav) == 4


def test_a_page_in_the_navigation_is_rendered_as_the_theme_renders_it() -> None:
    nav = _nav("", "claims/")
    assert _renders(Frames(), [nav.pages[1], nav.pages[1]], nav) == 2


def test_a_navigation_linking_into_a_pages_folder_leaves_that_page_to_the_theme() -> None:
    nav = _nav("", "claims/a/notes/")
    pages = [_page("claims/a/", "claims/a.md"), _page("claims/a/", "claims/a.md"), _page("claims/b/", "claims/b.md")]
    assert _renders(Frames(), pages, nav) == 3


def test_a_page_of_another_shape_is_rendered_as_the_theme_renders_it() -> None:
    assert _renders(Frames(), [None, None], _nav("")) == 2


def test_another_navigation_starts_over() -> None:
    frames, page = Frames(), _page("claims/a/", "claims/a.md")
    assert _renders(frames, [page], _nav("")) + _renders(frames, [page], _nav("")) == 2


CONTEXT = SimpleNamespace(eval_ctx=SimpleNamespace(autoescape=False))


def _headers(frames: Frames, titles: list[str], template: Callable[[str], str]) -> tuple[list[str], int]:
    """The headers of pages of one folder titled ``titles``, the theme's ``template`` making each; and how
    many the theme made."""
    nav, made, rendered = _nav("", "claims/"), [], 0
    for number, title in enumerate(titles):
        page = _page(f"claims/{number}/", f"claims/{number}.md", meta={"title": title})

        def render(title: str = title) -> str:
            nonlocal rendered
            rendered += 1
            return template(title)

        made.append(frames.header(CONTEXT, page, nav, CONFIG, render))  # type: ignore[arg-type]
    return made, rendered


def test_a_folders_header_is_made_around_each_pages_title_once_two_pages_prove_it() -> None:
    titles = ["Verified — Claim A", "Verified — Claim B", "False — x", "Verified"]
    made, rendered = _headers(Frames(), titles, lambda title: f"<header>Verified site: {title}</header>")
    assert made == [f"<header>Verified site: {title}</header>" for title in titles]
    assert rendered == 2


def test_headers_that_differ_by_more_than_the_title_are_each_rendered_by_the_theme() -> None:
    count = iter(range(100))
    made, rendered = _headers(Frames(), ["A", "B", "C", "D"], lambda title: f"<h>{title} {next(count)}</h>")
    assert made == ["<h>A 0</h>", "<h>B 1</h>", "<h>C 2</h>", "<h>D 3</h>"]
    assert rendered == 4


def test_a_site_with_templates_of_its_own_has_its_frame_rendered_as_the_theme_renders_it(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "footer.html").write_text("{{ page.meta.author }}", encoding="utf-8")
    config = SimpleNamespace(extra={}, theme=SimpleNamespace(name="material", custom_dir=str(tmp_path)))
    nav, frames, rendered = _nav("", "claims/"), Frames(), []
    for name in "abc":

        def render(name: str = name) -> str:
            rendered.append(name)
            return name

        page = _page(f"claims/{name}/", f"claims/{name}.md", meta={"author": name})
        assert frames.shared("footer", page, nav, config, render) == name
    assert rendered == ["a", "b", "c"]
