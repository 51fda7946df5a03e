"""What the site shows of each kind of item (see :mod:`claimtrail.kinds`), in one place.

Per kind: the template of its item page (``templates/<kind>.html``, given the item as a variable
of the kind's name), the text the search index holds for its page, the pages an edit of one of its
items touches (for ``mkdocs serve --dirty``, :mod:`claimtrail.site.incremental`), a line describing
its page, and the badge shown after links to an item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from ..graph import Graph
from ..kinds import KINDS
from ..model import Claim, Dataset, Party, Source
from .urls import claim_src, party_src, source_src

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

    @property
    def template(self) -> str:
        return f"{self.name}.html"


def _claim_search_text(renderer: Renderer, claim: Claim) -> str:
    status = renderer.statuses.get(claim.status)
    parts = [
        f'<h1 id="claim">{escape(claim.statement)}</h1>',
        f"<p>{escape(claim.quote)}</p>",
        f"<p>{escape(renderer.party_name(claim.claimant))}. {escape(status.label if status else claim.status)}:"
        f" {escape(claim.rationale)}</p>",
        *(f"<p>{escape(a.quote)}</p>" for a in claim.appearances),
        *(
            f"<p>{escape(renderer.party_name(r.party))}: {escape(r.summary)} {escape(r.quote or '')}</p>"
            for r in claim.rebuttals
        ),
    ]
    if claim.tags:
        parts.append(f"<p>{escape(' '.join(claim.tags))}</p>")
    return "\n".join(parts)


def _claim_badge(renderer: Renderer, claim: Claim) -> str:
    return str(renderer.badge(claim.status))


def _claim_description(renderer: Renderer, claim: Claim) -> str:
    status = renderer.statuses.get(claim.status)
    label = status.label if status else claim.status
    return f"{claim.statement} ({label}; claimed by {renderer.party_name(claim.claimant)})"


def _source_description(renderer: Renderer, source: Source) -> str:
    published = f", {source.published.human()}" if source.published else ""
    return f"{source.title} ({source.kind}{published})"


def _party_description(renderer: Renderer, party: Party) -> str:
    return f"{party.name} ({party.role or party.kind})"


def _source_search_text(renderer: Renderer, source: Source) -> str:
    shown = f", {source.author_shown}" if source.author_shown else ""
    notes = f". {source.notes}" if source.notes else ""
    return "\n".join([f'<h1 id="source">{escape(source.title)}</h1>', f"<p>{escape(source.kind + shown + notes)}</p>"])


def _party_search_text(renderer: Renderer, party: Party) -> str:
    notes = f". {party.notes}" if party.notes else ""
    return "\n".join([f'<h1 id="party">{escape(party.name)}</h1>', f"<p>{escape((party.role or '') + notes)}</p>"])


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
        pages |= {party_src(r.party) for r in claim.rebuttals} | {party_src(c.by) for c in claim.conversions}
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
        SiteKind("claim", _claim_search_text, _claim_neighbours, _claim_description, _claim_badge),
        SiteKind("source", _source_search_text, _source_neighbours, _source_description),
        SiteKind("party", _party_search_text, _party_neighbours, _party_description),
    )
}
assert SITE_KINDS.keys() == KINDS.keys(), "every kind of item has its page"
