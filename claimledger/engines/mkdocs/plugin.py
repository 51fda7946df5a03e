"""The MkDocs plugin ``claimledger``: hands the outputs of :func:`claimledger.site.outputs.site_outputs`
to MkDocs, generated in memory. Under ``claimledger build`` it is handed the dataset already checked
(:meth:`ClaimledgerPlugin.use`); under ``mkdocs build``/``serve`` alone it is the edge and checks the
dataset itself, though MkDocs has run ``mkdocs.yml``'s tags and hooks by then. Either way it publishes
no file the path policy refuses, and the docs guard (:mod:`.docsguard`) stops what the check would not read.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from html import escape, unescape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mkdocs.config import config_options
from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from ...checks.gitinfo import git_dir
from ...checks.project import check_project
from ...checks.siteconfig import DocsPolicy
from ...exports.formats import whole
from ...findings import Finding, Severity, format_text, printable
from ...record import paths
from ...record.cache import template_cache
from ...record.layout import Layout
from ...record.model import Dataset
from ...settings import Settings, from_environment
from ...site import aside
from ...site.ahead import RenderedAhead, render
from ...site.build import SiteInput
from ...site.docrefs import publisher_markdown, replace_references
from ...site.manifest import (
    Entry,
    Manifest,
    PreviousSite,
    Read,
    Recorder,
    build_key,
    meta_digest,
    report_reused,
    tree_digest,
)
from ...site.outputs import (
    ASSETS,
    FileOutput,
    MarkdownPage,
    PageHead,
    PageOutput,
    Unpublishable,
    other_outputs,
    page_outputs,
)
from ...site.progress import Progress
from ...site.render import STALE_BADGE, Renderer, SiteSettings, site_renderer
from ...site.toc import has_sections, tokens
from .docsguard import DocsGuard
from .frames import Frames

T = TypeVar("T")

if TYPE_CHECKING:  # for type hints only: a build need not import the live-reload server
    from jinja2 import Environment
    from mkdocs.livereload import LiveReloadServer

# "mkdocs.plugins.claimledger", or "properdocs.plugins.claimledger" when ProperDocs runs the plugin
ENGINE = BasePlugin.__module__.partition(".")[0]  # the program running the plugin: mkdocs or properdocs
log = logging.getLogger(f"{ENGINE}.plugins.claimledger")


EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'
)
# Set by the properdocs engine for the build in its own process: the site it replaces ("" for none).
PREVIOUS_SITE = "CLAIMLEDGER_PREVIOUS_SITE"
# What a page reused from the previous site is rendered with: nothing, so MkDocs writes nothing for it.
REUSED_TEMPLATE = "claimledger-reused.html"
NO_SITE_URL = (
    "the site's address is not known (site_url is empty; the repository's mkdocs.yml takes it from"
    " CLAIMLEDGER_SITE_URL): the site has no canonical links, an empty sitemap and no ClaimReview url"
)


class _PagesOrAll(BaseConfigOption[bool | list[str]]):
    """``true``, ``false``, or a list of pages, each as ``claimledger check`` names it."""

    def __init__(self) -> None:
        super().__init__()
        self.default = False

    def run_validation(self, value: object) -> bool | list[str]:
        if isinstance(value, bool) or (isinstance(value, list) and all(isinstance(page, str) for page in value)):
            return value
        raise ValidationError("expected true, false, or a list of pages such as [docs/about.md, CONTRIBUTING.md]")


class ClaimledgerConfig(Config):
    root = config_options.Optional(config_options.Dir(exists=True))
    edit_base = config_options.Type(str, default="")
    edit_branch = config_options.Type(str, default="main")
    history = config_options.Type(bool, default=True)
    docs_raw_html = _PagesOrAll()  # the hand-written pages that may hold raw HTML (see claimledger.checks.siteconfig)
    allow = config_options.Type(dict, default={})  # what the site policy allows (see claimledger.checks.sitepolicy)


class ClaimledgerPlugin(BasePlugin[ClaimledgerConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.root = Path()
        self.handed: SiteInput | None = None
        self.settings = Settings()
        self.renderer: Renderer | None = None
        self.pages: dict[str, PageOutput] = {}
        self.guide: MarkdownPage | None = None
        self.files: list[FileOutput] = []
        self.progress = Progress(0, enabled=False)
        self.serving = False  # under mkdocs serve --dirty: a page whose inputs did not change is not written again
        # A build MkDocs runs --dirty: it goes through no page that says it is not modified (a reused item page
        # says so): claimledger's engines build so into a new staging folder when they hand a previous site.
        self.dirty = False
        self.quiet = FreshStaging()
        self.served: Manifest | None = None  # what the last build under mkdocs serve --dirty was made from
        self.old: Manifest | None = None  # what the pages this build may reuse were made from
        self.guard: DocsGuard | None = None
        self.publisher = ""  # what [[publisher]] stands for on a hand-written page
        self.docs_prefix = paths.DOCS_DIR
        self.told_no_site_url = False
        self.config_file = ""
        self.recorder: Recorder | None = None  # set when the build keeps a manifest for the next
        self.previous: PreviousSite | None = None  # the site this build replaces, to reuse from
        self.key = ""
        self.reused: dict[str, str] = {}  # page source path -> its file in the site, reused as it is
        self.made: Manifest | None = None  # what this build's outputs are made from, noted as pages render
        self.files_seen: Files | None = None
        self.searched: frozenset[str] | None = None  # the URLs of the pages the previous search index has entries of
        self.changed: frozenset[Read] = frozenset()  # the reads that hold other than when the previous site was built
        self.unchanged: frozenset[str] = frozenset()  # the pages made from what they were made from last time
        self.kept_files: frozenset[str] = frozenset()  # the bulk files (claim.json) the previous site has as made now
        self.ahead: RenderedAhead | None = None  # the pages a second process renders while this one writes
        self.ahead_order: list[str] = []  # the pages it was given, in the order it renders them
        self.bodies: dict[str, str] = {}  # a page's body, from when search indexes the page to when it is framed
        self.aside: aside.Aside | None = None  # the process making the exports while the pages render, if any
        self.written_aside: frozenset[str] = frozenset()  # the files it wrote into the site

    @property
    def docs_policy(self) -> DocsPolicy:
        return DocsPolicy.from_option(self.config.docs_raw_html)

    def use(self, site: SiteInput | None) -> None:
        """Build ``site`` (checked already) at the next build; None takes it back."""
        self.handed = site

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this keeps one plugin across the rebuilds of ``mkdocs serve``; under ``--dirty``, a rebuild
        writes only the pages whose inputs changed (as :mod:`claimledger.site.manifest` tells)."""
        self.serving, self.served = command == "serve" and dirty, None
        self.dirty = command == "build" and dirty
        self.told_no_site_url = False  # said once a build, or once for all the rebuilds of a serve

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("claimledger: the site needs `use_directory_urls: true` (the default)")
        self.root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        self.config_file = config.config_file_path
        if Path(config.docs_dir) != self.root / paths.DOCS_DIR:  # not the folder the check walks
            _refuse_to_publish(list(paths.walk(self.root, Path(config.docs_dir), confined=True).findings))
        self.recorder, self.previous, self.reused, self.made, self.searched = None, None, {}, None, None
        if self.handed is not None:
            dataset = self.handed.dataset
            self.settings = self.handed.project.settings
            self.recorder = Recorder()
            self.previous = PreviousSite(self.handed.previous) if self.handed.previous else None
        else:  # `mkdocs build` or `mkdocs serve` on their own, or ProperDocs' build: this is the edge
            self.settings = from_environment(os.environ)
            if (previous := os.environ.get(PREVIOUS_SITE)) is not None:
                self.recorder, self.previous = Recorder(), PreviousSite(Path(previous)) if previous else None
            elif self.serving:
                self.recorder = Recorder()
            dataset = self._check()
            gc.unfreeze()  # what an earlier rebuild under mkdocs serve froze may go now
            gc.freeze()  # the model lives as long as the build: the collector need not scan it again and again
        if not config.repo_url:  # no repository (its address not given): no edit links into it either
            config.edit_uri = None
        settings = SiteSettings.of_site(
            config.site_name,
            config.site_url or "",
            config.repo_url or "",
            edit_branch=self.config.edit_branch,
            edit_base=self.config.edit_base,
            language=str(config.theme.get("language") or "en"),
        )
        config.theme.dirs[:] = theme_dirs(config)
        self.bytecode_cache = template_cache(self.settings.template_cache_dir)
        self.renderer = site_renderer(
            dataset,
            self.root,
            settings,
            history=self.config.history,
            bytecode_cache=self.bytecode_cache,
            recorder=self.recorder,
            cache_dir=self.settings.item_cache_dir,
        )
        self._start_aside(config, dataset)
        if self.recorder is not None:
            self.key = self._build_key(config, settings)
        # Printed, not logged: a warning logged to MkDocs fails a --strict build.
        if not settings.site_url and not self.told_no_site_url:
            print(f"claimledger: note: {NO_SITE_URL}", file=sys.stderr)
            self.told_no_site_url = True
        if self.config.history and self.renderer.history.warning:
            print(f"claimledger: warning: {self.renderer.history.warning}", file=sys.stderr)
        self.publisher = publisher_markdown(dataset.publisher)
        self.old = self.served if self.serving else self._previous_manifest(config)
        if self.old is not None and self.old.key != self.key:
            self.old = None
        self.changed = self.old.changed(self.renderer.digests) if self.old is not None else frozenset()
        self.pages = {output.path: output for output in page_outputs(dataset, self.renderer)}
        old = self.old
        self.unchanged = frozenset(p for p, o in self.pages.items() if old is not None and self._unchanged(o, old))
        self._close_ahead()
        self.ahead_order = []
        if not self.serving:  # the pages to render, in the order on_files adds them (MkDocs builds them so)
            due = [output for path, output in self.pages.items() if path not in self.unchanged]
            # Started now, not once MkDocs has read the files: it renders while this process lists them.
            self.ahead = RenderedAhead.start(due, self.recorder, self.settings.workers, self.renderer.weight)
            self.ahead_order = [output.path for output in due] if self.ahead is not None else []
        self.kept_files = frozenset(output.path for output in self.files if output.bulk and self._kept_file(output))
        if self.aside is not None:
            self.aside.keep(self.kept_files)
        self.docs_prefix = Path(os.path.relpath(config.docs_dir, self.root)).as_posix()
        self.guard = DocsGuard(self.docs_policy, harmless=badge_tags(self.renderer), log=log)
        # Python-Markdown takes extensions as well as their names; one guard, whatever ran before.
        extensions: list[Any] = [e for e in config.markdown_extensions if not isinstance(e, DocsGuard)]
        config.markdown_extensions[:] = [*extensions, self.guard]  # type: ignore[list-item]
        for asset in ASSETS:
            (config.extra_css if asset.role == "stylesheet" else config.extra_javascript).append(asset.path)
        return config

    def _start_aside(self, config: MkDocsConfig, dataset: Dataset) -> None:
        """The site's files besides its pages; the exports' process starts making them as soon as the renderer is
        made, while this one reads the previous manifest, describes the pages and MkDocs reads the files (it
        shares none of what those hold). It writes once the site folder is clean (a --dirty build's is clean
        already; else on_files says so), and writes the claims' claim.json once told which the previous site
        keeps."""
        assert self.renderer is not None
        try:
            cache, every = self.settings.item_cache_dir, self.previous is None  # else most are kept, likely
            others = list(
                other_outputs(dataset, self.renderer, root=self.root, cache_dir=cache, every_claim_json=every)
            )
        except Unpublishable as exc:
            _refuse_to_publish(list(exc.findings))
            raise
        self.guide = next((output for output in others if isinstance(output, MarkdownPage)), None)
        self.files = [output for output in others if isinstance(output, FileOutput)]
        self._stop_aside()
        if not self.serving:
            self.aside = aside.start(self.files, self.settings)
            if self.aside is not None and self.dirty and self.previous is not None:
                # A new staging folder, built --dirty: MkDocs does not clean it, and it is thrown away if the
                # build fails. (A user's own `mkdocs build --dirty` writes into the site itself: not before
                # on_files, once the build is past what can fail first.)
                self.aside.go(Path(config.site_dir))

    def _build_key(self, config: MkDocsConfig, settings: SiteSettings) -> str:
        """What every page of this build is made from besides the items it reads: the configuration as
        MkDocs read it (its own site folder aside), the hand-written pages and theme overrides, the
        project's files beside the items (the status scale, the publisher), the history's state."""
        assert self.renderer is not None
        history = self.renderer.history
        read = _configuration(config.config_file_path)
        listed = read.get("hooks")
        hooks = [Path(config.config_file_path).parent / str(h) for h in listed] if isinstance(listed, list) else []
        folders = [Path(config.docs_dir), *([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])]
        claims = Layout(self.root).data_dir
        beside = sorted(p for p in claims.iterdir() if p.is_file()) if claims.is_dir() else []
        dated = any(  # a theme that shows the build date shows it on every page
            b"build_date_utc" in path.read_bytes()
            for folder in config.theme.dirs
            for path in Path(folder).rglob("*.html")
        )
        return build_key(
            ENGINE,  # each writes its name into every page
            read,
            [tree_digest(folder) for folder in folders],
            [(p.name, p.read_bytes()) for p in [*beside, *hooks, self.root / paths.GUIDE] if p.is_file()],
            settings,
            (history.available, history.shallow, history.reason, history.problem),
            sorted(self.renderer.merged) if self.renderer.merged is not None else None,
            os.environ.get("SOURCE_DATE_EPOCH") if dated else None,
        )

    def _unchanged(self, output: PageOutput, old: Manifest) -> bool:
        """Whether ``output`` would come out as the previous site has it."""
        return old.unchanged(output.path, meta_digest(self.key, _meta(output)))

    def _same_file(self, path: str, reads: frozenset[Read]) -> bool:
        """Whether the file ``path`` (a claim's ``claim.json``), made from ``reads``, comes out as it did."""
        entry = self.old.outputs.get(path) if self.old is not None else None
        return (
            entry is not None
            and entry.reads == reads
            and entry.meta == meta_digest(self.key, (path,))
            and entry.reads.isdisjoint(self.changed)
        )

    def _kept_file(self, output: FileOutput) -> bool:
        """Whether the previous site has the bulk file ``output`` (a claim's ``claim.json``) as it is made now."""
        return (
            self.previous is not None
            and output.path in self.previous.files
            and self._same_file(output.path, output.reads)
        )

    def _kept(self, file: File) -> bool:
        """Whether the previous site still has the page's file, and its search entries if the site has search."""
        assert self.previous is not None
        return file.dest_uri in self.previous.files and (self.searched is None or file.url in self.searched)

    def _check(self) -> Dataset:
        dataset, findings = check_project(
            self.root, settings=self.settings, docs=self.docs_policy, config_file=Path(self.config_file)
        )
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            raise PluginError(
                f"claimledger: the dataset has {len(errors)} error(s); fix them before building:\n"
                + format_text(errors)
            )
        for f in findings:
            log.info("claimledger: %s:%s: %s [%s]", printable(f.path), f.line, printable(f.message), f.rule)
        return dataset

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        server.watch(str(self.root / "claims"))
        # A commit changes no file under claims/, but the claim pages' history: git's record of
        # where HEAD has been changes with every commit (and checkout).
        folder = git_dir(self.root)
        for record in (folder / "HEAD", folder / "logs" / "HEAD") if folder else ():
            if record.is_file():
                server.watch(str(record))
        return server

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """The theme's compiled templates are kept too: compiling Material's is a tenth of a small build."""
        if env.bytecode_cache is None:
            env.bytecode_cache = self.bytecode_cache
        env.globals["claimledger_frames"] = Frames()  # the sidebars, rendered once for the pages they are the same on
        return env

    def _close_ahead(self) -> None:
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None
        self.bodies.clear()

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.dirty and self.previous is not None and not self.quiet.active:
            self.quiet.start()

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.quiet.stop()  # the engine said it before reading the files
        if self.aside is not None:  # MkDocs cleaned the site folder before it read the files: the exports may go in
            self.aside.go(Path(config.site_dir))  # (said already in a rebuild into a staging folder)
        skipped = self.dirty and _pages_read_by_us_alone(config)
        for file in files:
            if file.src_uri in self.pages:
                raise PluginError(f"claimledger: docs/{file.src_uri} clashes with a generated page; rename it")
        for output in self.pages.values():
            inclusion = InclusionLevel.UNDEFINED if output.spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, output.path, content="", inclusion=inclusion)
            if output.path in self.unchanged:
                if self.serving:  # its file, written by the last build, stays as it is
                    file.is_modified = lambda: False  # type: ignore[method-assign]
                    self.reused[output.path] = file.dest_uri
                elif self._kept(file):
                    self.reused[output.path] = file.dest_uri
                    if skipped and not output.spec.in_nav:  # MkDocs goes through none of its page's events
                        file.is_modified = lambda: False  # type: ignore[method-assign]
            if not output.spec.in_nav:
                GeneratedPage(escape(output.spec.title), file, config)  # becomes file.page
            files.append(file)
        _refuse_to_publish(_unpublishable(self.root, files, config))
        if self.guide is not None and files.get_file_from_path(self.guide.path) is None:
            files.append(File.generated(config, self.guide.path, content=self.guide.text))
        for extra in self.files:
            if extra.aside and self.aside is not None:  # listed, so that links to it resolve; written by the process
                files.append(MadeAside.generated(config, extra.path, content=b""))
            elif not extra.bulk:
                files.append(File.generated(config, extra.path, content=whole(extra.content())))
        return files

    @event_priority(100)  # before any other plugin's or hook's post_build reads the site: the exports are in it
    def _finish_aside(self, *, config: MkDocsConfig) -> None:
        """Wait for the processes rendering pages and making the exports; the build fails, saying why, if the
        exports did."""
        self._close_ahead()
        self.written_aside = frozenset()
        if self.aside is not None:
            try:
                self.written_aside = self.aside.finish()
            except aside.AsideFailed as exc:
                raise PluginError(f"claimledger: {exc}") from None
            finally:
                self.aside = None

    def _stop_aside(self) -> None:
        if self.aside is not None:
            self.aside.stop()
            self.aside = None

    def on_build_error(self, *, error: Exception) -> None:
        """A failed build stops the processes making the exports and rendering pages: nothing more is written."""
        self.quiet.stop()
        self._stop_aside()
        self._close_ahead()

    def _previous_manifest(self, config: MkDocsConfig) -> Manifest | None:
        """The previous site's manifest, if this build may reuse its pages: made with the same key, and with
        a search index this build can take the reused pages' entries from."""
        if self.recorder is None or self.previous is None:
            return None
        old = Manifest.read(self.previous.folder, self.key)
        if old is None or old.key != self.key:
            return None
        searches = _searches(config)
        # Its pages only, read an entry at a time: the entries themselves are read when the reused pages' are
        # added (a tenth of a rebuild's memory, held meanwhile by this process and by those it forks).
        self.searched = self._previous_search(searches, _page_urls) if searches else None
        return old if self.searched is not None or not searches else None

    def _previous_search(self, searches: list[Any], take: Callable[[Iterator[Any]], T]) -> T | None:
        """What ``take`` makes of the previous search index's entries (read one at a time), if the site's
        search is Material's and the previous site has its index as Material writes it; None otherwise."""
        if _material_search(searches) is None:
            return None  # a search index this plugin does not know how to add entries to
        assert self.previous is not None
        index = self.previous.folder / SEARCH_INDEX
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError, RecursionError):
            if index.is_file():  # not a FIFO or device, which reading would wait on or never end
                return take(_index_entries(index.read_text(encoding="utf-8")))
        return None

    @event_priority(50)  # before the search plugin writes its index
    def _reuse_pages(self, *, config: MkDocsConfig) -> None:
        """The reused pages: their files left in the previous site (the build is committed with them, see
        :mod:`claimledger.site.build`), their search entries taken from its index; then the search index written."""
        if self.reused and not self.serving:
            self._reuse_search_entries(config)
        _write_search_index(config, serving=self.serving)

    def _reuse_search_entries(self, config: MkDocsConfig) -> None:
        assert self.previous is not None and self.files_seen is not None
        for dest in self.reused.values():
            if dest not in self.previous.files:
                raise PluginError(f"claimledger: {dest} went missing from the previous site; build again with --full")
        searches = _searches(config)
        if searches and self.searched is not None:
            search, kept = searches[0].search_index, self._previous_search(searches, _by_page)
            if kept is None or not self.searched <= kept.keys():
                raise PluginError("claimledger: the previous site's search index changed; build again with --full")
            fresh = _by_page(search.entries)
            search.entries = [
                entry
                for file in self.files_seen.documentation_pages(inclusion=InclusionLevel.is_included)
                if file.page is not None  # its URL as search gives it: the home page's is "", not "./"
                for entry in (kept if file.src_uri in self.reused else fresh).get(file.page.url, [])
            ]

    def _note_reads(self, path: str, reads: frozenset[Read]) -> None:
        """Note what rendering the page ``path`` read, into the manifest this build makes: a few bytes a read
        rather than a set of them held for each page until the build's end."""
        assert self.renderer is not None
        if self.made is None:
            self.made = self._new_manifest()
        self.made.note(path, reads, self.renderer.digests)

    def _new_manifest(self) -> Manifest:
        """The manifest this build makes: from the previous one's table of reads, if it has one."""
        return Manifest.following(self.old, self.key) if self.old is not None else Manifest(self.key)

    def _written(self, *, config: MkDocsConfig) -> None:
        """The many small files (claim.json), written straight to the site: they need none of MkDocs' handling;
        and the manifest, for the next build."""
        self.progress.finish()
        site = Path(config.site_dir)
        if not config.site_url:  # a sitemap lists absolute addresses: none is made up
            (site / "sitemap.xml.gz").unlink(missing_ok=True)
            # An empty one: Material's script asks for it, and a missing file is an error in the console.
            (site / "sitemap.xml").write_text(EMPTY_SITEMAP, encoding="utf-8")
        if self.recorder is None:
            for output in self.files:
                if output.bulk and output.path not in self.written_aside:
                    output.write(site)
            return
        assert self.renderer is not None
        old, manifest = self.old, self.made if self.made is not None else self._new_manifest()
        self.made = None
        digests = self.renderer.digests
        kept = set(self.reused.values())  # the outputs the previous site has as they are
        for path, page in self.pages.items():
            if path in self.reused and old is not None:
                manifest.keep(path)
            elif path in manifest.outputs:  # rendered: its reads noted as it was (see _note_reads)
                manifest.describe(path, meta_digest(self.key, _meta(page)))
        for output in self.files:
            if output.bulk:
                entry = Entry(meta_digest(self.key, (output.path,)), output.reads)
                if output.path in self.kept_files:
                    kept.add(output.path)
                elif output.path not in self.written_aside and not (  # made by the exports' process: in the site
                    self.serving and self._same_file(output.path, output.reads)  # written by the last serve
                ):
                    output.write(site)
                manifest.add(output.path, entry, digests)
        if self.serving:
            self.served = manifest.compacted()  # nothing of the manifest before it: that one is let go
            return
        manifest.write(site)
        if self.previous is not None:
            report_reused(site, kept)  # the build is committed with these files of the previous site
            # printed, not logged: a --strict build fails on a logged warning
            print(f"claimledger: {len(self.reused)} of {len(self.pages)} generated pages reused", file=sys.stderr)

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.renderer is not None and self.guard is not None
        output = self.pages.get(page.file.src_uri)
        if output is not None and output.path in self.reused:  # rendered as nothing: its file is linked
            page.meta = {"template": REUSED_TEMPLATE, "search": {"exclude": True}}
            return ""
        self.guard.page = None if output is not None else self._page_path(page)
        if output is None:
            if page.file.inclusion.is_not_in_nav():  # a page for makers, not readers: out of reader search too
                page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
            return replace_references(markdown, page.file.src_uri, self.renderer.label_for, self.publisher)
        head = self._head(output)
        page.meta["title"] = escape(head.browser_title)  # the theme writes it into <title> as it is
        page.meta["description"] = escape(head.description)
        if head.keywords:  # the search plugin ranks a match of a page's tags above any other
            page.meta["tags"] = list(head.keywords)
        if output.search_boost != 1:  # Material's search multiplies the page's score by it
            page.meta["search"] = {"boost": output.search_boost}
        return ""

    def _head(self, output: PageOutput) -> PageHead:
        """The page's head, what working it out read noted as the page's reads."""
        if self.recorder is None:
            return output.shown
        with self.recorder.reading() as reads:
            head = output.shown
        self._note_reads(output.path, frozenset(reads))
        return head

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A hand-written page other than the home page is described by its first paragraph, unless its
        front matter says otherwise."""
        handwritten = page.file.src_uri not in self.pages and not page.is_homepage
        if handwritten and not page.meta.get("description") and (found := _FIRST_PARAGRAPH.search(html)):
            page.meta["description"] = escape(_shortened(unescape(_TAG.sub("", found[1]))))
        return html

    # A generated page's HTML is made just before MkDocs writes it and let go once written: at 10,000
    # claims, holding every page's HTML at once would be most of a build's memory.

    @event_priority(100)  # before the search plugin indexes the page
    def _render_and_index_only_the_essentials(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Hand the search plugin an item's words, not its whole page of links and labels."""
        output = self.pages.get(page.file.src_uri)
        if output is None or output.path in self.reused:
            return context
        rendered = self.ahead.take(output) if self.ahead is not None else render(output, self.recorder)
        if self.recorder is not None:
            self._note_reads(output.path, rendered.reads)
        page.content = rendered.search if rendered.search is not None else rendered.body
        if rendered.jsonld is not None:
            page.meta["claimledger_jsonld"] = rendered.jsonld
        self.bodies[output.path] = rendered.body
        return context

    @event_priority(-100)  # after the search plugin
    def _render_page_and_set_edit_link(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        output = self.pages.get(page.file.src_uri)
        if output is not None and output.path in self.reused:
            return context
        if output is not None:
            page.content = self.bodies.pop(output.path)
            page.edit_url = output.edit_url
            # Its headings as the table of contents: Material's skip link and right sidebar need one.
            headings = tokens(page.content or "")
            page.toc = get_toc(headings)
            if not has_sections(headings):  # no sidebar rather than an empty one
                page.meta["hide"] = [*page.meta.get("hide", ()), "toc"]
        elif self.guide is not None and self._is_guide(page):
            page.edit_url = self.guide.edit_url
        return context

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """The pages are known: the progress counts those MkDocs builds. Where another plugin or a hook changed
        which pages MkDocs builds, or their order, the second process starts again in MkDocs' order (else
        the pages it renders before the one asked for would be held until asked for)."""
        self.files_seen = files
        pages = files.documentation_pages()
        built = sum(1 for file in pages if file.is_modified()) if self.dirty else len(pages)
        self.progress = Progress(built, enabled=self.settings.progress)
        if self.ahead is not None:
            sent = set(self.ahead_order)
            if [file.src_uri for file in pages if file.src_uri in sent] != self.ahead_order:
                self._close_ahead()
                due = [self.pages.get(file.src_uri) for file in pages]
                outputs = [output for output in due if output is not None and output.path not in self.reused]
                weight = self.renderer.weight if self.renderer is not None else None
                self.ahead = RenderedAhead.start(outputs, self.recorder, self.settings.workers, weight)
        return nav

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        self.progress.step()
        if page.file.src_uri in self.pages:
            page.content = ""
            page.toc = get_toc([])
            page.meta.pop("claimledger_jsonld", None)
        return output

    on_page_context = CombinedEvent(_render_and_index_only_the_essentials, _render_page_and_set_edit_link)
    on_post_build = CombinedEvent(_finish_aside, _reuse_pages, _written)

    def _is_guide(self, page: Page) -> bool:
        return bool(page.file.generated_by) and self.guide is not None and page.file.src_uri == self.guide.path

    def _page_path(self, page: Page) -> str:
        """A hand-written page's path, as ``claimledger check`` names it."""
        return paths.GUIDE if self._is_guide(page) else f"{self.docs_prefix}/{page.file.src_uri}"


def _configuration(config_file: str) -> dict[str, Any]:
    """The configuration file as MkDocs reads it (``!ENV`` values and ``INHERIT`` files in), before its checks."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, "rb") as handle:  # noqa: PTH123 (yaml_load wants the file's name from the handle)
            return yaml_load(handle)
    except Exception:
        return {"unreadable": os.urandom(16)}


def _meta(output: PageOutput) -> tuple[object, ...]:
    """What the build states about a page besides its body and its head (whose reads are the page's): its frame
    shows these."""
    return (output.spec, output.edit_url, output.search_boost)


def _searches(config: MkDocsConfig) -> list[Any]:
    """The site's search plugins."""
    return [plugin for plugin in config.plugins.values() if "search" in type(plugin).__module__]


SEARCH_INDEX = "search/search_index.json"
_MATERIAL_SEARCH = "material.plugins.search"


def _material_search(searches: list[Any]) -> Any | None:
    """Material's search plugin, if it is the site's only search plugin."""
    found = searches[0] if len(searches) == 1 else None
    return found if type(found).__module__.startswith(_MATERIAL_SEARCH) else None


_PAGE_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content", "page_context", "post_page")


def _pages_read_by_us_alone(config: MkDocsConfig) -> bool:
    """Whether no plugin or hook but claimledger and Material's search (whose entries of a reused page are taken
    from the previous index) acts on each page: only then may a reused page skip the engine's page events."""
    for event in _PAGE_EVENTS:
        for method in config.plugins.events.get(event, ()):
            owner = getattr(method, "__self__", None)  # a hook's is a module's function: none
            if not isinstance(owner, ClaimledgerPlugin) and not type(owner).__module__.startswith(_MATERIAL_SEARCH):
                return False
    return True


_SEARCH_CONFIG = ("lang", "separator", "pipeline", "fields")  # what Material's index says of its search


def _write_search_index(config: MkDocsConfig, *, serving: bool = False) -> None:
    """Write Material's search index a page's entries at a time, the bytes its search plugin would write, and
    turn that plugin's own write off for this build (its configuration is read afresh at the next): it makes
    the whole index one string, then its bytes, on top of the entries (at 10,000 claims, tens of MB at once).
    The entries are let go once written. Nothing is done for another search plugin, for Material's when it is
    off or under ``mkdocs serve --dirty`` (its index then merges the last build's), or for an index it holds
    otherwise than this knows."""
    search = _material_search(_searches(config))
    if search is None:
        return
    if not serving and hasattr(search, "search_index_prev"):
        # MkDocs keeps the plugin from one build to the next in a process, and Material's keeps the index of a
        # --dirty build to merge into the next (for serve --dirty): a build here holds every page's entries.
        search.search_index_prev = None
    index = getattr(search, "search_index", None)
    settings = getattr(index, "config", None)
    entries = getattr(index, "entries", None)
    if (
        index is None
        or not search.config.enabled
        or serving  # a build claimledger runs --dirty is whole; only serve --dirty merges the last index
        or not isinstance(settings, dict)
        or not all(key in settings for key in _SEARCH_CONFIG)
        or not isinstance(entries, list)
    ):
        return
    path = Path(config.site_dir) / SEARCH_INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(b'{"config":' + _dumps({key: settings[key] for key in _SEARCH_CONFIG}).encode() + b',"docs":[')
        for number, entry in enumerate(entries):
            out.write((b"," if number else b"") + _dumps(entry).encode())
        out.write(b"]}")
    search.config.enabled = False
    index.entries = []


def _dumps(value: object) -> str:
    """``value`` as Material's search plugin writes it into its index."""
    return json.dumps(value, separators=(",", ":"), default=str)


def _index_entries(text: str) -> Iterator[dict[str, Any]]:
    """The entries of a search index as Material's search plugin writes it (``{"config":…,"docs":[…]}``, with
    no space), one at a time; ValueError, once those before are given, if ``text`` is not such an index."""
    decoder = json.JSONDecoder()
    opening, docs = '{"config":', ',"docs":['
    if not text.startswith(opening):
        raise ValueError("not a search index")
    _, at = decoder.raw_decode(text, len(opening))
    if not text.startswith(docs, at):
        raise ValueError("not a search index")
    at += len(docs)
    follows, at = ("]", at + 1) if text.startswith("]", at) else (",", at)
    while follows == ",":
        entry, at = decoder.raw_decode(text, at)
        if not isinstance(entry, dict) or not isinstance(entry.get("location"), str):
            raise ValueError("not a search entry")
        yield entry
        follows, at = text[at : at + 1], at + 1
    if follows != "]" or text[at:] != "}":
        raise ValueError("not a search index")


def _page_urls(entries: Iterable[Any]) -> frozenset[str]:
    """The URLs of the pages search index entries are of."""
    return frozenset(entry["location"].partition("#")[0] for entry in entries)


def _by_page(entries: Iterable[Any]) -> dict[str, list[Any]]:
    """Search index entries by the URL of their page (a page's entries come one after the other)."""
    pages: dict[str, list[Any]] = {}
    for entry in entries:
        pages.setdefault(entry["location"].partition("#")[0], []).append(entry)
    return pages


class MadeAside(File):
    """A file of the site the process making the exports writes (:mod:`claimledger.site.aside`), not MkDocs."""

    def copy_file(self, dirty: bool = False) -> None:
        pass


class FreshStaging(logging.Filter):
    """While started, keeps back the engine's warning that a build runs ``--dirty``: claimledger's engines
    build so into a new, empty staging folder (no file of an earlier build is left in it), with a previous
    site to reuse pages from, only so that the engine skips the pages reused."""

    LOGGERS = ("mkdocs.commands.build", "properdocs.commands.build")
    WARNING = "A 'dirty' build is being performed"

    def __init__(self) -> None:
        super().__init__()
        self.active = False

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and str(record.msg).startswith(self.WARNING))

    def start(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)
        self.active = True

    def stop(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)
        self.active = False


class GeneratedPage(Page):
    """An item page: no markdown to convert (a Markdown converter per page is a tenth of a large build)."""

    # No anchor MkDocs knows of (its HTML comes after MkDocs checks links), rendered or reused: one empty set,
    # never changed, for all of them rather than one each for thousands of pages.
    present_anchor_ids: set[str] | None = frozenset()  # type: ignore[assignment]

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown, self.meta = "", {}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = get_toc([])


def theme_dirs(config: MkDocsConfig) -> list[str]:
    """The theme's template folders with claimledger's overrides first, or after the site's ``custom_dir``."""
    overrides = str(resources.files("claimledger.engines.mkdocs") / "overrides")
    dirs = list(config.theme.dirs)
    if overrides not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, overrides)
    return dirs


def _refuse_to_publish(problems: list[Finding]) -> None:
    if problems:
        raise PluginError(
            f"claimledger: {len(problems)} file(s) may not be published; fix them before building:\n"
            + format_text(problems)
        )


def _unpublishable(root: Path, files: Files, config: MkDocsConfig) -> list[Finding]:
    """The path policy's findings on the files MkDocs found in the docs folder and ``custom_dir``: its walk
    follows every link, so ``/proc/self/environ`` or ``.git/config`` linked there would be published."""
    folders = {config.docs_dir, *([config.theme.custom_dir] if config.theme.custom_dir else [])}
    found = ((file.abs_src_path, file.src_dir) for file in files if file.src_dir in folders and file.abs_src_path)
    problems = (paths.check_file(root, path, within=Path(folder)) for path, folder in found)
    return [problem for problem in problems if problem is not None]


def badge_tags(renderer: Renderer) -> frozenset[str]:
    """The tags of the status badges ``[[claim:…]]`` references add to hand-written pages (our own raw HTML)."""
    scale = renderer.dataset.scale
    badges = [str(renderer.badge(status.id)) for status in (scale.statuses if scale else ())] + [str(STALE_BADGE)]
    return frozenset({"</span>", *(badge[: badge.index(">") + 1] for badge in badges)})


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]*>")


def _shortened(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
