"""What the site shows of each kind of item (see :mod:`claimledger.record.kinds`), in one place.

Per kind: the template of its item page (``templates/<kind>.html``, given the item as a variable
of the kind's name), the text the search index holds for its page and the short names it is found
by, the pages an edit of one of its items touches (for ``mkdocs serve --dirty``,
:mod:`claimledger.site.incremental`), a line describing its page, the title of its page in the
browser and in link previews, and the badge shown after links to an item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from ..record.graph import Graph
from ..record.kinds import KINDS
from ..record.model import Claim, Dataset, Metric, Party, Source
from .urls import claim_src, page_src, party_src, source_src

if TYPE_CHECKING:
    from .render import Renderer


@dataclass(frozen=True)
class SiteKind:
    """The site's side of one kind of item."""

    name: str
    search_text: Callable[[Renderer, Any], str]
    """What the search index holds for an item's page: the words a reader looks for (see docs/reference.md).
    Plain HTML built here rather than a template: it is made once per page, ten thousand times."""
    neighbours: Callable[[str, Graph, Dataset], set[str]]
    """The page source paths that show the item with this id, besides its own and the index pages."""
    description: Callable[[Renderer, Any], str]
    """One line of plain text about an item's page."""
    badge: Callable[[Renderer, Any], str] | None = None
    """HTML shown after every link to an item (a claim's status), if any."""
    keywords: Callable[[Renderer, Any], tuple[str, ...]] = lambda renderer, item: ()
    """Short names a reader may type for the item (a party's abbreviation, the abbreviations of a
    source's author and publisher): search ranks a page whose keyword matches above any other."""
    head_title: Callable[[Renderer, Any], str] | None = None
    """Plain text: the page's title in the browser and in link previews, if not the item's title
    (a claim's: its verdict first)."""

    @property
    def template(self) -> str:
        return f"{self.name}.html"


def _claim_search_text(renderer: Renderer, claim: Claim) -> str:
    status = renderer.statuses.get(claim.status)
    spokesperson = f" ({escape(renderer.party_label(claim.spokesperson))})" if claim.spokesperson else ""
    parts = [
        f'<h1 id="claim">{escape(claim.statement)}</h1>',
        f"<p>{escape(claim.words)}</p>",
        f"<p>{escape(renderer.party_label(claim.claimant))}{spokesperson}."
        f" {escape(status.label if status else claim.status)}: {escape(claim.rationale)}</p>",
        *(f"<p>{escape(a.quote)}</p>" for a in claim.appearances),
        *(
            f"<p>{escape(renderer.party_label(r.party))}: {escape(r.summary)} {escape(r.quote or '')}</p>"
            for r in claim.rebuttals
        ),
    ]
    if claim.tags:
        parts.append(f"<p>{escape(' '.join(claim.tags))}</p>")
    return "\n".join(parts)


def _claim_badge(renderer: Renderer, claim: Claim) -> str:
    return str(renderer.claim_badge(claim))


def _verdict(renderer: Renderer, claim: Claim) -> str:
    if renderer.stale(claim):
        return "Changed since review"
    status = renderer.statuses.get(claim.status)
    return status.label if status else claim.status


def _claim_description(renderer: Renderer, claim: Claim) -> str:
    made = f", {claim.date.human()}" if claim.date else ""
    return f"{_verdict(renderer, claim)}: {claim.statement} Claimed by {renderer.party_name(claim.claimant)}{made}."


def _claim_head_title(renderer: Renderer, claim: Claim) -> str:
    return f"{_verdict(renderer, claim)}: {claim.statement}"


def _source_description(renderer: Renderer, source: Source) -> str:
    published = f", {source.published.human()}" if source.published else ""
    by = f", by {renderer.party_name(source.author)}" if source.author else ""
    return f"{source.title} ({source.kind}{by}{published})"


def _party_description(renderer: Renderer, party: Party) -> str:
    return f"{party.name} ({party.role or party.kind})"


def _source_search_text(renderer: Renderer, source: Source) -> str:
    parties = [renderer.party_label(p) for p in dict.fromkeys((source.author, source.publisher)) if p]
    by = f" by {'; '.join(parties)}" if parties else ""
    shown = f", {source.author_shown}" if source.author_shown else ""
    text = " ".join(_sentence(part) for part in (source.kind.replace("-", " ") + by + shown, source.notes) if part)
    return "\n".join([f'<h1 id="source">{escape(source.title)}</h1>', f"<p>{escape(text)}</p>"])


def _sentence(text: str) -> str:
    """``text`` ending as a sentence: a full stop added unless it ends with one, or another mark."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _source_keywords(renderer: Renderer, source: Source) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for p in (source.author, source.publisher) if p for k in renderer.short_names(p)))


def _party_search_text(renderer: Renderer, party: Party) -> str:
    notes = f". {party.notes}" if party.notes else ""
    short = f"{party.short_name}. " if party.short_name else ""
    return "\n".join(
        [f'<h1 id="party">{escape(party.name)}</h1>', f"<p>{escape(short + (party.role or '') + notes)}</p>"]
    )


def _party_keywords(renderer: Renderer, party: Party) -> tuple[str, ...]:
    return renderer.short_names(party.id)


def _metric_description(renderer: Renderer, metric: Metric) -> str:
    return f"{metric.title} (a metric: what it counts, by whom, and its figures over time)"


def _metric_search_text(renderer: Renderer, metric: Metric) -> str:
    caveats = " ".join(metric.caveats)
    return "\n".join(
        [f'<h1 id="metric">{escape(metric.title)}</h1>', f"<p>{escape(metric.counts)} {escape(caveats)}</p>"]
    )


def _metric_neighbours(item_id: str, graph: Graph, dataset: Dataset) -> set[str]:
    pages = {
        claim_src(c.id) for c in dataset.claims.values() if item_id in (c.metric, c.baseline and c.baseline.metric)
    }
    metric = dataset.metrics.get(item_id)
    if metric is not None:
        pages |= {source_src(s) for s in metric.sources}
    return pages


def _claim_neighbours(item_id: str, graph: Graph, dataset: Dataset) -> set[str]:
    pages: set[str] = set()
    claim = dataset.claims.get(item_id)
    if claim is not None:
        pages |= {
            source_src(s)
            for s in (
                claim.first_appearance,
                *(a.source for a in claim.appearances),
                *(p.source for p in claim.provenance),
            )
        }
        pages |= {source_src(r.source) for r in claim.rebuttals} | {source_src(r.via) for r in claim.rebuttals if r.via}
        pages |= {party_src(p) for p in (claim.claimant, claim.spokesperson) if p}
        pages |= {party_src(r.party) for r in claim.rebuttals}
        pages |= {party_src(c.by) for c in claim.conversions if c.by}
        pages |= {page_src("metric", m) for m in (claim.metric, claim.baseline and claim.baseline.metric) if m}
    pages |= {claim_src(c.id) for c in graph.related.get(item_id, ())}
    pages |= {claim_src(c.id) for c in graph.superseding.get(item_id, ())}
    return pages


def _source_neighbours(item_id: str, graph: Graph, dataset: Dataset) -> set[str]:
    pages = {claim_src(c.id) for c in graph.claims_in_source.get(item_id, ())}
    pages |= {claim_src(r.claim.id) for r in graph.rebuttals_in_source.get(item_id, ())}
    pages |= {source_src(s) for s in (*graph.parts.get(item_id, ()), *graph.derived.get(item_id, ()))}
    source = dataset.sources.get(item_id)
    if source is not None:
        pages |= {party_src(p) for p in (source.author, source.publisher) if p}
        pages |= {source_src(s) for s in (source.part_of, *source.derived_from) if s}
    return pages


def _party_neighbours(item_id: str, graph: Graph, dataset: Dataset) -> set[str]:
    pages = {claim_src(c.id) for c in graph.claims_by_party.get(item_id, ())}
    pages |= {claim_src(r.claim.id) for r in graph.rebuttals_by_party.get(item_id, ())}
    pages |= {source_src(s) for s in graph.sources_by_party.get(item_id, ())}
    pages |= {party_src(m) for m in graph.members.get(item_id, ())}
    pages |= {claim_src(c.id) for c in graph.conversions_by_party.get(item_id, ())}
    party = dataset.parties.get(item_id)
    if party is not None and party.affiliation:
        pages.add(party_src(party.affiliation))
    return pages


SITE_KINDS: Mapping[str, SiteKind] = {
    kind.name: kind
    for kind in (
        SiteKind(
            "claim",
            _claim_search_text,
            _claim_neighbours,
            _claim_description,
            _claim_badge,
            head_title=_claim_head_title,
        ),
        SiteKind("source", _source_search_text, _source_neighbours, _source_description, keywords=_source_keywords),
        SiteKind("party", _party_search_text, _party_neighbours, _party_description, keywords=_party_keywords),
        SiteKind("metric", _metric_search_text, _metric_neighbours, _metric_description),
    )
}
assert SITE_KINDS.keys() == KINDS.keys(), "every kind of item has its page"
