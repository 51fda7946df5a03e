"""Links in a generated page's HTML, rewritten for Zensical, which reads every relative ``href`` and
``src`` in raw HTML as relative to the page's *source file* (``claims/x.md``), not its URL
(``claims/x/``): :func:`rebase` writes each relative to the source file, to the target page's source
file where there is one (so that Zensical checks the page and anchor exist). ``cite`` is left alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

_ATTRIBUTE = re.compile(r'(?<=\s)(href|src)="([^"]*)"')
_BASE = "https://site.invalid/"


def rebase(html: str, page_url: str, page_src: str, pages: Mapping[str, str]) -> str:
    """``html`` of the page at ``page_url`` (source file ``page_src``) with every relative ``href`` and
    ``src`` written relative to the source file; ``pages`` maps each page's URL to its source file."""
    folder = posixpath.dirname(page_src) or "."

    def rewrite(match: re.Match[str]) -> str:
        link = match.group(2)
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith(("/", "#", "?")):  # not relative to the page
            return match.group(0)
        target = urlsplit(urljoin(_BASE + page_url, parts.path)).path.removeprefix("/")  # site-relative
        source = pages.get(target)
        rebased = posixpath.relpath(source if source is not None else target or ".", folder)
        if source is None and (target == "" or target.endswith("/")):
            rebased += "/"
        query = f"?{parts.query}" if parts.query else ""
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return f'{match.group(1)}="{rebased}{query}{fragment}"'

    return _ATTRIBUTE.sub(rewrite, html)
