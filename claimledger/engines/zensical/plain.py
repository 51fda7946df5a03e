"""The plain project Zensical builds (it runs no Python plugin, it builds the files it finds):
:func:`write_project` writes ``docs/`` (the site's own pages, their ``[[kind:id]]`` references made
links, and every generated page and file), ``overrides/`` and a ``mkdocs.yml`` inheriting the site's,
each file only if its bytes changed, and removes the files of a previous build it did not write again.
Zensical reads ``docs_dir`` only inside its configuration's folder, so the site's own ``docs/`` is
never the project's, nor written to.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import pathspec  # declared in the zensical extra: reads not_in_nav as MkDocs does
import yaml

from ...exports.formats import whole
from ...findings import format_text
from ...record.kinds import KINDS
from ...site.build import BuildError
from ...site.docrefs import publisher_markdown, replace_references
from ...site.outputs import ASSETS, FileOutput, MarkdownPage, PageOutput, Unpublishable, site_outputs
from ...site.render import Renderer, SiteSettings
from ...site.urls import url_of
from .relink import rebase
from .workspace import ProjectFiles

CONFIG = "mkdocs.yml"
DOCS = "docs"
SITE = "site"
OVERRIDES = "overrides"


@dataclass(frozen=True)
class SiteConfig:
    """What the build reads of the site's configuration (``mkdocs.yml``)."""

    file: Path
    settings: SiteSettings  # with the theme's language and the plugin's options, as the mkdocs engine reads them
    docs_dir: Path  # absolute
    custom_dir: Path | None  # the site's own template overrides, absolute, if any
    not_in_nav: str  # the site's own, "" if none
    use_directory_urls: bool
    history: bool  # the claimledger plugin's option


def read_config(config_file: Path) -> SiteConfig:
    """The site's configuration as Zensical reads it, and the claimledger plugin's options (which
    Zensical leaves out); a BuildError saying what is wrong with it, if anything."""
    from zensical.config import parse_config

    try:
        config = parse_config(str(config_file))
    except OSError as exc:
        raise BuildError(f"{exc}; the previous site is untouched") from None
    except Exception as exc:  # Zensical's ConfigurationError, and YAML's errors
        raise BuildError(f"{config_file.name}: {exc}; the previous site is untouched") from None
    folder = config_file.parent
    custom_dir = config["theme"].get("custom_dir")
    options = _plugin_options(config_file, "claimledger")
    return SiteConfig(
        file=config_file,
        settings=SiteSettings.of_site(
            str(config["site_name"]),
            config["site_url"] or "",
            config["repo_url"] or "",
            edit_branch=str(options.get("edit_branch") or "main"),
            edit_base=str(options.get("edit_base") or ""),
            language=str(config["theme"].get("language") or "en"),
        ),
        docs_dir=(folder / config["docs_dir"]).resolve(),
        custom_dir=(folder / custom_dir).resolve() if custom_dir else None,
        not_in_nav=config.get("not_in_nav") or "",
        use_directory_urls=bool(config["use_directory_urls"]),
        history=bool(options.get("history", True)),
    )


class _Lenient(yaml.SafeLoader):
    """Reads a configuration without the tags only its engine knows (``!ENV``, ``!!python/name:``)."""


_Lenient.add_multi_constructor("", lambda loader, suffix, node: None)


def _plugin_options(config_file: Path, name: str) -> Mapping[str, Any]:
    """The options of the plugin ``name`` in ``config_file`` (or in the file it inherits, as MkDocs
    reads it), {} if it has none."""
    with config_file.open(encoding="utf-8") as stream:
        config = yaml.load(stream, Loader=_Lenient)  # a SafeLoader: builds no objects
    if not isinstance(config, dict):
        return {}
    if "plugins" not in config and isinstance(config.get("INHERIT"), str):
        return _plugin_options(config_file.parent / config["INHERIT"], name)
    plugins = config.get("plugins")
    entries = plugins.items() if isinstance(plugins, dict) else (_entry(p) for p in plugins or ())
    for plugin, options in entries:
        if plugin == name:
            return options if isinstance(options, dict) else {}
    return {}


def _entry(plugin: Any) -> tuple[Any, Any]:
    if isinstance(plugin, dict) and len(plugin) == 1:
        return next(iter(plugin.items()))
    return plugin, None


def write_project(files: ProjectFiles, config: SiteConfig, renderer: Renderer, root: Path) -> list[FileOutput]:
    """Write the plain project of the site ``renderer`` renders with ``files``, for the project at
    ``root``; the files left to write straight into the built site (each claim's ``claim.json``)."""
    publisher = publisher_markdown(renderer.dataset.publisher)
    makers = pathspec.GitIgnoreSpec.from_lines(config.not_in_nav.splitlines())
    written = _copy_docs(config.docs_dir, files, renderer, publisher, makers) if config.docs_dir.is_dir() else set()
    try:
        outputs = list(site_outputs(renderer.dataset, renderer, root=root))
    except Unpublishable as exc:
        raise BuildError(
            f"{exc}; fix them before building:\n{format_text(exc.findings)}\nthe previous site is untouched"
        ) from None
    pages = {url_of(path): path for path in written if path.endswith(".md")}
    for output in outputs:
        if isinstance(output, PageOutput):
            if output.path in written:
                shown = posixpath.join(config.docs_dir.name, output.path)
                raise BuildError(f"{shown} clashes with a generated page; rename it; the previous site is untouched")
            pages[output.spec.url] = output.path
        elif isinstance(output, MarkdownPage) and output.path not in written:
            pages[url_of(output.path)] = output.path
    bulk: list[FileOutput] = []
    for output in outputs:
        if isinstance(output, PageOutput):
            files.write(f"{DOCS}/{output.path}", page_text(output, pages))
        elif isinstance(output, MarkdownPage):
            if output.path not in written:
                text = replace_references(output.text, output.path, renderer.label_for, publisher)
                meta: dict[str, Any] = {"edit_url": output.edit_url}
                if makers.match_file(output.path):
                    meta["search"] = _EXCLUDED
                files.write(f"{DOCS}/{output.path}", _front_matter(meta) + text)
        elif output.bulk:
            bulk.append(output)
        else:
            files.write(f"{DOCS}/{output.path}", whole(output.content()))
    _write_overrides(files, config.custom_dir)
    files.write(CONFIG, configuration(config))
    files.prune(DOCS, OVERRIDES)
    return bulk


_EXCLUDED = {"exclude": True}


def _copy_docs(
    source: Path, files: ProjectFiles, renderer: Renderer, publisher: str, makers: pathspec.GitIgnoreSpec
) -> set[str]:
    """Copy the site's ``docs/`` into the project's, with the ``[[kind:id]]`` references of its pages
    made links, and the pages out of the navigation (``makers``: for makers, not readers) out of
    search, as the mkdocs plugin leaves them; the paths copied, relative to it."""
    copied = set()
    for path in sorted(_files(source)):
        relative = path.relative_to(source).as_posix()
        if path.suffix == ".md":
            markdown = path.read_text(encoding="utf-8")
            if makers.match_file(relative):
                markdown = _out_of_search(markdown)
            files.write(f"{DOCS}/{relative}", replace_references(markdown, relative, renderer.label_for, publisher))
        else:
            files.copy(f"{DOCS}/{relative}", path)
        copied.add(relative)
    return copied


_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)?(?:-{3}|\.{3})[ \t]*(?:\n|\Z)", re.DOTALL)  # as MkDocs reads it


def _out_of_search(markdown: str) -> str:
    """A page with ``search: {exclude: true}`` in its front matter, the rest of it kept (a front matter
    that is not a mapping of YAML is left as it is)."""
    found = _FRONT_MATTER.match(markdown)
    try:
        meta = yaml.safe_load(found[1] or "") or {} if found else {}
    except yaml.YAMLError:
        return markdown
    if not isinstance(meta, dict):
        return markdown
    search = meta.get("search")
    meta["search"] = {**(search if isinstance(search, dict) else {}), **_EXCLUDED}
    return _front_matter(meta) + markdown[found.end() if found else 0 :]


def _files(folder: Path) -> Iterator[Path]:
    """The files under ``folder`` but hidden ones, as MkDocs and Zensical see them, through folders that
    are links too (which Zensical would not follow, and MkDocs does)."""
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        if path.is_dir():
            yield from _files(path)
        elif path.is_file():
            yield path


def page_text(output: PageOutput, pages: Mapping[str, str]) -> str:
    """A generated page's file: its front matter, then its HTML with links as Zensical reads them."""
    meta: dict[str, Any] = {"title": escape(output.browser_title), "description": escape(output.description)}
    meta["edit_url"] = output.edit_url  # none for an index page (not docs/<page>.md, which is not there)
    if output.jsonld is not None and (document := output.jsonld()) is not None:
        meta["claimledger_jsonld"] = document
    return _front_matter(meta) + rebase(output.render(), output.spec.url, output.path, pages)


# LibYAML's emitter where there is one (seven times as quick; the same text for the pages measured, and
# the same values read back in any case); its width must fit a C int.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _front_matter(meta: Mapping[str, Any]) -> str:
    text = yaml.dump(dict(meta), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=2**31 - 1)
    return f"---\n{text}---\n\n"


def _write_overrides(files: ProjectFiles, custom_dir: Path | None) -> None:
    """claimledger's overrides of Material's templates, this engine's, then the site's own (which win,
    as they do under MkDocs)."""
    sources: dict[str, Path] = {}
    with contextlib.ExitStack() as stack:
        for folder in (
            resources.files("claimledger.engines.mkdocs") / "overrides",
            resources.files("claimledger.engines.zensical") / "overrides",
        ):
            sources.update(_tree(stack.enter_context(resources.as_file(folder))))
        if custom_dir is not None:
            sources.update(_tree(custom_dir))
        for relative, source in sources.items():
            files.copy(f"{OVERRIDES}/{relative}", source)


def _tree(folder: Path) -> dict[str, Path]:
    """The files under ``folder`` (through links, as a copy of it reads them), by their path relative to it."""
    return {
        Path(here, name).relative_to(folder).as_posix(): Path(here, name)
        for here, _, names in os.walk(folder, followlinks=True)
        for name in sorted(names)
    }


def configuration(config: SiteConfig) -> str:
    """The staged ``mkdocs.yml``: the site's own, inherited, with this project's folders, the item
    pages out of the navigation, and claimledger's stylesheet and script.

    Lists are not added to the inherited ones (Zensical 0.1 replaces them), so the assets are listed
    under ``extra``, for this engine's ``main.html``."""
    folders = sorted({posixpath.dirname(kind.page_src("x")) for kind in KINDS.values()})
    patterns = [line for folder in folders for line in (f"/{folder}/*.md", f"!/{folder}/index.md")]
    not_in_nav = "\n".join([*config.not_in_nav.splitlines(), *patterns]) + "\n"
    staged = {
        "INHERIT": str(config.file.resolve()),
        "docs_dir": DOCS,
        "site_dir": SITE,
        "not_in_nav": not_in_nav,
        "theme": {"custom_dir": OVERRIDES},
        "extra": {
            "claimledger_stylesheets": [a.path for a in ASSETS if a.role == "stylesheet"],
            "claimledger_scripts": [a.path for a in ASSETS if a.role == "script"],
        },
    }
    return "# Written by claimledger build --engine zensical for this build.\n" + yaml.safe_dump(
        staged, sort_keys=False, width=2**31
    )
