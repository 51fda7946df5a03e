"""Contributor markdown: parsing, checking and rendering with markdown-it-py.

Markdown fields may cite an item inline with ``[[claim:ID]]``, ``[[source:ID]]`` or ``[[party:ID]]``,
optionally with a label: ``[[claim:ID|the 42 % figure]]``. Raw HTML, images and links other than
http(s), mailto and relative ones are refused by the checks and never rendered.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .addresses import host_problem
from .kinds import KINDS

if TYPE_CHECKING:  # markdown-it is imported when a text first needs it: most texts do not
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

_KIND_NAMES = "|".join(KINDS)
REFERENCE = re.compile(
    rf"\[\[(?P<kind>{_KIND_NAMES}):(?P<id>[a-z0-9][a-z0-9-]{{0,79}})(?:\|(?P<label>[^\]\n]{{1,200}}))?\]\]"
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
Resolve = Callable[[str, str, "str | None"], str]


@dataclass(frozen=True)
class Reference:
    kind: str
    id: str
    label: str | None
    line: int  # 0-based line within the markdown text


@dataclass(frozen=True)
class MarkupProblem:
    rule: str
    message: str
    hint: str
    line: int  # 0-based line within the markdown text


def link_is_safe(url: str) -> bool:
    """http(s), mailto, or relative (no scheme); anything else (javascript:, data:, vbscript:, file:) is not."""
    # Browsers drop control characters and spaces in a scheme ("java\tscript:"); most addresses have none.
    plain = url.isprintable() and " " not in url
    match = _SCHEME.match(url if plain else "".join(ch for ch in url if ch > " " and ch != "\x7f"))
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def _reference_rule(state: StateInline, silent: bool) -> bool:
    match = REFERENCE.match(state.src, state.pos) if state.src.startswith("[[", state.pos) else None
    if match is None:
        return False
    if not silent:
        token = state.push("claimledger_ref", "", 0)
        token.meta = match.groupdict()
    state.pos = match.end()
    return True


def _render_reference(self: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    meta: dict[str, Any] = tokens[index].meta
    resolve: Resolve = env["resolve"]
    return resolve(meta["kind"], meta["id"], meta["label"])


@functools.cache
def _parser(permissive: bool) -> MarkdownIt:
    """Permissive: the checks' parser, which keeps raw HTML, images and every link to report them; else the
    site's: no raw HTML, no images, safe links only, references resolved."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": permissive, "linkify": False, "typographer": False})
    md.inline.ruler.before("link", "claimledger_ref", _reference_rule)
    md.validateLink = (lambda url: True) if permissive else link_is_safe  # type: ignore[method-assign]
    if not permissive:
        md.disable("image")
        md.add_render_rule("claimledger_ref", _render_reference)
    return md


def parse(text: str) -> list[Token]:
    """``text`` parsed as the checks parse it: raw HTML, images and every link kept, to be reported."""
    return _parser(True).parse(text)


def _walk(tokens: list[Token], line: int = 0) -> Iterator[tuple[Token, int]]:
    for token in tokens:
        here = token.map[0] if token.map else line
        yield token, here
        if token.children:
            yield from _walk(token.children, here)


# Text without these needs no parser to find its references and links: no raw HTML or autolinks (<),
# no code (`, ~~~, or an indented code block: four columns of indentation, a tab or four spaces, which
# block quotes and list items let begin anywhere on a line, as in ">      code" or "-     code"), no
# escapes (\\), no images, no link definitions (anywhere, even quoted), no carriage returns (line breaks
# to markdown-it, not to the quick path's line count).
_NEEDS_PARSER = re.compile(r"[<`\\\r\t]|~~~|!\[|\]:| {4}")
_NEEDS_PARSER_PIECES = ("<", "`", "\\", "\r", "\t", "~~~", "![", "]:", "    ")


def _needs_parser(text: str) -> bool:
    """Whether :data:`_NEEDS_PARSER` is in ``text``: testing its pieces one by one is several times faster."""
    return any(map(text.__contains__, _NEEDS_PARSER_PIECES))


_INLINE_LINK = re.compile(r"(?=\]\(\s*<?([^\s)>]*))")  # a lookahead: every "](" counts, even inside another
# Text without these renders as one plain paragraph: nothing for markdown to do.
_SPECIAL = re.compile(r"[\\`*_\[\]<>&!|~\n\r\t]|^\s|\s$|^\d+[.)]|^[-+#>=]")
# A reference, or a link markdown-it would render as it stands: plain words, an address with nothing to encode.
_QUICK_PIECE = re.compile(
    rf"{REFERENCE.pattern}|\[(?P<words>[A-Za-z0-9 ,.;:'()-]+)\]"
    r"\((?P<href>(?:https?://)?(?:[A-Za-z0-9._~/?#=+-]|%[0-9A-F]{2})+)\)"
)


def references(text: str) -> list[Reference]:
    """Every ``[[kind:id]]`` in ``text`` (outside code), with its line."""
    if "[[" not in text:
        return []
    # After a "](" a "[[" may be part of a link's address or title, where it is no reference.
    in_link = -1 < text.find("](") < text.rfind("[[")
    if not _needs_parser(text) and not in_link:
        return [
            Reference(m["kind"], m["id"], m["label"], text.count("\n", 0, m.start())) for m in REFERENCE.finditer(text)
        ]
    return [
        Reference(t.meta["kind"], t.meta["id"], t.meta["label"], line)
        for t, line in _walk(parse(text))
        if t.type == "claimledger_ref"
    ]


_HTML = (
    "markdown-html",
    "raw HTML is not allowed in claim fields",
    "write plain Markdown; HTML such as <script> or <iframe> is refused",
)
_IMAGE = (
    "markdown-image",
    "images are not allowed in claim fields",
    "link to the image instead: [description](https://…)",
)
_TOKEN_PROBLEMS = {"html_block": _HTML, "html_inline": _HTML, "image": _IMAGE}


def problems(text: str) -> list[MarkupProblem]:
    """Raw HTML, images and unsafe links in contributor markdown."""
    if "<" not in text and "[" not in text:  # HTML needs <; links and images need [
        return []
    found: list[MarkupProblem | None] = []
    if not _needs_parser(text):
        found = [link_problem(m.group(1), text.count("\n", 0, m.start())) for m in _INLINE_LINK.finditer(text)]
    else:
        for token, line in _walk(parse(text)):
            if token.type in _TOKEN_PROBLEMS:
                found.append(MarkupProblem(*_TOKEN_PROBLEMS[token.type], line))
            elif token.type == "link_open":
                found.append(link_problem(str(token.attrGet("href") or ""), line))
    return [problem for problem in found if problem is not None]


def link_problem(href: str, line: int) -> MarkupProblem | None:
    """What is wrong with a link to ``href``: a scheme that is not allowed, or an address that hides its host
    (:func:`claimledger.record.addresses.host_problem`); None if nothing is."""
    if not link_is_safe(href):
        return MarkupProblem(
            "markdown-link",
            f"link {href[:60]!r} uses a scheme that is not allowed",
            "use an http:// or https:// address, or a relative link",
            line,
        )
    hidden = host_problem(href)
    if hidden is None:
        return None
    return MarkupProblem(
        "url-host",
        f"link {href[:60]!r} is not a plain address: {hidden}",
        "link to the address as the browser's address bar shows it, host first; never with a user name or password",
        line,
    )


def _escape(text: str) -> str:
    """markdown-it's escaping of text: ``&``, ``<``, ``>`` and ``"``."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _plain_with_references(text: str, resolve: Resolve) -> str | None:
    """Text that is plain apart from references and simple links, rendered without parsing; None for anything else."""
    if not text or _SPECIAL.search(_QUICK_PIECE.sub("x", text)) is not None:
        return None
    pieces: list[str] = []
    last = 0
    for match in _QUICK_PIECE.finditer(text):
        pieces.append(_escape(text[last : match.start()]))
        if match["kind"]:
            pieces.append(resolve(match["kind"], match["id"], match["label"]))
        elif link_is_safe(match["href"]):
            pieces.append(f'<a href="{_escape(match["href"])}">{_escape(match["words"])}</a>')
        else:
            pieces.append(_escape(match.group(0)))
        last = match.end()
    pieces.append(_escape(text[last:]))
    return "".join(pieces)


def render(text: str, resolve: Resolve) -> str:
    """Safe HTML for contributor markdown; ``resolve(kind, id, label)`` returns the HTML of a reference."""
    quick = _plain_with_references(text, resolve)  # the paragraph markdown-it would make, without parsing
    return str(_parser(False).render(text, {"resolve": resolve})) if quick is None else f"<p>{quick}</p>\n"


def render_inline(text: str, resolve: Resolve) -> str:
    """Like :func:`render` without the wrapping paragraph, for one-line fields."""
    quick = _plain_with_references(text, resolve)
    return str(_parser(False).renderInline(text, {"resolve": resolve})) if quick is None else quick
