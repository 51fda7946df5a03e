"""What the site's configuration (``mkdocs.yml``) and the files under ``docs/`` may do: they are code.

MkDocs runs what its configuration asks (tags, hooks, plugins, markdown extensions, theme templates)
and publishes docs/ as it is. So the raw file is read here as YAML nodes, which run nothing, before
any engine loads it, and :func:`check_site` reports, with file, line and field, each rule of
docs/reference.md ("What mkdocs.yml and docs/ may do"). The maintainer may allow each by name in the
claimledger plugin's ``allow`` option (:class:`Allowed`); nothing allows a file outside the repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..findings import Finding, error
from ..record import paths
from ..record.layout import Layout
from ..record.yamlsafe import YamlProblem, decode
from ..settings import VARIABLES
from .markup import image_is_local
from .siteconfig import CORE_TAGS, PLUGIN, mapping_entry, named_entries, plain_text, plugin_option, settings_of

OPTION = "allow"
MAX_CONFIG_SIZE = 1024 * 1024  # bytes: a larger mkdocs.yml is not read

# The variables an ``!ENV`` tag may read: any other could be a secret of the build.
DOCUMENTED_ENV = frozenset({"CLAIMLEDGER_SITE_URL", "CLAIMLEDGER_REPO_URL", *VARIABLES})
KNOWN_PLUGINS = frozenset({"search", "material/search", PLUGIN})
# Markdown extensions that run no code of the site's and read no file: Python-Markdown's, and pymdownx's.
_INERT_MARKDOWN = (
    "abbr admonition attr_list codehilite def_list extra fenced_code footnotes legacy_attrs legacy_em md_in_html meta "
    "nl2br sane_lists smarty tables toc wikilinks"
)
_INERT_PYMDOWNX = (
    "arithmatex betterem blocks.admonition blocks.caption blocks.definition blocks.details blocks.tab caret critic "
    "details emoji escapeall extra fancylists highlight inlinehilite keys magiclink mark progressbar saneheaders "
    "smartsymbols striphtml superfences tabbed tasklist tilde"
)
KNOWN_EXTENSIONS = frozenset(
    [f"markdown.extensions.{name}" for name in _INERT_MARKDOWN.split()]
    + [f"pymdownx.{name}" for name in _INERT_PYMDOWNX.split()]
)
# Markdown extensions that read files from ``base_path``: known only while every base path lies
# inside docs/, and nothing outside it is let in (``restrict_base_path``) or fetched (``url_download``).
FILE_READING_EXTENSIONS = frozenset({"pymdownx.snippets", "pymdownx.b64"})
# A theme folder's Jinja templates are code, allowed with the folder; its other files are published.
TEMPLATE_SUFFIX = ".html"
# What docs/ may hold besides markdown: files a browser never runs (raster images, fonts, plain CSS).
RASTER_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".bmp")
FONT_FILES = (".woff", ".woff2", ".ttf", ".otf", ".eot")
INERT_SUFFIXES = frozenset({".md", ".css", *RASTER_IMAGES, *FONT_FILES})
# What ``allow: remote`` names, besides addresses: Material's settings that load from another host.
ANALYTICS = "extra.analytics"  # Google's gtag.js, on every page
FONTS = "theme.font"  # Google Fonts, on every page unless `font: false`
MERMAID = "mermaid"  # Mermaid from unpkg.com, on every page with a diagram (a SuperFences fence of that class)

_PYTHON_NAME = "tag:yaml.org,2002:python/name:"
_PYTHON = "tag:yaml.org,2002:python/"
_MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"
_ENV = "!ENV"
_RELATIVE = "!relative"


@dataclass(frozen=True)
class Allowed:
    """What the maintainer allows, each by name, under the claimledger plugin's ``allow`` option."""

    hooks: frozenset[str] = field(default_factory=frozenset)  # files the `hooks:` setting names
    plugins: frozenset[str] = field(default_factory=frozenset)  # besides search and claimledger
    markdown_extensions: frozenset[str] = field(default_factory=frozenset)  # besides the known, inert ones
    inherit: frozenset[str] = field(default_factory=frozenset)  # the file INHERIT names
    env: frozenset[str] = field(default_factory=frozenset)  # variables !ENV may read besides the documented
    python_names: frozenset[str] = field(default_factory=frozenset)  # !!python/name: tags
    remote: frozenset[str] = field(default_factory=frozenset)  # addresses, ANALYTICS, FONTS, MERMAID
    docs: frozenset[str] = field(default_factory=frozenset)  # published files neither markdown nor inert
    custom_dir: frozenset[str] = field(default_factory=frozenset)  # the theme folder


ALLOW_KEYS = tuple(f.name for f in fields(Allowed))


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _plain(node: Node) -> bool:
    """Whether a node has no tag but YAML's own (``!ENV``, ``!relative`` and the rest give a value this
    check cannot see, or would see differently from the engine)."""
    return str(node.tag) in CORE_TAGS


def _strings(node: SequenceNode) -> list[tuple[str, Node]]:
    """The plain texts of a list, each with its node."""
    return [(text, item) for item in node.value if (text := plain_text(item)) is not None]


def _items(node: Node, where: str) -> list[tuple[str, Node]]:
    """The items of a list, each with its field; a single value as a list of one."""
    if isinstance(node, SequenceNode):
        return [(f"{where}[{index}]", item) for index, item in enumerate(node.value)]
    return [(where, node)]


class _Site:
    """One check of a site's configuration and docs folder."""

    def __init__(self, root: Path, config_file: Path) -> None:
        self.root = root
        self.layout = Layout(root)
        self.config_file = config_file
        self.allowed = Allowed()
        self.findings: list[Finding] = []
        self.read: set[str] = set()
        self.rel = ""  # the configuration file being read
        self.docs_folder: Path | None = root / paths.DOCS_DIR  # `docs_dir` once read; None if refused

    def error(self, where: Node | tuple[int, int] | None, rule: str, field: str, message: str, hint: str) -> None:
        """A finding on the configuration file being read, at a node or a (line, column)."""
        position = _position(where) if isinstance(where, Node) else where or (1, 1)
        self.findings.append(error(self.rel, position, rule, field, message, hint))

    def allow_hint(self, key: str, name: str = "it") -> str:
        allow = f"the claimledger plugin's `allow: {{{key}: […]}}`"
        return f"if the maintainer means it, name {name} under {allow} in {self.layout.relative(self.config_file)}"

    def refuse(
        self, node: Node, where: str, message: str, key: str, name: str = "it", rule: str = "config-code"
    ) -> None:
        """What runs code or loads from elsewhere: to be removed, or allowed under ``allow: {key: […]}``."""
        self.error(node, rule, where, message, f"remove it; {self.allow_hint(key, name)}")

    def python_name(self, tag: str) -> bool:
        return tag.startswith(_PYTHON_NAME) and tag.removeprefix(_PYTHON_NAME) in self.allowed.python_names

    # -- values the policy reads ---------------------------------------------------

    def plain(self, node: Node, where: str, rule: str, what: str) -> bool:
        """Whether a value the policy reads is written plainly; reported if not. ``!ENV`` is refused
        whatever it reads: its value comes from the build's environment, unseen here."""
        if _plain(node):
            return True
        tag = str(node.tag)
        hint = f"write {what} itself"
        if tag == _ENV:
            message = (
                f"{what} is given by !ENV: its value comes from the build's environment, which this check cannot "
                "see, and where the variable is unset (as in a pull request's build) its default is used unchecked"
            )
            hint += "; !ENV may give only values this check does not read (site_url, site_name, …)"
        elif tag == _RELATIVE:
            message = f"{what} is given by !relative, which names a folder; this check cannot tell what it becomes"
        elif self.python_name(tag):
            message = f"{what} is given by a !!python/name: tag: a Python object, not a value this check can read"
        else:  # any other tag is reported by the walk of the tags
            return False
        self.error(node, rule, where, message, hint)
        return False

    def entry(self, node: Node | None, key: str, where: str, rule: str, what: str) -> tuple[Node, Node] | None:
        """The entry ``key`` of a mapping, if there and written plainly (reported if not)."""
        found = mapping_entry(node, key)
        return found if found is not None and self.plain(found[1], where, rule, what) else None

    def path(self, node: Node, where: str, what: str) -> str | None:
        """The path a setting names, relative to the configuration's folder (or absolute); a
        ``!relative`` value resolved as MkDocs resolves it. None for no value, or one this check
        cannot tell (reported)."""
        if node.tag == _RELATIVE and isinstance(node, ScalarNode):
            target = self.relative(str(node.value or ""))
            if target is None:
                message = f"{what} is given by `!relative {node.value}`, which names no folder this check can tell"
                hint = "write the path itself, relative to mkdocs.yml (or `!relative $config_dir/…`)"
                self.error(node, "config-files", where, message, hint)
                return None
            return os.path.relpath(target, self.config_file.parent)
        if not self.plain(node, where, "config-files", what) or node.tag == _NULL:
            return None
        return plain_text(node)

    def relative(self, value: str) -> Path | None:
        """The folder ``!relative value`` names, as MkDocs resolves it: ``$config_dir/…``, ``$docs_dir/…``,
        or a bare ``!relative`` (the page's folder, in the docs folder); None for anything else."""
        prefix, _, suffix = value.partition("/")
        if prefix == "$config_dir":
            base = self.config_file.parent
        elif (prefix == "$docs_dir" or value == "") and self.docs_folder is not None:
            base = self.docs_folder
        else:
            return None
        return Path(os.path.normpath(base / suffix))  # an absolute suffix replaces the base, as in MkDocs

    def inside(self, node: Node, where: str, target: Path, what: str) -> bool:
        """Whether ``target`` lies inside the repository, reached through no link; reported if not."""
        absolute = _absolute(target)
        real = absolute.resolve()
        if not absolute.is_relative_to(self.root) or not real.is_relative_to(self.root):
            message = f"{what} {paths.shown(str(target))} is outside the repository; nothing there is read"
        elif real != absolute:
            message = f"{what} {paths.shown(str(target))} is reached through a link; it is not read"
        else:
            return True
        self.error(node, "config-files", where, message, "put it in the repository itself, linked by nothing")
        return False

    # -- reading -----------------------------------------------------------------

    def compose(self, path: Path) -> Node | None:
        """The file's nodes, composed without running anything; None if it cannot be read (reported)."""
        self.rel = self.layout.relative(path)
        problem = paths.check(self.root, path)
        if problem is not None:
            self.findings.append(problem)
            return None
        try:
            if path.stat().st_size > MAX_CONFIG_SIZE:
                self.error(None, "file-size", "", "the site's configuration is larger than 1 MiB", "shorten it")
                return None
            return yaml.compose(decode(path.read_bytes()), Loader=yaml.SafeLoader)
        except YamlProblem as exc:
            self.error(exc.position, exc.rule, exc.field, exc.message, exc.hint)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            position = (mark.line + 1, mark.column + 1) if mark else None
            message = f"the site's configuration is not valid YAML: {exc.problem or exc.context}"
            self.error(position, "yaml-syntax", "", message, "correct the YAML at this place")
        except (yaml.YAMLError, RecursionError):
            self.error(None, "yaml-syntax", "", "the site's configuration is not valid YAML", "correct it")
        except OSError as exc:
            self.error(None, "unreadable", "", f"cannot read the site's configuration: {exc.strerror}", "")
        return None

    def check_file(self, path: Path, *, top: bool) -> None:
        """One configuration file, then (if allowed) the one it inherits; its findings are on :attr:`rel`."""
        self.read.add(str(path.resolve()))
        node = self.compose(path)
        if top:
            self.allowed = self.read_allowed(node)
        self.tags(node, "", set())
        if not isinstance(node, MappingNode):
            return
        if top:
            self.docs_dir(node)
        for check in (self.hooks, self.plugins, self.extensions, self.theme, self.remote):
            check(node)
        self.inherit(path, node)

    def read_allowed(self, node: Node | None) -> Allowed:
        found = plugin_option(node, OPTION)
        if found is None:
            return Allowed()
        key_node, value = found
        where = f"plugins.{PLUGIN}.{OPTION}"
        hint = f"write `{OPTION}:` as a mapping of {', '.join(ALLOW_KEYS)}, each to a list of names"
        if not isinstance(value, MappingNode):
            self.error(key_node, "config-allow", where, f"`{OPTION}` is not a mapping of lists", hint)
            return Allowed()
        lists: dict[str, frozenset[str]] = {}
        for key, key_node, names in settings_of(value):
            if key not in ALLOW_KEYS:
                self.error(key_node, "config-allow", f"{where}.{key}", f"`{key}` is nothing `allow` knows", hint)
            elif not isinstance(names, SequenceNode) or len(_strings(names)) != len(names.value):
                self.error(key_node, "config-allow", f"{where}.{key}", f"`{key}` is not a list of names", hint)
            else:
                lists[key] = frozenset(text for text, _ in _strings(names))
        return Allowed(**lists)

    # -- tags ------------------------------------------------------------------------

    def tags(self, node: Node | None, where: str, seen: set[int]) -> None:
        """Every tag in ``node`` (an alias is walked once)."""
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        tag = str(node.tag)
        if tag == _ENV:
            self.env(node, where)
        elif tag.startswith(_PYTHON):
            if not self.python_name(tag):
                self.error(
                    node,
                    "config-tag",
                    where,
                    f"the tag {tag.replace('tag:yaml.org,2002:', '!!')} makes MkDocs run Python while it reads the "
                    "file",
                    "remove it: the site's configuration runs no code"
                    + (f"; {self.allow_hint('python_names')}" if tag.startswith(_PYTHON_NAME) else ""),
                )
        elif tag == _MERGE:
            self.error(node, "config-tag", where, "a merge key (`<<`) is not read", "write the settings out in full")
        elif tag not in CORE_TAGS and tag != _RELATIVE:
            self.error(node, "config-tag", where, f"the tag {tag} is unknown", "remove it: write the value out in full")
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.tags(item, f"{where}[{index}]", seen)
        if not isinstance(node, MappingNode):
            return
        keys: set[str] = set()
        for key_node, value in node.value:
            self.tags(key_node, where, seen)
            key = plain_text(key_node) or "?"
            field = f"{where}.{key}" if where else key
            if key == "?" and key_node.tag != _MERGE:
                message = (
                    "a setting's name is given by a tag or is not text: this check cannot tell which setting "
                    "it is (an engine may read `!ENV [VARIABLE, hooks]` as `hooks`)"
                )
                self.error(key_node, "config-tag", field, message, "write the setting's name itself")
            if key in keys and key_node.tag != _MERGE:
                message = f"`{key}` is given twice: MkDocs would keep only the last"
                self.error(key_node, "yaml-duplicate-key", field, message, "keep one")
            keys.add(key)
            self.tags(value, field, seen)

    def env(self, node: Node, where: str) -> None:
        """``!ENV NAME`` or ``!ENV [NAME, …, default]``: every name documented or allowed."""
        items = [node]
        if isinstance(node, SequenceNode):
            items = node.value[:-1] if len(node.value) > 1 else node.value
        for item in items:
            name = str(item.value) if isinstance(item, ScalarNode) else ""
            if name not in DOCUMENTED_ENV | self.allowed.env:
                self.error(
                    item,
                    "config-tag",
                    where,
                    f"!ENV reads the variable {paths.shown(name) or '(none)'}, which the project does not document: "
                    "its value (a secret of the build, say) would be put on the site",
                    f"read only {', '.join(sorted(DOCUMENTED_ENV))}, or {self.allow_hint('env')}",
                )

    # -- code --------------------------------------------------------------------------

    def hooks(self, node: Node) -> None:
        found = self.entry(node, "hooks", "hooks", "config-code", "the list of hooks")
        if found is None:
            return
        if not isinstance(found[1], SequenceNode):
            self.error(found[0], "config-code", "hooks", "`hooks` is not a list of files", "remove it")
            return
        for where, item in _items(found[1], "hooks"):
            name = self.path(item, where, "a hook")
            if name is None:
                continue
            if name in self.allowed.hooks:
                self.inside(item, where, self.config_file.parent / name, "the hook")
                continue
            self.refuse(
                item,
                where,
                f"the hook {paths.shown(name)} is Python that MkDocs runs while it builds the site",
                "hooks",
            )

    def named(self, node: Node, setting: str, what: str) -> Node | None:
        """The value of ``plugins`` or ``markdown_extensions``, if written plainly, each name plainly
        too (a name given by a tag is reported: the check could not tell what runs)."""
        found = self.entry(node, setting, setting, "config-code", f"the list of {what}")
        if found is not None and isinstance(found[1], SequenceNode):
            for where, item in _items(found[1], setting):
                self.plain(item, where, "config-code", f"one of the {what}")
        return found[1] if found else None

    def plugins(self, node: Node) -> None:
        for name, item, _, index in named_entries(self.named(node, "plugins", "plugins")):
            if name not in KNOWN_PLUGINS and name not in self.allowed.plugins:
                message = (
                    f"the plugin {paths.shown(name)} is not one claimledger knows: it runs code while the site is "
                    "built, and may read or publish any file"
                )
                self.refuse(item, f"plugins{index}", message, "plugins")

    def extensions(self, node: Node) -> None:
        found = self.named(node, "markdown_extensions", "markdown extensions")
        for name, item, options, index in named_entries(found):
            where = f"markdown_extensions{index}"
            full = name if "." in name else f"markdown.extensions.{name}"
            if options is not None and not self.plain(options, f"{where}.{name}", "config-files", "its options"):
                continue
            if full in FILE_READING_EXTENSIONS:
                self.reads_docs_only(item, f"{where}.{name}", name, options)
            elif full == "pymdownx.superfences":
                self.fences(f"{where}.{name}.custom_fences", options)
            elif full not in KNOWN_EXTENSIONS and name not in self.allowed.markdown_extensions:
                message = (
                    f"the markdown extension {paths.shown(name)} is not one claimledger knows: it runs code while "
                    "the pages are rendered, and may read files"
                )
                self.refuse(item, where, message, "markdown_extensions")

    def reads_docs_only(self, item: Node, where: str, name: str, options: Node | None) -> None:
        """A file-reading extension: every base path inside docs/, nothing let in from elsewhere."""
        hint = f"give {name} `base_path: [docs/…]` (a folder under docs/) and leave restrict_base_path on"
        for option, refused in (("restrict_base_path", "false"), ("url_download", "true")):
            found = self.entry(options, option, f"{where}.{option}", "config-files", f"`{option}`")
            if found is not None and (plain_text(found[1]) or "").lower() == refused:
                message = f"{name} with `{option}: {refused}` reads files from outside docs/ (or from the network)"
                self.error(found[0], "config-files", f"{where}.{option}", message, hint)
        found = mapping_entry(options, "base_path")
        if found is None:
            bases: list[tuple[str | None, Node]] = [(".", item)]
        else:
            listed = list(found[1].value) if isinstance(found[1], SequenceNode) and _plain(found[1]) else [found[1]]
            bases = [(self.base_path(base, f"{where}.base_path"), base) for base in listed]
        docs = self.root / paths.DOCS_DIR
        for base, node in bases:
            if base is None:
                continue  # reported
            target = Path(os.path.normpath(self.root / base))
            through_link = target.exists() and target.resolve() != target
            if not target.is_relative_to(docs) or through_link:
                written = plain_text(node) or f"{node.tag} {getattr(node, 'value', '')}"
                self.error(
                    node,
                    "config-files",
                    f"{where}.base_path",
                    f"{name} reads files from {paths.shown(written)}, outside docs/: any file there (or, by a "
                    "link, anywhere) could be put into a page",
                    hint,
                )

    def base_path(self, node: Node, field: str) -> str | None:
        """A base path from the repository's root; None if it cannot be told (reported)."""
        if node.tag == _NULL:
            return "."
        text = self.path(node, field, "a base path")
        return None if text is None else os.path.relpath(_absolute(self.config_file.parent / text), self.root)

    def theme(self, node: Node) -> None:
        theme = self.entry(node, "theme", "theme", "config-code", "the theme")
        custom = mapping_entry(theme[1] if theme else None, "custom_dir")
        name = None if custom is None else self.path(custom[1], "theme.custom_dir", "the theme folder")
        if custom is None or name is None:
            return
        folder = self.config_file.parent / name
        if not self.inside(custom[1], "theme.custom_dir", folder, "the theme folder"):
            return
        if os.path.normpath(name) not in {os.path.normpath(allowed) for allowed in self.allowed.custom_dir}:
            message = (
                f"the theme folder {paths.shown(name)} is code: its Jinja templates run Python while the site is "
                "built (MkDocs does not sandbox them), and its other files are published on the site's own address"
            )
            self.refuse(custom[1], "theme.custom_dir", message, "custom_dir", name)
        if folder.is_dir():
            self.published(folder, f"{self.layout.relative(folder)}/", templates=True)

    # -- other hosts -----------------------------------------------------------------

    def remote(self, node: Node) -> None:
        """Scripts, styles and images from another host that a setting puts on every page."""
        extra = mapping_entry(node, "extra")
        theme = mapping_entry(node, "theme")
        settings = {
            "extra_javascript": mapping_entry(node, "extra_javascript"),
            "extra_css": mapping_entry(node, "extra_css"),
            "extra.polyfills": mapping_entry(extra[1] if extra else None, "polyfills"),
            "theme.logo": mapping_entry(theme[1] if theme else None, "logo"),
            "theme.favicon": mapping_entry(theme[1] if theme else None, "favicon"),
        }
        if extra is not None and not self.plain(extra[1], "extra", "config-remote", "`extra`"):
            extra = None
        for setting, found in settings.items():
            if found is None or not self.plain(found[1], setting, "config-remote", f"`{setting}`"):
                continue
            for where, item in _items(found[1], setting):
                if not self.plain(item, where, "config-remote", "an address"):
                    continue
                path = self.entry(item, "path", f"{where}.path", "config-remote", "an address")
                address = plain_text(item) or plain_text(path[1] if path else None)
                if address is None or image_is_local(address) or address in self.allowed.remote:
                    continue
                message = (
                    f"{paths.shown(address)} comes from another host: it would run on (or style, or show on) every "
                    "page, as the host pleases, and tell it who reads the site"
                )
                hint = f"keep a copy under docs/ and name that; {self.allow_hint('remote')}"
                self.error(item, "config-remote", where, message, hint)
        self.third_parties(extra[1] if extra else None, theme[1] if theme else None)

    def third_parties(self, extra: Node | None, theme: Node | None) -> None:
        """Material's ``extra.analytics`` (Google's script), and Google Fonts unless ``theme.font: false``."""
        analytics = mapping_entry(extra, "analytics")
        if analytics is not None and _enabled(analytics[1]) and ANALYTICS not in self.allowed.remote:
            provider = mapping_entry(analytics[1], "provider")
            named = plain_text(provider[1]) if provider else None
            message = (
                f"Material's analytics ({paths.shown(named or 'a provider')}) loads a script from another host on "
                "every page (Google's gtag.js): it runs on the site's own address, as the host pleases, and tells "
                "the host who reads what"
            )
            self.refuse(analytics[0], ANALYTICS, message, "remote", ANALYTICS, rule="config-remote")
        named_theme = mapping_entry(theme, "name")
        if named_theme is not None and not self.plain(named_theme[1], "theme.name", "config-code", "the theme"):
            return
        name = plain_text(named_theme[1] if named_theme else theme)  # `theme: {name: material}` or `theme: material`
        if name != "material" or FONTS in self.allowed.remote:
            return
        font = mapping_entry(theme, "font")
        if font is None or (plain_text(font[1]) or "").lower() != "false":
            self.error(
                font[0] if font else theme,
                "config-remote",
                FONTS,
                "Material loads its fonts from Google Fonts (fonts.googleapis.com) on every page, unless "
                "`font: false`: Google is told who reads the site",
                f"write `font: false` under `theme:` (or keep the font files under docs/ and name them in a "
                f"plain stylesheet); {self.allow_hint('remote', FONTS)}",
            )

    def fences(self, where: str, options: Node | None) -> None:
        """SuperFences' custom fences: one of class ``mermaid`` makes Material load Mermaid from unpkg.com."""
        found = self.entry(options, "custom_fences", where, "config-remote", "`custom_fences`")
        if found is None or not isinstance(found[1], SequenceNode):
            return
        for fence, item in _items(found[1], where):
            if not self.plain(item, fence, "config-remote", "a custom fence"):
                continue
            css = self.entry(item, "class", f"{fence}.class", "config-remote", "its class")
            if css is None or plain_text(css[1]) != MERMAID or MERMAID in self.allowed.remote:
                continue
            self.error(
                css[1],
                "config-remote",
                f"{fence}.class",
                "a fence of class mermaid makes Material load Mermaid from unpkg.com on every page with a diagram: "
                "a script from another host, run as the host pleases, that tells it who reads the site",
                f"remove the fence (draw the diagram as an image under docs/); {self.allow_hint('remote', MERMAID)}",
            )

    def inherit(self, path: Path, node: Node) -> None:
        found = mapping_entry(node, "INHERIT")
        name = None if found is None else self.path(found[1], "INHERIT", "the inherited file")
        if found is None or name is None:
            return
        if name not in self.allowed.inherit:
            message = f"INHERIT takes the settings of {paths.shown(name) or 'another file'}, unchecked by this review"
            hint = f"write the settings here; {self.allow_hint('inherit')}"
            self.error(found[0], "config-inherit", "INHERIT", message, hint)
            return
        parent = path.parent / name
        if self.inside(found[1], "INHERIT", parent, "the inherited file") and str(parent.resolve()) not in self.read:
            self.check_file(parent, top=False)

    # -- docs/ ---------------------------------------------------------------------------

    def docs_dir(self, node: Node) -> None:
        """The docs folder (``docs_dir``, by default docs/), read before what may name it
        (``!relative $docs_dir``); None once refused (reported)."""
        found = mapping_entry(node, "docs_dir")
        if found is None or found[1].tag == _NULL:
            return
        name = self.path(found[1], "docs_dir", "the docs folder")
        folder = None if name is None else _absolute(self.config_file.parent / name)
        inside = folder is not None and self.inside(found[1], "docs_dir", folder, "the docs folder")
        self.docs_folder = folder if inside else None

    def published(self, folder: Path, shown: str = "docs/", *, templates: bool = False) -> None:
        """The files a build publishes from ``folder`` (with ``templates``, the theme folder), as the
        path policy's confined walk lets them be read, and what that walk refuses."""
        listing = paths.walk(self.root, folder, confined=True)
        self.findings.extend(listing.findings)
        for file in listing.files:
            if not (templates and file.lower().endswith(TEMPLATE_SUFFIX)):
                self.findings.extend(docs_file(self.root, Path(file), self.allowed, shown))

    def run(self) -> list[Finding]:
        if self.config_file.exists():
            self.check_file(self.config_file, top=True)
        if self.docs_folder is not None:
            self.published(self.docs_folder)
        return self.findings


def _enabled(node: Node) -> bool:
    """Whether a setting such as ``extra.analytics`` is on: anything but nothing, ``false``, or a
    mapping with no ``provider``."""
    text = plain_text(node)
    if text is not None:
        return text.strip().lower() not in ("", "~", "null", "false")
    if isinstance(node, MappingNode):
        provider = mapping_entry(node, "provider")
        return provider is not None and _enabled(provider[1])
    return True


def _absolute(path: Path) -> Path:
    """``path`` made absolute and normalised, its links not followed."""
    return Path(os.path.normpath(path.absolute()))


def docs_file(root: Path, path: Path, allowed: Allowed, folder: str = "docs/") -> Iterator[Finding]:
    """Why a file of the docs folder (or of the theme folder, ``folder``) may not be published as it
    is: a kind a browser runs, not allowed by name, or a stylesheet that fetches from another host."""
    rel = Layout(root).relative(path)
    if any(part.startswith(".") for part in PurePosixPath(rel).parts) or rel in allowed.docs:
        return  # a hidden file is published by neither MkDocs nor Zensical
    suffix = path.suffix.lower()
    if suffix not in INERT_SUFFIXES:
        yield error(
            rel,
            (1, 1),
            "docs-file",
            "(file name)",
            f"a {suffix or 'suffix-less'} file under {folder} is published as it is on the site's own address; "
            "a browser may run it (HTML, SVG and JavaScript run scripts)",
            f"use markdown, an image (PNG, JPEG, GIF, WebP), a font or plain CSS; or the maintainer names it under "
            f"the claimledger plugin's `allow: {{docs: [{rel}]}}` in mkdocs.yml",
        )
    elif suffix == ".css":
        yield from _stylesheet(rel, path)


_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_CSS_ADDRESS = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))|"([^"]*)"|'([^']*)'|(@import)""", re.I)


def _stylesheet(rel: str, path: Path) -> Iterator[Finding]:
    """A stylesheet that imports another or fetches anything from another host."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return
    text = _CSS_ESCAPE.sub(lambda m: chr(min(int(m[1], 16), 0x10FFFF) or 0xFFFD) if m[1] else m[2], text)
    text = _CSS_COMMENT.sub(" ", text)
    for match in _CSS_ADDRESS.finditer(text):
        address = next((group for group in match.groups() if group is not None), "")
        imports = address.lower() == "@import"
        if imports or not (image_is_local(address) or address.lower().startswith("data:")):
            line = text.count("\n", 0, match.start()) + 1
            said = "imports another stylesheet" if imports else f"fetches {paths.shown(address[:60])} from another host"
            yield error(
                rel,
                (line, 1),
                "docs-file",
                "(file name)",
                f"this stylesheet {said}: it is not plain CSS, and readers' browsers could be sent elsewhere",
                "keep a copy of what it needs under docs/, referred to by a relative url(...), without @import",
            )


def allow_entries(data: bytes) -> list[tuple[str, str, tuple[int, int]]]:
    """Each name the claimledger plugin's ``allow`` option lists in a configuration's text: (the kind,
    the name, where it is written); none if the text cannot be read (the check reports why)."""
    if len(data) > MAX_CONFIG_SIZE:
        return []
    try:
        found = plugin_option(yaml.compose(decode(data), Loader=yaml.SafeLoader), OPTION)
    except (YamlProblem, yaml.YAMLError, RecursionError):
        return []
    return [
        (key, text, _position(item))
        for key, _, names in settings_of(found[1] if found else None)
        if key in ALLOW_KEYS and isinstance(names, SequenceNode)
        for text, item in _strings(names)
    ]


def check_site(root: Path, config_file: Path | None = None) -> list[Finding]:
    """What the site's configuration (by default ``root/mkdocs.yml``) and its docs folder may not do."""
    root = root.resolve()
    # The file's folder as it really is; the file itself may be a link (the path policy reports one out).
    config = root / paths.CONFIG if config_file is None else _absolute(config_file).parent.resolve() / config_file.name
    return _Site(root, config).run()
