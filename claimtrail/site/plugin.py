"""The MkDocs adapter: load and check the dataset once per build, add the generated pages.

Pages are added in memory with ``File.generated`` (nothing generated is
committed).  Item pages stay out of the navigation; their HTML is rendered
straight from the model, with no markdown round trip.
"""

from __future__ import annotations

import gc
import logging
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemLoader
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from .. import paths
from ..cache import template_cache
from ..export import claim_record, export_data, to_csv, to_json
from ..findings import Finding, Severity, format_text
from ..gitinfo import load_history
from ..graph import build_graph
from ..model import Dataset
from ..project import check_project
from ..schema import schema_text
from . import feed, precompile
from .build import preloaded
from .docrefs import publisher_html, replace_references
from .incremental import Snapshot, stamps, touched
from .progress import Progress
from .progress import wanted as progress_wanted
from .render import PageContext, Renderer, SiteSettings, template_environment
from .urls import EXPORTS, PageSpec, claim_src, page_specs, url_of

if TYPE_CHECKING:  # for type hints only: a build need not import the live-reload server
    from jinja2 import Environment
    from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.plugins.claimtrail")

ASSETS = ("claimtrail.css", "claimtrail.js")
LISTS = frozenset({"claims-index", "dashboard", "timeline", "tags", "sources-index", "parties-index"})
ITEM_KINDS = frozenset({"claim", "source", "party"})
GUIDE_PAGE = "contributing.md"  # where the contributor guide (paths.GUIDE) is shown on the site
ASSET_DIR = "assets/claimtrail"


class ClaimtrailConfig(Config):
    root = config_options.Optional(config_options.Dir(exists=True))
    edit_base = config_options.Type(str, default="")
    edit_branch = config_options.Type(str, default="main")
    history = config_options.Type(bool, default=True)


class ClaimtrailPlugin(BasePlugin[ClaimtrailConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.root = Path()
        self.dataset: Dataset | None = None
        self.renderer: Renderer | None = None
        self.specs: dict[str, PageSpec] = {}
        self.progress = Progress(0, enabled=False)
        self.incremental = False
        self.last: tuple[Snapshot, Dataset] | None = None
        self.touched: set[str] | None = None

    # -- configuration and data ------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this keeps one plugin across the rebuilds of ``mkdocs serve``; with ``--dirty``
        a rebuild then rewrites only the pages an edit touches."""
        self.incremental = command == "serve" and dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("claimtrail: the site needs `use_directory_urls: true` (the default)")
        self.root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        dataset, findings = preloaded(self.root) or check_project(self.root)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            raise PluginError(
                f"claimtrail: the dataset has {len(errors)} error(s); fix them before building:\n" + format_text(errors)
            )
        if Path(config.docs_dir) != self.root / paths.DOCS_DIR:  # not the folder the check walked
            _refuse_to_publish(list(paths.walk(self.root, Path(config.docs_dir)).findings))
        for finding in findings:
            log.info("claimtrail: %s:%s: %s [%s]", finding.path, finding.line, finding.message, finding.rule)
        self.dataset = dataset
        gc.unfreeze()  # what an earlier rebuild under mkdocs serve froze may go now
        gc.freeze()  # the model lives as long as the build: the collector need not scan it again and again
        repo_url = config.repo_url or ""
        github = repo_url.rstrip("/") if "github.com" in repo_url else ""
        settings = SiteSettings(
            site_name=config.site_name,
            site_url=_with_slash(config.site_url or ""),
            edit_base=self._edit_base(config),
            commit_base=f"{repo_url.rstrip('/')}/commit/" if "github.com" in repo_url else "",
            blob_base=f"{repo_url.rstrip('/')}/blob/{self.config.edit_branch}/" if "github.com" in repo_url else "",
            history_base=f"{github}/commits/{self.config.edit_branch}/" if github else "",
        )
        start_compiling_templates(config)
        config.theme.dirs[:] = theme_dirs(config)
        history = load_history(self.root) if self.config.history else None
        graph = build_graph(dataset)
        self.renderer = Renderer(dataset, graph, settings, history)
        if self.incremental:
            # A new scale or publisher shows on every claim page (badges, ClaimReview): all are rewritten.
            snapshot = Snapshot(stamps(dataset), graph, (dataset.scale, dataset.publisher))
            previous, before = self.last if self.last else (None, None)
            self.touched = touched(previous, snapshot, dataset, before)
            self.last = (snapshot, dataset)
        self.specs = {spec.src_uri: spec for spec in page_specs(dataset)}
        config.extra_css.append(f"{ASSET_DIR}/claimtrail.css")
        config.extra_javascript.append(f"{ASSET_DIR}/claimtrail.js")
        return config

    def _edit_base(self, config: MkDocsConfig) -> str:
        if self.config.edit_base:
            return _with_slash(self.config.edit_base)
        if config.repo_url and "github.com" in config.repo_url:
            return f"{config.repo_url.rstrip('/')}/edit/{self.config.edit_branch}/"
        return ""

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        server.watch(str(self.root / "claims"))
        return server

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """The theme's compiled templates are kept too, as ours are: compiling Material's is a
        tenth of building a small site."""
        if env.bytecode_cache is None:
            env.bytecode_cache = template_cache(precompile.compiled_lookup())
        return env

    # -- files -----------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.dataset is not None
        for spec in self.specs.values():
            if files.get_file_from_path(spec.src_uri) is not None:
                raise PluginError(f"claimtrail: docs/{spec.src_uri} clashes with a generated page; rename it")
            inclusion = InclusionLevel.UNDEFINED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, spec.src_uri, content="", inclusion=inclusion)
            if self.touched is not None and spec.src_uri not in self.touched:
                file.is_modified = _unchanged  # type: ignore[method-assign]
            if not spec.in_nav:
                GeneratedPage(escape(spec.title), file, config)  # becomes file.page
            files.append(file)
        guide = self.root / paths.GUIDE
        unpublishable = _unpublishable(self.root, files, config)
        if (problem := paths.check(self.root, guide)) is not None:
            unpublishable.append(problem)
        _refuse_to_publish(unpublishable)
        if guide.is_file() and files.get_file_from_path(GUIDE_PAGE) is None:
            files.append(File.generated(config, GUIDE_PAGE, content=guide.read_text(encoding="utf-8")))
        assets = resources.files("claimtrail.site") / "assets"
        for name in ASSETS:
            files.append(File.generated(config, f"{ASSET_DIR}/{name}", content=(assets / name).read_bytes()))
        exported = export_data(self.dataset)
        _add_urls(exported)
        files.append(File.generated(config, EXPORTS["json"], content=to_json(exported, compact=True)))
        files.append(File.generated(config, EXPORTS["csv"], content=to_csv(exported)))
        files.append(File.generated(config, EXPORTS["schema"], content=schema_text()))
        site_url = _with_slash(config.site_url or "")
        atom = feed.atom(self.dataset, site_url=site_url, site_name=config.site_name)
        files.append(File.generated(config, EXPORTS["corrections"], content=atom))
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Each claim's data as JSON next to its page, written straight to the site: 10,000 small
        files need none of MkDocs' handling, and are not kept in memory."""
        self.progress.finish()
        precompile.stop()
        if self.renderer is None:
            return
        site = Path(config.site_dir)
        for claim in self.renderer.dataset.claims.values():
            if self.touched is not None and claim_src(claim.id) not in self.touched:
                continue
            record = claim_record(claim)
            record["url"] = url_of(claim_src(claim.id))
            target = site / record["url"] / "claim.json"
            try:  # the page's folder is there already, but for a page another plugin left out
                target.write_text(to_json(record, compact=True), encoding="utf-8")
            except FileNotFoundError:
                target.parent.mkdir(parents=True)
                target.write_text(to_json(record, compact=True), encoding="utf-8")

    def on_build_error(self, *, error: Exception) -> None:
        precompile.stop()

    # -- pages -----------------------------------------------------------------

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.renderer is not None
        spec = self.specs.get(page.file.src_uri)
        if spec is None:
            publisher = publisher_html(self.renderer.dataset.publisher)
            return replace_references(markdown, page.file.src_uri, self._label_for, publisher)
        page.meta["title"] = escape(spec.title)
        if spec.kind in LISTS:  # lists of claims: the claims' own pages are what search should find
            page.meta["search"] = {"exclude": True}
        return ""

    # A generated page's HTML is made when MkDocs is about to write the page (on_page_context), not
    # when it reads every page first (on_page_content), and let go once written (on_post_page): at
    # 10,000 claims, holding every page's HTML at once would be most of a build's memory.

    @event_priority(100)  # before the search plugin indexes the page
    def _render_and_index_only_the_essentials(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Hand the search plugin a claim's, source's or party's words, not its whole page.

        What a reader searches for is the statement, the quotes and the evidence; the rest of an item
        page is links and labels that would fill the index (and take twice as long to parse).
        """
        spec = self.specs.get(page.file.src_uri)
        if spec is None or self.renderer is None:
            return context
        if spec.kind in ITEM_KINDS:
            page.content = self.renderer.search_text(spec)
        else:
            page.content = self.renderer.render(spec)
        if spec.kind == "claim":
            page.meta["claimtrail_jsonld"] = self.renderer.claim_jsonld(self.renderer.dataset.claims[spec.key])
        return context

    @event_priority(-100)  # after the search plugin
    def _render_page_and_set_edit_link(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        spec = self.specs.get(page.file.src_uri)
        if spec is not None and self.renderer is not None:
            if spec.kind in ITEM_KINDS:
                page.content = self.renderer.render(spec)
            page.edit_url = self._item_edit_url(spec)
        elif page.file.generated_by and page.file.src_uri == GUIDE_PAGE and self.renderer is not None:
            edit_base = self.renderer.settings.edit_base
            page.edit_url = edit_base + paths.GUIDE if edit_base else None
        return context

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.progress = Progress(len(files.documentation_pages()), enabled=progress_wanted())
        return nav

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        self.progress.step()
        if page.file.src_uri in self.specs:
            page.content = ""
            page.meta.pop("claimtrail_jsonld", None)
        return output

    on_page_context = CombinedEvent(_render_and_index_only_the_essentials, _render_page_and_set_edit_link)

    def _item_edit_url(self, spec: PageSpec) -> str | None:
        assert self.renderer is not None
        dataset = self.renderer.dataset
        edit_base = self.renderer.settings.edit_base
        if not edit_base:
            return None
        if spec.kind == "claim":
            return edit_base + dataset.claims[spec.key].document.path
        if spec.kind == "source":
            return edit_base + dataset.sources[spec.key].document.path
        if spec.kind == "party":
            return edit_base + dataset.parties[spec.key].document.path
        return None

    def _label_for(self, kind: str, item_id: str) -> tuple[str, str] | None:
        assert self.renderer is not None
        dataset = self.renderer.dataset
        page = PageContext(self.renderer, "")
        if kind == "claim" and item_id in dataset.claims:
            claim = dataset.claims[item_id]
            return claim.statement, str(page.badge(claim.status))
        if kind == "source" and item_id in dataset.sources:
            return dataset.sources[item_id].title, ""
        if kind == "party" and item_id in dataset.parties:
            return dataset.parties[item_id].name, ""
        return None


class GeneratedPage(Page):
    """An item page: no markdown to read or convert, since the plugin writes its HTML.

    MkDocs uses a page a plugin has made for a file; this one skips building a Markdown converter
    for an empty text, once per page, which at 10,000 claims is a tenth of the build.
    """

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown, self.meta = "", {}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


def theme_dirs(config: MkDocsConfig) -> list[str]:
    """The theme's template folders with claimtrail's overrides in: first, or after the site's own
    ``custom_dir``."""
    overrides = str(resources.files("claimtrail.site") / "overrides")
    dirs = list(config.theme.dirs)
    if overrides not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, overrides)
    return dirs


def start_compiling_templates(config: MkDocsConfig) -> None:
    """Start compiling, on the other core, the theme's templates as MkDocs renders them (its static
    templates, then the pages; with claimtrail's overrides in, as ``on_config`` puts them) and
    claimtrail's, unless that has begun already. Nothing is done for a configuration without the
    plugin, and the configuration is left as it is."""
    if "claimtrail" not in config.plugins or not precompile.can_start():
        return
    try:
        theme = config.theme.get_env()
        if not isinstance(theme.loader, FileSystemLoader):  # not as MkDocs 1.6 makes it: left to the build
            return
        theme.loader = FileSystemLoader(theme_dirs(config))
        ours = template_environment()
        precompile.start([(theme, [*config.theme.static_templates, "main.html"]), (ours, ours.list_templates())])
    except Exception as exc:  # only ever a speed-up: the build compiles its templates itself
        log.debug("claimtrail: templates not compiled ahead (%s)", exc)


def _refuse_to_publish(problems: list[Finding]) -> None:
    """Stop the build if the path policy refuses any file it would read or publish."""
    if problems:
        raise PluginError(
            f"claimtrail: {len(problems)} file(s) may not be published; fix them before building:\n"
            + format_text(problems)
        )


def _unpublishable(root: Path, files: Files, config: MkDocsConfig) -> list[Finding]:
    """The path policy's findings on the files MkDocs found in the docs folder: its walk follows
    every link, so a page linked from outside the repository would be published as it is."""
    docs = config.docs_dir
    found = (file.abs_src_path for file in files if file.src_dir == docs and file.abs_src_path)
    problems = (paths.check_file(root, path) for path in found)
    return [problem for problem in problems if problem is not None]


def _unchanged() -> bool:
    return False


def _with_slash(url: str) -> str:
    return url if not url or url.endswith("/") else url + "/"


def _add_urls(exported: dict[str, Any]) -> None:
    """Each exported item gets its page's site-relative ``url``."""
    for key, folder in (("claims", "claims"), ("sources", "sources"), ("parties", "parties")):
        for item in exported[key]:
            item["url"] = url_of(f"{folder}/{item['id']}.md")
