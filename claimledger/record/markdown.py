"""Contributor markdown: parsing, checking and rendering with markdown-it-py.

Markdown fields (notes, rationales, rebuttal summaries) may cite a claim,
source or party inline with ``[[claim:ID]]``, ``[[source:ID]]`` or
``[[party:ID]]``, optionally with a label: ``[[claim:ID|the 42 % figure]]``.
Raw HTML, images and links other than http(s), mailto and relative ones are
refused by the checks and never rendered.
"""

from __future__ import annotations

import functools
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

_KIND_NAMES = "|".join(KINDS)  # claim|source|party
REFERENCE = re.compile(rf"\[\[({_KIND_NAMES}):([a-z0-9][a-z0-9-]{{0,79}})(?:\|([^\]\n]{{1,200}}))?\]\]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


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
    cleaned = url if plain else "".join(ch for ch in url if ch > " " and ch != "\x7f")
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def _reference_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = REFERENCE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("claimledger_ref", "", 0)
        token.meta = {"kind": match.group(1), "id": match.group(2), "label": match.group(3)}
    state.pos = match.end()
    return True


def _parser(*, permissive: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": permissive, "linkify": False, "typographer": False})
    md.inline.ruler.before("link", "claimledger_ref", _reference_rule)
    if permissive:
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    else:
        md.validateLink = link_is_safe  # type: ignore[method-assign]
        md.disable("image")
    return md


@functools.cache
def _checker() -> MarkdownIt:
    """The parser for checks: it lets raw HTML and images through, so that they can be reported."""
    return _parser(permissive=True)


def parse(text: str) -> list[Token]:
    """``text`` parsed as the checks parse it: raw HTML, images and every link kept, to be reported."""
    return _checker().parse(text)


@functools.cache
def _renderer() -> MarkdownIt:
    """The parser for the site: no raw HTML, no images, safe links only, references resolved."""
    md = _parser(permissive=False)
    md.add_render_rule("claimledger_ref", _render_reference)
    return md


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


def _needs_parser(text: str) -> bool:
    """Whether :data:`_NEEDS_PARSER` is in ``text``. Testing for its substrings one by one is many times
    faster than the search; most texts hold none."""
    return not (
        "<" not in text
        and "`" not in text
        and "\\" not in text
        and "\r" not in text
        and "\t" not in text
        and "~~~" not in text
        and "![" not in text
        and "]:" not in text
        and "    " not in text
    )


def _may_be_in_a_link_target(text: str) -> bool:
    """Whether a ``[[`` comes after a ``](``: then it may be part of a link's address or title, where it
    is no reference (``[see](https://e.org/[[claim:a-1]])``)."""
    start = text.find("](")
    return start != -1 and text.rfind("[[") > start


_INLINE_LINK = re.compile(r"(?=\]\(\s*<?([^\s)>]*))")  # a lookahead: every "](" counts, even inside another
# Text without these renders as one plain paragraph: nothing for markdown to do.
_SPECIAL = re.compile(r"[\\`*_\[\]<>&!|~\n\r\t]|^\s|\s$|^\d+[.)]|^[-+#>=]")


def references(text: str) -> list[Reference]:
    """Every ``[[kind:id]]`` in ``text`` (outside code), with its line."""
    if "[[" not in text:
        return []
    if not _needs_parser(text) and not _may_be_in_a_link_target(text):
        return [
            Reference(m.group(1), m.group(2), m.group(3), text.count("\n", 0, m.start()))
            for m in REFERENCE.finditer(text)
        ]
    return [
        Reference(t.meta["kind"], t.meta["id"], t.meta["label"], line)
        for t, line in _walk(_checker().parse(text))
        if t.type == "claimledger_ref"
    ]


def problems(text: str) -> list[MarkupProblem]:
    """Raw HTML, images and unsafe links in contributor markdown."""
    if "<" not in text and "[" not in text:  # HTML needs <; links and images need [
        return []
    if not _needs_parser(text):
        return [
            problem
            for m in _INLINE_LINK.finditer(text)
            if (problem := link_problem(m.group(1), text.count("\n", 0, m.start()))) is not None
        ]
    found: list[MarkupProblem] = []
    for token, line in _walk(_checker().parse(text)):
        if token.type in ("html_block", "html_inline"):
            found.append(
                MarkupProblem(
                    "markdown-html",
                    "raw HTML is not allowed in claim fields",
                    "write plain Markdown; HTML such as <script> or <iframe> is refused",
                    line,
                )
            )
        elif token.type == "image":
            found.append(
                MarkupProblem(
                    "markdown-image",
                    "images are not allowed in claim fields",
                    "link to the image instead: [description](https://…)",
                    line,
                )
            )
        elif token.type == "link_open" and (problem := link_problem(str(token.attrGet("href") or ""), line)):
            found.append(problem)
    return found


def link_problem(href: str, line: int) -> MarkupProblem | None:
    """What is wrong with a link to ``href``: a scheme that is not allowed, or an address that hides
    its host (:func:`claimledger.record.addresses.host_problem`); None if nothing is."""
    if not link_is_safe(href):
        return MarkupProblem(
            "markdown-link",
            f"link {href[:60]!r} uses a scheme that is not allowed",
            "use an http:// or https:// address, or a relative link",
            line,
        )
    hidden = host_problem(href)
    if hidden is not None:
        return MarkupProblem(
            "url-host",
            f"link {href[:60]!r} is not a plain address: {hidden}",
            "link to the address as the browser's address bar shows it, host first; never with a user name or password",
            line,
        )
    return None


def _escape(text: str) -> str:
    """markdown-it's escaping of text: ``&``, ``<``, ``>`` and ``"``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


Resolve = Callable[[str, str, "str | None"], str]


def _render_reference(self: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    meta: dict[str, Any] = tokens[index].meta
    resolve: Resolve = env["resolve"]
    return resolve(meta["kind"], meta["id"], meta["label"])


# A link markdown-it would render as it stands: plain words, and an address with nothing to encode.
_SIMPLE_LINK = re.compile(r"\[([A-Za-z0-9 ,.;:'()-]+)\]\(((?:https?://)?(?:[A-Za-z0-9._~/?#=+-]|%[0-9A-F]{2})+)\)")


def _plain_with_references(text: str, resolve: Resolve) -> str | None:
    """Text that is plain apart from ``[[kind:id]]`` references and simple links, rendered without
    parsing; None for anything else."""
    if not text:
        return None
    simple = _QUICK_PIECE.sub("x", text)  # the pieces the loop below renders, in the same places
    if _SPECIAL.search(simple) is not None:
        return None
    pieces: list[str] = []
    last = 0
    for match in _QUICK_PIECE.finditer(text):
        pieces.append(_escape(text[last : match.start()]))
        if match.group("kind"):
            pieces.append(resolve(match.group("kind"), match.group("id"), match.group("label")))
        else:
            href, words = match.group("href"), match.group("words")
            pieces.append(
                f'<a href="{_escape(href)}">{_escape(words)}</a>' if link_is_safe(href) else _escape(match.group(0))
            )
        last = match.end()
    pieces.append(_escape(text[last:]))
    return "".join(pieces)


_QUICK_PIECE = re.compile(
    REFERENCE.pattern.replace(f"({_KIND_NAMES})", f"(?P<kind>{_KIND_NAMES})")
    .replace(":([a-z0-9][a-z0-9-]{0,79})", ":(?P<id>[a-z0-9][a-z0-9-]{0,79})")
    .replace("(?:\\|([^\\]\\n]{1,200}))?", "(?:\\|(?P<label>[^\\]\\n]{1,200}))?")
    + "|"
    + _SIMPLE_LINK.pattern.replace("\\[([A-Za-z", "\\[(?P<words>[A-Za-z").replace(
        "\\(((?:https", "\\((?P<href>(?:https"
    )
)


def render(text: str, resolve: Resolve) -> str:
    """Safe HTML for contributor markdown; ``resolve(kind, id, label)`` returns the HTML of a reference."""
    quick = _plain_with_references(text, resolve)
    if quick is not None:  # the paragraph markdown-it would make, without parsing
        return f"<p>{quick}</p>\n"
    return str(_renderer().render(text, {"resolve": resolve}))


def render_inline(text: str, resolve: Resolve) -> str:
    """Like :func:`render` without the wrapping paragraph, for one-line fields."""
    quick = _plain_with_references(text, resolve)
    if quick is not None:
        return quick
    return str(_renderer().renderInline(text, {"resolve": resolve}))
