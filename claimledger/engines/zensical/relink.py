"""Links in a generated page's HTML, rewritten for Zensical, which reads every relative ``href`` and
``src`` in raw HTML as relative to the page's *source file* (``claims/x.md``), not its URL
(``claims/x/``): :func:`rebase` writes each relative to the source file, to the target page's source
file where there is one (so that Zensical checks the page and anchor exist). ``cite`` is left alone.
"""

from __future__ import annotations

import functools
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
    done: dict[str, str] = {}  # a page links to the same page many times over

    def rewrite(match: re.Match[str]) -> str:
        found = done.get(match.group(0))
        if found is None:
            found = done[match.group(0)] = _rewritten(match.group(1), match.group(2), page_url, folder, pages)
        return found

    return _ATTRIBUTE.sub(rewrite, html)


def _rewritten(attribute: str, link: str, page_url: str, folder: str, pages: Mapping[str, str]) -> str:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("/", "#", "?")):  # not relative to the page
        return f'{attribute}="{link}"'
    target = urlsplit(urljoin(_BASE + page_url, parts.path)).path.removeprefix("/")  # site-relative
    source = pages.get(target)
    rebased = _relative(source if source is not None else target or ".", folder)
    if source is None and (target == "" or target.endswith("/")):
        rebased += "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f'{attribute}="{rebased}{query}{fragment}"'


@functools.lru_cache(maxsize=4096)
def _relative(path: str, folder: str) -> str:
    """``path`` relative to ``folder``, both relative to the site: the same whatever the working folder."""
    return posixpath.relpath(path, folder)
