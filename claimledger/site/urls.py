"""Where every page of the site lives, and relative links between them.

URLs are site-relative, in MkDocs' directory form: ``claims/<id>/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..exports.formats import FORMATS
from ..record.kinds import KINDS
from ..record.model import Dataset


@dataclass(frozen=True)
class PageSpec:
    """One generated page: its source path, its template (``templates/<template>.html``), its title, and for an
    item page the item's kind and id."""

    src_uri: str
    template: str
    title: str  # plain text: an engine escapes it where it writes HTML
    in_nav: bool = False
    kind: str | None = None  # None for an index page
    key: str = ""

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


def page_src(kind: str, item_id: str) -> str:
    """The source path of an item's page: ``page_src("claim", "x")`` → ``claims/x.md``."""
    return KINDS[kind].page_src(item_id)


INDEX_PAGES = (
    PageSpec("claims/index.md", "claims-index", "All claims", True),
    PageSpec("dashboard.md", "dashboard", "Status dashboard", True),
    PageSpec("timeline.md", "timeline", "Timeline", True),
    PageSpec("tags.md", "tags", "Tags", True),
    PageSpec("sources/index.md", "sources-index", "Sources", True),
    PageSpec("parties/index.md", "parties-index", "Parties", True),
    PageSpec("methodology.md", "methodology", "Methodology", True),
    PageSpec("corrections.md", "corrections", "Corrections", True),
    # Pages newer than some sites' configuration: in the navigation where the site's nav lists them
    # (as this repository's and a new project's do), and no omitted page where it does not.
    PageSpec("metrics/index.md", "metrics-index", "Metrics"),
    PageSpec("rating-scale.md", "rating-scale", "Rating scale"),
    PageSpec("team.md", "team", "Ownership, funding and team"),
    PageSpec("contact.md", "contact", "Contact"),
)

SCHEMA = "schema/claimledger.schema.json"
CORRECTIONS_FEED = "corrections.xml"  # the Atom feed of the Corrections page (claimledger.site.feed)
CLAIM_REVIEW_FEED = "claimreview.json"  # every ClaimReview, a schema.org DataFeed (claimledger.site.jsonld)
# Where the site publishes each export (by format name), the schema and the corrections feed.
EXPORTS = {
    **{name: export.site_path for name, export in FORMATS.items()},
    "schema": SCHEMA,
    "corrections": CORRECTIONS_FEED,
    "claimreview": CLAIM_REVIEW_FEED,
}


def page_specs(dataset: Dataset) -> list[PageSpec]:
    """Every generated page, index pages first, then each kind's item pages (in registry order)."""
    specs = list(INDEX_PAGES)
    for kind in KINDS.values():
        specs += [
            PageSpec(kind.page_src(key), kind.name, kind.title(item), kind=kind.name, key=key)
            for key, item in kind.items(dataset).items()
        ]
    return specs
