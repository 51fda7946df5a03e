"""The parts of the theme's frame that are the same on many pages, rendered once a build.

Material renders its whole frame for every page: the navigation sidebar (and the table of contents
beside it), the header, the footer, the stylesheets, scripts and settings. For a page outside the
navigation (an item page: ``claims/<id>/``) most of it depends only on the page's folder (its links
are relative to it): every other page of the same folder has the same footer, stylesheets, scripts
and settings, byte for byte; the same sidebars if it hides the same and has the same table of contents
below its title; and the same header but for its title. ``overrides/main.html`` hands those blocks of
the theme to :class:`Frames`, which renders each once for each such key and otherwise lets the theme
render it as before: a page in the navigation, a navigation linking into the page's folder, a page
or table of contents of a shape it does not know, a theme other than Material or a site with templates
of its own (``custom_dir``), which may show anything of a page anywhere.

One :class:`Frames` lives as long as one build's template environment: the plugin gives it to the
environment as ``claimledger_frames``; without it the overrides render everything as the theme does.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

Render = Callable[[], str]


class Frames:
    """What one build has rendered of the frame, by what it depends on."""

    def __init__(self) -> None:
        self._nav: object = None  # the navigation the cached renderings belong to
        self._nav_pages: frozenset[str] = frozenset()  # the source paths of the pages in it
        self._nav_urls: tuple[str, ...] = ()  # every relative address the navigation links to, as a folder
        self._nav_items: tuple[Any, ...] = ()  # every page, section and link of the navigation
        self._made: dict[Hashable, str] = {}
        self._headers: dict[Hashable, _Header] = {}
        self._last: tuple[object, object, str | None] = (None, None, None)  # the last page and nav asked about
        self._off = False  # whether the site's theme is one whose templates this does not know

    def site_nav(self, page: Any, nav: Any, config: Any, render: Render) -> str:
        """The theme's ``site_nav`` block (the sidebars) for ``page``: rendered by ``render`` once for all
        the pages of its folder that hide the same and have the same table of contents below their title."""
        folder = self._folder(page, nav, config)
        key = None if folder is None else _sidebar_key(page)
        return self._once(("site_nav", folder, key), render) if key is not None else render()

    def shared(self, block: str, page: Any, nav: Any, config: Any, render: Render) -> str:
        """A block of the theme whose output depends on nothing of a page outside the navigation but its
        folder (the settings, stylesheets, scripts; the footer of a page without a previous or next one)."""
        folder = self._folder(page, nav, config)
        if folder is None or getattr(page, "previous_page", None) or getattr(page, "next_page", None):
            return render()
        return self._once((block, folder), render)

    @pass_context
    def header(self, context: Context, page: Any, nav: Any, config: Any, render: Render) -> str:
        """The theme's ``header`` block for ``page``: the same for every page of its folder but for the
        page's title, which it shows as text. Rendered for two pages of a folder, then for each other one
        made of the same text around its title, once those two prove it (or for each page, if they do not)."""
        folder = self._folder(page, nav, config)
        title = None if folder is None else _header_title(page)
        if title is None or context.eval_ctx.autoescape:
            return render()
        header = self._headers.setdefault(folder, _Header())
        return header.made(title) or header.learn(title, render())

    def _once(self, key: Hashable, render: Render) -> str:
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = render()
        return found

    def _folder(self, page: Any, nav: Any, config: Any) -> str | None:
        """The folder whose pages share ``page``'s frame, or None where ``page``'s frame is its own, or of
        a shape this does not know."""
        if self._last[0] is not page or self._last[1] is not nav:
            try:
                folder = self._folder_of(page, nav, config)
            except (AttributeError, TypeError):  # a page or navigation of another shape: rendered as it is
                folder = None
            self._last = (page, nav, folder)
        return self._last[2]

    def _folder_of(self, page: Any, nav: Any, config: Any) -> str | None:
        if nav is not self._nav:
            self._learn(nav, config)
        if self._off:
            return None
        url: str = page.url
        if not url.endswith("/") or page.file.src_uri in self._nav_pages:
            return None
        if any(target.startswith(url) for target in self._nav_urls):  # a link into the page's own folder
            return None
        if any(item.active for item in self._nav_items):  # the navigation shows another page as current
            return None
        return posixpath.dirname(url.rstrip("/"))

    def _learn(self, nav: Any, config: Any) -> None:
        """Start over for another navigation: what it holds, and the addresses it links to."""
        self._nav, self._made, self._headers = nav, {}, {}
        # Material's own templates only: a site's own (custom_dir) may show anything of a page anywhere.
        theme = config.theme
        self._off = theme.name != "material" or _has_templates(theme.custom_dir)
        items = list(_walk(nav.items))
        self._nav_items = tuple(items)
        self._nav_pages = frozenset(page.file.src_uri for page in nav.pages)
        urls = [item.url for item in items if getattr(item, "url", None) is not None]
        homepage = (config.extra or {}).get("homepage")
        targets = [str(url) for url in [*urls, *([homepage] if homepage else [])]]
        # As folders, ".." resolved: "claims/x" is relative to the page claims/x/ as "claims/x/" is.
        self._nav_urls = tuple(posixpath.normpath("/" + target).strip("/") + "/" for target in targets)


class _Header:
    """The header of one folder's pages: the text before and after the title, once two pages prove it."""

    def __init__(self) -> None:
        self.first: tuple[str, str] | None = None  # the first page's title and header
        self.around: tuple[str, str] | None = None  # the text before and after the title
        self.proven = False  # whether two pages have been compared (around is None: they disagreed)

    def made(self, title: str) -> str | None:
        if self.around is None:
            return None
        before, after = self.around
        return before + title + after

    def learn(self, title: str, header: str) -> str:
        """``header``, rendered for a page titled ``title``; from the second page on, what the two share."""
        if self.proven or not title:  # an empty title is found anywhere: it proves nothing
            return header
        if self.first is None:
            self.first = (title, header)
            return header
        first_title, first = self.first
        if first_title != title:
            self.around, self.proven = _around(first_title, first, title, header), True
        return header


def _around(first_title: str, first: str, title: str, header: str) -> tuple[str, str] | None:
    """The text before and after the title in both headers, where one such split makes both; else None."""
    start = first.find(first_title)
    while start != -1:
        before, after = first[:start], first[start + len(first_title) :]
        if before + title + after == header:
            return before, after
        start = first.find(first_title, start + 1)
    return None


def _header_title(page: Any) -> str | None:
    """The title the theme's header shows for ``page``, as its template writes it: the title in the page's
    metadata, else the page's."""
    meta = page.meta
    if meta and not isinstance(meta, dict):
        return None
    title = meta.get("title") if meta else None
    return str(title if title else page.title)


def _sidebar_key(page: Any) -> Hashable | None:
    """What the sidebars depend on besides the folder: what the page hides, and its table of contents."""
    hide = (page.meta or {}).get("hide")
    if hide is not None and not (isinstance(hide, (list, tuple)) and all(isinstance(h, str) for h in hide)):
        return None
    toc = _toc_key(_shown(list(page.toc)))
    return None if toc is None else (tuple(hide) if hide is not None else None, toc)


def _has_templates(folder: str | None) -> bool:
    return bool(folder) and any(Path(folder).rglob("*.html"))  # type: ignore[arg-type]


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
