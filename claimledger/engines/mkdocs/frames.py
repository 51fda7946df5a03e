"""The parts of the theme's frame that are the same on many pages, rendered once a build.

Material renders its navigation sidebar (and the table of contents beside it) for every page, and
that is the largest part of the frame. For a page outside the navigation (an item page: ``claims/<id>/``)
the sidebars depend only on the page's folder (the navigation's links are relative to it), on what the
page hides, and on its table of contents below its title: every other page of the same folder, hiding the same and with
the same headings, has the same sidebars, byte for byte. ``overrides/main.html`` hands the theme's
``site_nav`` block to :meth:`Frames.site_nav`, which renders it once for each such key and otherwise lets
the theme render it as before (a page in the navigation, a link of the navigation inside the page's
folder, a table of contents it cannot name).

One :class:`Frames` lives as long as one build's template environment: the plugin gives it to the
environment as ``claimledger_frames``; without it the overrides render everything as the theme does.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Hashable, Iterable
from typing import Any

Render = Callable[[], str]


class Frames:
    """What one build has rendered of the frame, by what it depends on."""

    def __init__(self) -> None:
        self._nav: object = None  # the navigation the cached renderings belong to
        self._nav_pages: frozenset[str] = frozenset()  # the source paths of the pages in it
        self._nav_urls: tuple[str, ...] = ()  # every relative address the navigation links to
        self._nav_items: tuple[Any, ...] = ()  # every page, section and link of the navigation
        self._made: dict[Hashable, str] = {}

    def site_nav(self, page: Any, nav: Any, config: Any, render: Render) -> str:
        """The theme's ``site_nav`` block for ``page``: rendered by ``render``, once for all the pages that
        share its key (:meth:`_key`)."""
        try:
            key = self._key(page, nav, config)
        except (AttributeError, TypeError):  # a page or navigation of another shape: rendered as it is
            key = None
        if key is None:
            return render()
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = render()
        return found

    def _key(self, page: Any, nav: Any, config: Any) -> Hashable | None:
        """What the sidebars of ``page`` depend on, or None where that is more than this knows to name."""
        if nav is not self._nav:
            self._learn(nav, config)
        url: str = page.url
        if not url.endswith("/") or page.file.src_uri in self._nav_pages:
            return None
        if any(target.startswith(url) for target in self._nav_urls):  # a link into the page's own folder
            return None
        if any(item.active for item in self._nav_items):  # the navigation shows another page as current
            return None
        meta = page.meta or {}
        hide = meta.get("hide")
        if hide is not None and not (isinstance(hide, (list, tuple)) and all(isinstance(h, str) for h in hide)):
            return None
        toc = _toc_key(_shown(list(page.toc)))
        if toc is None:
            return None
        folder = posixpath.dirname(url.rstrip("/"))
        return (folder, tuple(hide) if hide is not None else None, toc)

    def _learn(self, nav: Any, config: Any) -> None:
        """Start over for another navigation: what it holds, and the addresses it links to."""
        self._nav, self._made = nav, {}
        items = list(_walk(nav.items))
        self._nav_items = tuple(items)
        self._nav_pages = frozenset(page.file.src_uri for page in nav.pages)
        urls = [item.url for item in items if getattr(item, "url", None) is not None]
        homepage = (config.extra or {}).get("homepage")
        targets = [str(url) for url in [*urls, *([homepage] if homepage else [])]]
        # As folders, ".." resolved: "claims/x" is relative to the page claims/x/ as "claims/x/" is.
        self._nav_urls = tuple(posixpath.normpath("/" + target).strip("/") + "/" for target in targets)


def _walk(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        yield item
        yield from _walk(getattr(item, "children", None) or ())


def _shown(toc: list[Any]) -> list[Any]:
    """The headings the theme's table of contents shows: under a first heading of level 1, its children alone."""
    return list(toc[0].children) if toc and toc[0].level == 1 else toc


def _toc_key(toc: Iterable[Any]) -> tuple[Hashable, ...] | None:
    """A table of contents as the sidebar shows it: each heading's title, address, level and children;
    None for one whose headings carry more (Material's ``typeset``)."""
    key: list[Hashable] = []
    for item in toc:
        if hasattr(item, "typeset"):
            return None
        children = _toc_key(item.children)
        if children is None or not isinstance(item.title, str) or not isinstance(item.url, str):
            return None
        key.append((item.title, item.url, item.level, children))
    return tuple(key)
