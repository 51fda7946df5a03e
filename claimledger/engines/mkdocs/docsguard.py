"""The docs policy where MkDocs renders the hand-written pages: what the check missed is stopped here.

``claimledger check`` reads the pages with markdown-it (CommonMark); Python-Markdown reads some text
otherwise (a fence indented by a space, attribute lists ``{: onclick=… }``). So, as Python-Markdown
sees the page: raw HTML, on a page not allowed it, is shown as text, and an unsafe link, an image from
elsewhere, an event handler or a style that fetches something is dropped; each a warning naming the
page, to the plugin's logger, so that the strict build fails on it.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as etree
from html import escape

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HtmlStash

from ...checks.markup import image_is_local, unsafe_attribute
from ...checks.siteconfig import DocsPolicy
from ...record.markdown import link_is_safe

# What an attribute may hold: an address a link may go to, an image the site holds itself.
_LINKS = frozenset({"href", "action", "formaction", "cite", "xlink:href"})
_IMAGES = frozenset({"src", "srcset", "poster", "background", "data"})
_PLAIN_STYLE = re.compile(r"[\w\s:;#.%,-]*")  # as the tables extension aligns cells: no url(), no escapes


class DocsGuard(Extension):
    """Registered once for the whole build; :attr:`page` names the page being rendered (None: a
    generated page, left alone), ``harmless`` is raw HTML claimledger itself writes into pages
    (the status badges after ``[[claim:…]]`` references), and ``log`` takes the warnings."""

    def __init__(self, policy: DocsPolicy, harmless: frozenset[str], log: logging.Logger) -> None:
        super().__init__()
        self.policy = policy
        self.harmless = harmless
        self.log = log
        self.page: str | None = None

    def extendMarkdown(self, md: Markdown) -> None:
        page = self.page
        if page is None:
            return
        raw_html = self.policy.allows_raw_html(page)
        if not raw_html:
            if "html_block" in md.preprocessors:
                md.preprocessors.register(_BlockGuard(md, self, page), "html_block", 20)
            if "html" in md.inlinePatterns:
                inline = md.inlinePatterns["html"]
                if isinstance(inline, InlineProcessor):
                    md.inlinePatterns.register(_InlineGuard(md, self, page, inline), "html", 90)
                else:  # a pattern of another kind: its raw HTML is left as text
                    md.inlinePatterns.deregister("html")
        # After attribute lists (8) and the table of contents (5), before MkDocs' own link work (0).
        md.treeprocessors.register(
            _AttributeGuard(md, page, raw_html=raw_html, log=self.log), "claimledger_docs_guard", 1
        )

    def neutralise(self, stash: HtmlStash, first: int, page: str) -> None:
        """Raw HTML stashed from ``first`` on, unless harmless: reported, and shown as text."""
        for index in range(first, len(stash.rawHtmlBlocks)):
            raw = stash.rawHtmlBlocks[index]
            text = raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")
            if text in self.harmless:
                continue
            self.log.warning(
                "claimledger: %s: raw HTML %r is not allowed in this page; it is shown as text", page, text.strip()[:60]
            )
            stash.rawHtmlBlocks[index] = escape(text, quote=False)


class _BlockGuard(Preprocessor):
    """Python-Markdown's (or md_in_html's) raw HTML blocks, through :meth:`DocsGuard.neutralise`."""

    def __init__(self, md: Markdown, guard: DocsGuard, page: str) -> None:
        super().__init__(md)
        self.inner, self.guard, self.page = md.preprocessors["html_block"], guard, page

    def run(self, lines: list[str]) -> list[str]:
        first = len(self.md.htmlStash.rawHtmlBlocks)
        lines = self.inner.run(lines)
        self.guard.neutralise(self.md.htmlStash, first, self.page)
        return lines


class _InlineGuard(InlineProcessor):
    """Python-Markdown's inline raw HTML, through :meth:`DocsGuard.neutralise`."""

    def __init__(self, md: Markdown, guard: DocsGuard, page: str, inner: InlineProcessor) -> None:
        super().__init__(inner.pattern, md)
        self.inner, self.guard, self.page = inner, guard, page

    def handleMatch(  # type: ignore[override]  # the stubs' signature allows legacy patterns too
        self, m: re.Match[str], data: str
    ) -> tuple[str | etree.Element | None, int | None, int | None]:
        first = len(self.md.htmlStash.rawHtmlBlocks)
        result = self.inner.handleMatch(m, data)
        self.guard.neutralise(self.md.htmlStash, first, self.page)
        return result


class _AttributeGuard(Treeprocessor):
    """Unsafe addresses, images from elsewhere, and (unless raw HTML is allowed) event handlers and
    styles that fetch something: reported, and dropped."""

    def __init__(self, md: Markdown, page: str, *, raw_html: bool, log: logging.Logger) -> None:
        super().__init__(md)
        self.page, self.raw_html, self.log = page, raw_html, log

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name, value in list(element.attrib.items()):
                if not self._allowed(name.lower(), value):
                    message = "claimledger: %s: %s=%r is not allowed in this page; it is left out"
                    self.log.warning(message, self.page, name, value[:60])
                    del element.attrib[name]

    def _allowed(self, name: str, value: str) -> bool:
        if name in _LINKS:
            return link_is_safe(value)
        if name in _IMAGES:
            return all(image_is_local(candidate.split()[0]) for candidate in value.split(",") if candidate.split())
        if self.raw_html:
            return True
        if name == "style":
            return _PLAIN_STYLE.fullmatch(value) is not None
        return not unsafe_attribute(name)
