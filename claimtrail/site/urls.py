"""Where every page of the site lives, and relative links between them.

URLs are site-relative, in MkDocs' directory form: ``claims/<id>/``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..model import Dataset


@dataclass(frozen=True)
class PageSpec:
    """One generated page: its source path in the docs tree, its kind, and the item it shows."""

    src_uri: str
    kind: str
    key: str
    title: str
    in_nav: bool = False

    @property
    def url(self) -> str:
        return url_of(self.src_uri)


def url_of(src_uri: str) -> str:
    """``claims/x.md`` → ``claims/x/``; ``claims/index.md`` → ``claims/``; ``index.md`` → ``""``."""
    stem = src_uri.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def claim_src(claim_id: str) -> str:
    return f"claims/{claim_id}.md"


def source_src(source_id: str) -> str:
    return f"sources/{source_id}.md"


def party_src(party_id: str) -> str:
    return f"parties/{party_id}.md"


INDEX_PAGES = (
    PageSpec("claims/index.md", "claims-index", "", "All claims", True),
    PageSpec("dashboard.md", "dashboard", "", "Status dashboard", True),
    PageSpec("timeline.md", "timeline", "", "Timeline", True),
    PageSpec("tags.md", "tags", "", "Tags", True),
    PageSpec("sources/index.md", "sources-index", "", "Sources", True),
    PageSpec("parties/index.md", "parties-index", "", "Parties", True),
    PageSpec("methodology.md", "methodology", "", "Methodology", True),
    PageSpec("corrections.md", "corrections", "", "Corrections", True),
)

EXPORTS = {
    "json": "claims.json",
    "csv": "claims.csv",
    "schema": "schema/claimtrail.schema.json",
    "corrections": "corrections.xml",  # the Atom feed of the Corrections page (claimtrail.site.feed)
}


def page_specs(dataset: Dataset) -> list[PageSpec]:
    """Every generated page, index pages first."""
    specs = list(INDEX_PAGES)
    specs += [PageSpec(claim_src(c.id), "claim", c.id, c.statement) for c in dataset.claims.values()]
    specs += [PageSpec(source_src(s.id), "source", s.id, s.title) for s in dataset.sources.values()]
    specs += [PageSpec(party_src(p.id), "party", p.id, p.name) for p in dataset.parties.values()]
    return specs


def relative(target: str, current: str) -> str:
    """A link from the page at ``current`` to ``target``; both site-relative (``""`` is the home page).

    ``#fragment`` alone links within the current page.
    """
    path, hash_, fragment = target.partition("#")
    suffix = f"#{fragment}" if hash_ else ""
    if not path and hash_:
        return suffix
    base = current if current == "" or current.endswith("/") else posixpath.dirname(current) + "/"
    rel = posixpath.relpath(path or ".", base or ".")
    if (not path or path.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return rel + suffix
