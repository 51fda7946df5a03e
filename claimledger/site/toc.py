"""The table of contents of a generated page, read from its ``<h1>`` and ``<h2>`` with an ``id``, in the
shape of Python-Markdown's ``toc_tokens`` for ``mkdocs.structure.toc.get_toc``. Without one, Material has
no "Skip to content" link and an empty right sidebar.
"""

from __future__ import annotations

import re
from typing import TypedDict


class TocToken(TypedDict):
    level: int
    id: str
    name: str
    children: list[TocToken]


_HEADING = re.compile(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def tokens(html: str) -> list[TocToken]:
    """The page's headings: each ``<h1>`` with the ``<h2>`` after it as its children (titles HTML-escaped)."""
    top: list[TocToken] = []
    for level, anchor, inner in _HEADING.findall(html):
        token: TocToken = {"level": int(level), "id": anchor, "name": _TAG.sub("", inner).strip(), "children": []}
        if level == "2" and top:
            top[-1]["children"].append(token)
        else:
            top.append(token)
    return top


def has_sections(toc: list[TocToken]) -> bool:
    """Whether the sidebar would list anything: Material shows the ``<h1>``'s children, not the ``<h1>``."""
    return any(token["children"] or token["level"] > 1 for token in toc)
