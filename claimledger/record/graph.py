"""Cross-links and backlinks, computed once from the model, in time linear in the dataset's size.

A source is cited by many claims, a party makes some claims and rebuts others, claims relate both ways.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from .model import Claim, Dataset, Rebuttal

T = TypeVar("T")


@dataclass(frozen=True)
class RebuttalRef:
    """A rebuttal, and the claim that carries it."""

    claim: Claim
    index: int

    @property
    def rebuttal(self) -> Rebuttal:
        return self.claim.rebuttals[self.index]


@dataclass(frozen=True)
class Graph:
    claims_in_source: Mapping[str, tuple[Claim, ...]]
    rebuttals_in_source: Mapping[str, tuple[RebuttalRef, ...]]
    claims_by_party: Mapping[str, tuple[Claim, ...]]
    rebuttals_by_party: Mapping[str, tuple[RebuttalRef, ...]]
    conversions_by_party: Mapping[str, tuple[Claim, ...]]
    sources_by_party: Mapping[str, tuple[str, ...]]
    members: Mapping[str, tuple[str, ...]]
    parts: Mapping[str, tuple[str, ...]]
    derived: Mapping[str, tuple[str, ...]]
    related: Mapping[str, tuple[Claim, ...]]
    superseding: Mapping[str, tuple[Claim, ...]]
    claims_by_tag: Mapping[str, tuple[Claim, ...]]
    claims_by_status: Mapping[str, tuple[Claim, ...]]


def sources_of(claim: Claim) -> Iterator[str]:
    """The sources a claim was made, reported, converted, paraphrased or dated in (its evidence aside)."""
    if claim.first_appearance:
        yield claim.first_appearance
    yield from (a.source for a in claim.appearances)
    yield from (p.source for p in claim.provenance)
    yield from (c.source for c in claim.conversions)
    yield from (s for b in claim.basis for s in (b.source, b.via) if s)
    if claim.paraphrase:
        yield claim.paraphrase.source


def cited_sources(claim: Claim) -> Iterator[str]:
    """Every source a claim cites: :func:`sources_of`, and its evidence's sources and those it came through."""
    yield from sources_of(claim)
    yield from (s for r in claim.rebuttals for s in (r.source, r.via) if s)


def _group(pairs: Iterable[tuple[str, T]]) -> dict[str, tuple[T, ...]]:
    """The values of ``pairs`` by key, in the order met; the keys sorted."""
    grouped: defaultdict[str, list[T]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return {key: tuple(values) for key, values in sorted(grouped.items())}


def _by_id(pairs: Iterable[tuple[str, Claim]]) -> dict[str, tuple[Claim, ...]]:
    """The claims of ``pairs`` by key, each once, in the order of their ids; the keys sorted."""
    grouped: defaultdict[str, dict[str, Claim]] = defaultdict(dict)
    for key, claim in pairs:
        grouped[key][claim.id] = claim
    return {key: tuple(found[i] for i in sorted(found)) for key, found in sorted(grouped.items())}


def build_graph(dataset: Dataset) -> Graph:
    claims = dataset.claims.values()
    sources = dataset.sources.values()
    refs = [RebuttalRef(claim, index) for claim in claims for index in range(len(claim.rebuttals))]
    links = [(claim, dataset.claims[other]) for claim in claims for other in claim.related if other in dataset.claims]
    # dict.fromkeys: a source or a party that one item names twice (via its own source) is listed once.
    return Graph(
        claims_in_source=_by_id((source, c) for c in claims for source in sources_of(c)),
        rebuttals_in_source=_group(
            (source, ref) for ref in refs for source in dict.fromkeys((ref.rebuttal.source, ref.rebuttal.via)) if source
        ),
        claims_by_party=_by_id((party, c) for c in claims for party in (c.claimant, c.spokesperson) if party),
        rebuttals_by_party=_group((ref.rebuttal.party, ref) for ref in refs),
        conversions_by_party=_by_id((v.by, c) for c in claims for v in c.conversions if v.by is not None),
        sources_by_party=_group((p, s.id) for s in sources for p in dict.fromkeys((s.author, s.publisher)) if p),
        members=_group((p.affiliation, p.id) for p in dataset.parties.values() if p.affiliation),
        parts=_group((s.part_of, s.id) for s in sources if s.part_of),
        derived=_group((parent, s.id) for s in sources for parent in s.derived_from),
        related=_by_id([*((a.id, b) for a, b in links), *((b.id, a) for a, b in links)]),
        superseding=_group((c.superseded_by, c) for c in claims if c.superseded_by),
        claims_by_tag=_group((tag, c) for c in claims for tag in c.tags),
        claims_by_status=_group((c.status, c) for c in claims),
    )
