"""Every file a site contains, whatever engine builds it: :func:`site_outputs`, as plain data.

An engine adapter (:mod:`claimledger.engines`) hands them to its engine, which adds the hand-written
pages and the theme's frame. Paths are site-relative; a page's ``path`` is its source path in the docs
tree (``claims/<id>.md``), its URL ``url_of(path)`` (``claims/<id>/``).
"""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from markupsafe import escape

from ..checks.siteconfig import GUIDE_PAGE
from ..exports.formats import Text
from ..exports.site import SiteExports, parts_cache
from ..findings import Finding
from ..record import paths
from ..record.kinds import KINDS
from ..record.model import Dataset
from ..record.paths import GUIDE
from ..record.schema import KIND_SCHEMAS, kind_schema_text, schema_text
from . import feed
from .manifest import Read
from .render import Renderer
from .urls import CLAIM_REVIEW_FEED, CORRECTIONS_FEED, SCHEMA, PageSpec, page_specs, url_of
from .views import view

LISTS: Mapping[str, str] = {  # search finds these by their title and this line: their lists repeat item pages
    "claims-index": "Every claim, with its status, figure, claimant and date: sort and filter them.",
    "dashboard": "How many claims have each status, claimant by claimant and topic by topic.",
    "timeline": "The claims and sources in the order they were made and published.",
    "tags": "The topics of the claims, each with its claims.",
    "sources-index": "Every source: reports, articles, comments and posts, with their publishers and dates.",
    "parties-index": "Every party: the people and organisations who made, reported or rebutted the claims.",
    "metrics-index": "Every metric: what the figures count, who counts them, and their figures over time.",
}


@dataclass(frozen=True)
class PageHead:
    """What a page's frame says of it besides its body."""

    description: str  # one line of plain text about the page
    browser_title: str  # plain text: the title in the browser and link previews (a claim's: its verdict first)
    keywords: tuple[str, ...] = ()  # short names search finds the page by first (USTR), see SiteKind


@dataclass(frozen=True)
class PageOutput:
    """A generated page, its HTML rendered only when the engine is about to write it."""

    spec: PageSpec
    edit_url: str | None  # where its source can be edited (an item's YAML file), if anywhere
    render: Callable[[], str]  # the page's body HTML (without the theme's frame)
    search_text: Callable[[], str] | None  # what the search index holds instead of the body, if not the body
    # A JSON-LD document for the page's head: a callable for the pages that may have one (claim pages), saying
    # None where the page has none (a claim with no current verdict); worked out only for a page rendered.
    jsonld: Callable[[], str | None] | None
    # Its description, title and keywords, worked out only for a page rendered (at 10,000 claims, a tenth of a
    # rebuild, which renders a few): what that reads counts among the page's reads.
    head: Callable[[], PageHead]
    search_boost: float = 1  # how much search favours the page over others that match as well, see SiteKind

    @property
    def path(self) -> str:
        return self.spec.src_uri

    @functools.cached_property
    def shown(self) -> PageHead:
        """:attr:`head`, worked out once."""
        return self.head()

    @property
    def description(self) -> str:
        return self.shown.description

    @property
    def browser_title(self) -> str:
        return self.shown.browser_title

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.shown.keywords


@dataclass(frozen=True)
class MarkdownPage:
    """A page written in markdown (the contributor guide), converted as the pages under ``docs/`` are."""

    path: str
    text: str
    edit_url: str | None


@dataclass(frozen=True)
class FileOutput:
    """A file of the site, copied as it is."""

    path: str
    content: Callable[[], Text]
    bulk: bool = False  # one of many small files (claim.json): may be written straight into the built site
    page: str | None = None  # the source path of the page it belongs with, if any (claim.json: the claim's)
    role: Literal["stylesheet", "script"] | None = None  # linked from every page, as such
    reads: frozenset[Read] = frozenset()  # what it is made from, if it is made from one item alone (claim.json)
    # Made from the whole dataset, apart from any page (the exports, the feeds): an engine may make these in a
    # process of its own while it renders the pages (claimledger.site.aside).
    aside: bool = False
    # A bulk file made along with the aside files (a claim's claim.json, with the exports): the process making
    # them writes it, unless the previous site keeps it.
    made_aside: bool = False

    def write(self, folder: Path) -> None:
        write_file(folder / self.path, self.content())


def write_file(path: Path, content: Text) -> None:
    if not isinstance(content, (str, bytes, list)):  # an open file: copied a piece at a time, then closed
        with content:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as file:
                shutil.copyfileobj(content, file)
        return
    if isinstance(content, list) or (isinstance(content, str) and len(content) > _PIECE):  # an export
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:  # encoded a piece at a time, not whole
            for text in content if isinstance(content, list) else [content]:
                for start in range(0, len(text), _PIECE):
                    file.write(text[start : start + _PIECE].encode("utf-8"))
        return
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:  # the folder is there already, mostly: a page's, for its claim.json
        path.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


_PIECE = 1 << 20  # characters


Output = PageOutput | MarkdownPage | FileOutput
_ASSETS = resources.files("claimledger.site") / "assets"
ASSETS = (
    FileOutput("assets/claimledger/claimledger.css", (_ASSETS / "claimledger.css").read_bytes, role="stylesheet"),
    FileOutput("assets/claimledger/claimledger.js", (_ASSETS / "claimledger.js").read_bytes, role="script"),
)
"""claimledger's own stylesheet and script: every page of the site links to them."""


class Unpublishable(Exception):
    """A file the site would show that the path policy refuses; ``findings`` say which and why."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(f"{len(findings)} file(s) may not be published")
        self.findings = tuple(findings)


def site_outputs(
    dataset: Dataset,
    renderer: Renderer,
    *,
    root: Path | None = None,
    cache_dir: Path | None = None,
    every_claim_json: bool = True,
) -> Iterator[Output]:
    """Every file of the site of ``dataset``: the pages, the contributor guide of the project at ``root`` (if
    the path policy lets it be read: :class:`Unpublishable` otherwise), the assets, exports, schemas,
    feeds, and a ``claim.json`` per claim (last). Nothing is rendered until asked. The claims' parts of the
    exports are kept in the cache in ``cache_dir`` (the item cache's folder); ``every_claim_json``: whether
    every claim's ``claim.json`` is likely to be written (none kept from a previous site: see SiteExports)."""
    yield from page_outputs(dataset, renderer)
    yield from other_outputs(dataset, renderer, root=root, cache_dir=cache_dir, every_claim_json=every_claim_json)


def page_outputs(dataset: Dataset, renderer: Renderer) -> Iterator[PageOutput]:
    """The generated pages of :func:`site_outputs`."""
    _same_dataset(dataset, renderer)
    for spec in page_specs(dataset):
        yield page_output(renderer, spec)


def other_outputs(
    dataset: Dataset,
    renderer: Renderer,
    *,
    root: Path | None = None,
    cache_dir: Path | None = None,
    every_claim_json: bool = True,
) -> Iterator[MarkdownPage | FileOutput]:
    """The rest of :func:`site_outputs`: the contributor guide and the files. An engine may ask for these first
    (to start making the exports), and for the pages after."""
    _same_dataset(dataset, renderer)
    if root is not None:
        root = root.resolve()
        guide = root / GUIDE
        if (problem := paths.check(root, guide)) is not None:
            raise Unpublishable([problem])
        if guide.is_file():
            yield MarkdownPage(GUIDE_PAGE, guide.read_text(encoding="utf-8"), renderer.edit_link(GUIDE) or None)
    yield from ASSETS
    claims = KINDS["claim"]
    json_files = {claim_id: f"{url_of(claims.page_src(claim_id))}claim.json" for claim_id in claims.items(dataset)}

    # Made together, each handed out once: claims.json, …, each claim.json (one the previous site keeps, not).
    cache = functools.partial(parts_cache, root, cache_dir) if root is not None and cache_dir is not None else None
    exports = SiteExports(dataset, cache, every_claim_json=every_claim_json)
    for path in exports.paths:
        yield FileOutput(path, functools.partial(exports.file, path), aside=True)
    yield FileOutput(SCHEMA, schema_text)
    for name in KIND_SCHEMAS:  # one per kind, for check-jsonschema and editors
        yield FileOutput(f"schema/{name}.schema.json", functools.partial(kind_schema_text, name))
    settings = renderer.settings
    yield FileOutput(
        CORRECTIONS_FEED,
        functools.partial(feed.atom, dataset, site_url=settings.site_url, site_name=settings.site_name),
        aside=True,
    )
    yield FileOutput(CLAIM_REVIEW_FEED, renderer.claim_review_feed, aside=True)
    for claim_id, claim in claims.items(dataset).items():
        page = claims.page_src(claim_id)
        content = functools.partial(exports.claim_json, claim)
        yield FileOutput(
            json_files[claim_id], content, bulk=True, page=page, reads=_made_from(claim_id), made_aside=True
        )


def _same_dataset(dataset: Dataset, renderer: Renderer) -> None:
    if renderer.loaded is not dataset:
        raise ValueError("the renderer renders another dataset")


def page_output(renderer: Renderer, spec: PageSpec) -> PageOutput:
    render = functools.partial(renderer.render, spec)
    if spec.kind is None:  # an index page
        description = LISTS.get(spec.template, "")
        search_text = functools.partial(_list_search_text, spec.title, description) if description else None
        if spec.template == "methodology":
            description = "How the claims are recorded, checked and given a status: the status scale and the rules."
            search_text = functools.partial(_with_spaced_cells, render)
        head = functools.partial(PageHead, description or spec.title, spec.title)
        return PageOutput(spec, None, render, search_text, None, head)
    item = renderer.item(spec)
    shown = view(spec.kind)
    jsonld = functools.partial(renderer.claim_jsonld, item) if spec.kind == "claim" else None
    return PageOutput(
        spec,
        renderer.edit_link(KINDS[spec.kind].document_path(item)) or None,
        render,
        functools.partial(shown.search_text, renderer, item),
        jsonld,
        functools.partial(_item_head, renderer, spec),
        search_boost=shown.search_boost,
    )


def _item_head(renderer: Renderer, spec: PageSpec) -> PageHead:
    item = renderer.item(spec)  # looked up here: a page's reads hold the item its head shows
    shown = view(str(spec.kind))
    title = shown.head_title(renderer, item) if shown.head_title is not None else spec.title
    return PageHead(shown.description(renderer, item), title, shown.keywords(renderer, item))


def _list_search_text(title: str, description: str) -> str:
    return f'<h1 id="top">{escape(title)}</h1>\n<p>{escape(description)}</p>'


_CELL_END = re.compile(r"(</t[dh]>)")


def _with_spaced_cells(render: Callable[[], str]) -> str:
    """A page's HTML with a space after each table cell: a search index strips the tags ("StatusMeaning"); and
    whole: a list kept out of a search that indexes pages as they are (Zensical's) is in this one."""
    return _CELL_END.sub(r"\1 ", render()).replace(" data-search-exclude", "")


def _made_from(claim_id: str) -> frozenset[Read]:
    """What a claim's ``claim.json`` is made from: the claim alone."""
    return frozenset({("claims", claim_id)})
