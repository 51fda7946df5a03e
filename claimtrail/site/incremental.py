"""Which generated pages an edit touches, so that ``mkdocs serve --dirty`` rewrites only those.

A claim's page shows its sources, parties and related claims, and theirs show it back; index
pages list everything. So an edited item touches its own page, the pages of everything it is
linked to (before and after the edit), and the index pages. Any other change (the status scale,
an item added or removed) touches every page. Pages that cite the item only inline, with
``[[kind:id]]`` in a markdown field or a hand-written page, catch up at the next full build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..graph import Graph
from ..model import Claim, Dataset, Party, Source
from .urls import INDEX_PAGES, claim_src, party_src, source_src


@dataclass(frozen=True)
class Snapshot:
    """What the last build saw: each item file's modification stamp, and the graph it built."""

    stamps: Mapping[str, tuple[int, int]]
    graph: Graph
    scale: object


def stamps(dataset: Dataset) -> dict[str, tuple[int, int]]:
    """(mtime in ns, size) of every item's file, by page source path; (-1, -1) where unknown."""
    result: dict[str, tuple[int, int]] = {}
    items: Iterable[tuple[str, Claim | Source | Party]] = [
        *((claim_src(i), c) for i, c in dataset.claims.items()),
        *((source_src(i), s) for i, s in dataset.sources.items()),
        *((party_src(i), p) for i, p in dataset.parties.items()),
    ]
    for page, item in items:
        origin = item.document.origin
        try:
            stat = Path(origin).stat() if origin else None
        except OSError:
            stat = None
        result[page] = (stat.st_mtime_ns, stat.st_size) if stat else (-1, -1)
    return result


def _neighbours(page: str, graph: Graph, dataset: Dataset) -> set[str]:
    kind, _, rest = page.partition("/")
    item_id = rest.removesuffix(".md")
    pages: set[str] = set()
    if kind == "claims":
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
            pages |= {source_src(r.source) for r in claim.rebuttals} | {
                source_src(r.via) for r in claim.rebuttals if r.via
            }
            pages |= {party_src(p) for p in (claim.claimant, claim.spokesperson) if p}
            pages |= {party_src(r.party) for r in claim.rebuttals}
            pages |= {party_src(c.by) for c in claim.conversions if c.by}
        pages |= {claim_src(c.id) for c in graph.related.get(item_id, ())}
        pages |= {claim_src(c.id) for c in graph.superseding.get(item_id, ())}
    elif kind == "sources":
        pages |= {claim_src(c.id) for c in graph.claims_in_source.get(item_id, ())}
        pages |= {claim_src(r.claim.id) for r in graph.rebuttals_in_source.get(item_id, ())}
        pages |= {source_src(s) for s in (*graph.parts.get(item_id, ()), *graph.derived.get(item_id, ()))}
        source = dataset.sources.get(item_id)
        if source is not None:
            pages |= {party_src(p) for p in (source.author, source.publisher) if p}
            pages |= {source_src(s) for s in (source.part_of, *source.derived_from) if s}
    elif kind == "parties":
        pages |= {claim_src(c.id) for c in graph.claims_by_party.get(item_id, ())}
        pages |= {claim_src(r.claim.id) for r in graph.rebuttals_by_party.get(item_id, ())}
        pages |= {source_src(s) for s in graph.sources_by_party.get(item_id, ())}
        pages |= {party_src(m) for m in graph.members.get(item_id, ())}
        pages |= {claim_src(c.id) for c in graph.conversions_by_party.get(item_id, ())}
        party = dataset.parties.get(item_id)
        if party is not None and party.affiliation:
            pages.add(party_src(party.affiliation))
    return pages


def touched(previous: Snapshot | None, current: Snapshot, dataset: Dataset, before: Dataset | None) -> set[str] | None:
    """The page source paths to rewrite, or None for all of them."""
    if previous is None or before is None or previous.scale != current.scale:
        return None
    if previous.stamps.keys() != current.stamps.keys():
        return None  # an item was added, removed or renamed: lists and links change everywhere
    changed = {page for page, stamp in current.stamps.items() if stamp != previous.stamps[page] or stamp[0] < 0}
    pages = set(changed)
    for page in changed:
        pages |= _neighbours(page, current.graph, dataset) | _neighbours(page, previous.graph, before)
    return pages | {spec.src_uri for spec in INDEX_PAGES}
