"""Cross-links and backlinks, computed once from the model.

The dataset is a graph, not a tree: a source is cited by many claims, a
party makes some claims and rebuts others, claims relate to each other in
both directions.  Every index here is built in one pass over the claims, so
the work grows linearly with the dataset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .model import Claim, Dataset, Rebuttal


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


def _freeze(index: Mapping[str, list[str]] | Mapping[str, dict[str, None]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(values) for key, values in sorted(index.items())}


def build_graph(dataset: Dataset) -> Graph:
    claims_in_source: dict[str, dict[str, Claim]] = defaultdict(dict)
    rebuttals_in_source: dict[str, list[RebuttalRef]] = defaultdict(list)
    claims_by_party: dict[str, dict[str, Claim]] = defaultdict(dict)
    rebuttals_by_party: dict[str, list[RebuttalRef]] = defaultdict(list)
    conversions_by_party: dict[str, dict[str, Claim]] = defaultdict(dict)
    related: dict[str, dict[str, Claim]] = defaultdict(dict)
    superseding: dict[str, list[Claim]] = defaultdict(list)
    by_tag: dict[str, list[Claim]] = defaultdict(list)
    by_status: dict[str, list[Claim]] = defaultdict(list)
    claims = dataset.claims

    for claim in claims.values():
        for source_id in sources_of(claim):
            claims_in_source[source_id][claim.id] = claim
        for party_id in (claim.claimant, claim.spokesperson):
            if party_id:
                claims_by_party[party_id][claim.id] = claim
        for index, rebuttal in enumerate(claim.rebuttals):
            ref = RebuttalRef(claim, index)
            rebuttals_in_source[rebuttal.source].append(ref)
            if rebuttal.via and rebuttal.via != rebuttal.source:
                rebuttals_in_source[rebuttal.via].append(ref)
            rebuttals_by_party[rebuttal.party].append(ref)
        for conversion in claim.conversions:
            if conversion.by is not None:
                conversions_by_party[conversion.by][claim.id] = claim
        for other in claim.related:
            if other in claims:
                related[claim.id][other] = claims[other]
                related[other][claim.id] = claim
        if claim.superseded_by:
            superseding[claim.superseded_by].append(claim)
        for tag in claim.tags:
            by_tag[tag].append(claim)
        by_status[claim.status].append(claim)

    sources_by_party: dict[str, dict[str, None]] = defaultdict(dict)
    parts: dict[str, list[str]] = defaultdict(list)
    derived: dict[str, list[str]] = defaultdict(list)
    for source in dataset.sources.values():
        for party_id in (source.author, source.publisher):
            if party_id:
                sources_by_party[party_id][source.id] = None
        if source.part_of:
            parts[source.part_of].append(source.id)
        for parent in source.derived_from:
            derived[parent].append(source.id)
    members: dict[str, list[str]] = defaultdict(list)
    for party in dataset.parties.values():
        if party.affiliation:
            members[party.affiliation].append(party.id)

    def claim_lists(index: Mapping[str, Mapping[str, Claim]]) -> dict[str, tuple[Claim, ...]]:
        return {key: tuple(sorted(values.values(), key=lambda c: c.id)) for key, values in sorted(index.items())}

    return Graph(
        claims_in_source=claim_lists(claims_in_source),
        rebuttals_in_source={k: tuple(v) for k, v in sorted(rebuttals_in_source.items())},
        claims_by_party=claim_lists(claims_by_party),
        rebuttals_by_party={k: tuple(v) for k, v in sorted(rebuttals_by_party.items())},
        conversions_by_party=claim_lists(conversions_by_party),
        sources_by_party=_freeze(sources_by_party),
        members=_freeze(members),
        parts=_freeze(parts),
        derived=_freeze(derived),
        related=claim_lists(related),
        superseding={k: tuple(v) for k, v in sorted(superseding.items())},
        claims_by_tag={k: tuple(v) for k, v in sorted(by_tag.items())},
        claims_by_status={k: tuple(v) for k, v in sorted(by_status.items())},
    )
