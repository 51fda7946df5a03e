"""``[[kind:id]]`` references in hand-written pages under docs/ as markdown links to the generated pages
(which the engine's link validation checks), with a claim's badge; ``[[publisher]]`` as who publishes
the site. Fenced code blocks and inline code are left alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from html import escape

from ..record.markdown import REFERENCE
from ..record.model import Publisher
from .urls import page_src

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>])")
PUBLISHER = "[[publisher]]"

LabelFor = Callable[[str, str], "tuple[str, str] | None"]
"""(kind, id) → (link text, badge HTML), or None for an unknown id."""


def _markdown_text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(text, quote=False))


def _destination(url: str) -> str:
    """A link destination markdown reads whole, whatever the address holds."""
    return "<" + url.replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E") + ">"


def publisher_markdown(publisher: Publisher | None) -> str:
    """Who publishes the site, as inline markdown (its links checked as any other on the page is)."""
    if publisher is None:
        return "*no publisher is recorded (claims/publisher.yaml)*"
    parts = [f"**{_markdown_text(publisher.name)}**"]
    if publisher.url:
        parts.append(f"[{_markdown_text(publisher.url)}]({_destination(publisher.url)})")
    if publisher.email:
        email = _markdown_text(publisher.email)
        parts.append(f"corrections to [{email}]({_destination('mailto:' + publisher.email)})")
    if publisher.logo:
        parts.append(f"[logo]({_destination(publisher.logo)})")
    return " · ".join(parts)


def replace_references(markdown: str, page_src_uri: str, label_for: LabelFor, publisher: str = "") -> str:
    """The page's markdown with references as links; ``publisher`` is the markdown ``[[publisher]]``
    stands for (:func:`publisher_markdown`), if given."""
    base = posixpath.dirname(page_src_uri)

    def link(match: re.Match[str]) -> str:
        kind, item_id, label = match.group(1), match.group(2), match.group(3)
        found = label_for(kind, item_id)
        if found is None:
            return match.group(0)
        text, badge = found
        target = posixpath.relpath(page_src(kind, item_id), base or ".")
        return f"[{_markdown_text(label or text)}]({target}){(' ' + badge) if badge else ''}"

    def replace(text: str) -> str:
        linked = REFERENCE.sub(link, text)
        return linked.replace(PUBLISHER, publisher) if publisher else linked

    def outside_code(line: str) -> str:
        pieces, last = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces += [replace(line[last : span.start()]), span.group(0)]
            last = span.end()
        return "".join([*pieces, replace(line[last:])])

    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
        elif opener := _FENCE.match(line):
            fence = opener.group(1)[0] * 3
        elif "[[" in line:
            line = outside_code(line)
        out.append(line)
    return "\n".join(out)
