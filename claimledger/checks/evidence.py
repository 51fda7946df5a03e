"""A status must be justified by the evidence the claim carries.

The rule a status needs is data (``evidence`` in ``claims/statuses.yaml``), so a site owner who adds a status
chooses which rule applies to it. Evidence read only through another source (``via``) is second-hand: it can
qualify a claim but counts towards no rule that settles one, since the record cannot show the original's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from ..findings import Finding
from ..record.model import Claim, Dataset, Party, Rebuttal, Source
from .references import report


def affiliations(party_id: str, parties: Mapping[str, Party]) -> set[str]:
    """``party_id`` and every organisation it belongs to, transitively."""
    chain: set[str] = set()
    current: str | None = party_id
    while current is not None and current not in chain:
        chain.add(current)
        party = parties.get(current)
        current = party.affiliation if party is not None else None
    return chain


def independent(a: str, b: str, parties: Mapping[str, Party]) -> bool:
    """Two parties are independent when neither is, or belongs to, the other or a common organisation."""
    return not affiliations(a, parties) & affiliations(b, parties)


def makers(source: Source) -> set[str]:
    """Who wrote or published ``source``."""
    return {p for p in (source.author, source.publisher) if p}


def made_by(party: str, source: Source, parties: Mapping[str, Party]) -> bool:
    """Whether ``party`` is, or belongs with, the author or publisher of ``source`` (True if it names neither)."""
    found = makers(source)
    return not found or any(not independent(party, maker, parties) for maker in found)


def _voices(rebuttal: Rebuttal, dataset: Dataset) -> set[str]:
    """Everyone behind a piece of evidence: the party, and the makers of its source and of the source it was read
    in (evidence known only from the claimant's own quotation of it is the claimant's word)."""
    sources = (dataset.sources.get(rebuttal.source), dataset.sources.get(rebuttal.via or ""))
    return {rebuttal.party}.union(*(makers(source) for source in sources if source is not None))


SECOND_HAND = (
    "; evidence read only through another source (`via`) is second-hand and settles nothing: "
    "cite the original if it is on the record"
)


def _problem(claim: Claim, dataset: Dataset, rule: str) -> tuple[str, str] | None:
    """What the claim lacks for the evidence ``rule`` of its status: the message and the hint; None if nothing."""
    firsthand = [r for r in claim.rebuttals if r.via is None]
    # The hint names second-hand evidence only where it is what the claim relies on.
    aside = SECOND_HAND if len(firsthand) < len(claim.rebuttals) else ""
    side = {claim.claimant} | ({claim.spokesperson} if claim.spokesperson else set())
    first = dataset.sources.get(claim.first_appearance or "")  # none: the publisher's own calculation
    if rule == "disputing-rebuttal" and not any(r.stance == "disputes" for r in firsthand):
        return (
            "needs a first-hand rebuttal with stance 'disputes'",
            "add the disputing evidence under `rebuttals:`, or choose another status" + aside,
        )
    if rule == "independent-support" and not any(
        r.stance == "supports"
        and all(independent(voice, party, dataset.parties) for voice in _voices(r, dataset) for party in side)
        for r in firsthand
    ):
        return (
            "needs a first-hand rebuttal with stance 'supports' from a party and a source independent of the claimant",
            "support from the claimant, its staff or its affiliates, or from a source they wrote or "
            "published, does not corroborate a claim" + aside,
        )
    if rule == "primary-refutation" and not any(
        r.stance == "disputes" and (src := dataset.sources.get(r.source)) is not None and src.primary for r in firsthand
    ):
        return (
            "needs a first-hand rebuttal with stance 'disputes' whose source is a primary source",
            "refutation rests on a report, dataset, court record or official statement; otherwise use "
            "'disputed'" + aside,
        )
    if rule == "primary-unavailable" and first is None and not claim.first_appearance:
        return (
            "needs a first appearance whose full text is unavailable: the site's own calculation has none",
            "choose a status that needs no first appearance (on the shipped scale, `inconclusive`)",
        )
    if rule == "primary-unavailable" and first is not None and first.full_text != "unavailable":
        return (
            f"needs its first appearance ({first.id}) to be a source whose full text is unavailable",
            "set `full_text: unavailable` on that source if its text cannot be read here (never published, not "
            "at the time, lost, not identified, or no copy on the record); otherwise "
            "check the claim against it and choose another status",
        )
    if rule == "successor" and claim.superseded_by is None:
        return ("needs `superseded_by` naming the claim that replaces it", "add `superseded_by: <claim id>`")
    if rule == "retraction" and claim.retraction is None:
        return (
            "needs a log entry of kind 'retraction' saying when and why the claim was withdrawn",
            "add at the end of `log:` an entry `- date: YYYY-MM-DD`, `kind: retraction`, `summary:` why it is "
            "withdrawn, for readers",
        )
    return None


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for claim in dataset.claims.values():
        for index, rebuttal in enumerate(claim.rebuttals):
            source = dataset.sources.get(rebuttal.source)
            if source is None or rebuttal.party not in dataset.parties:
                continue
            if not made_by(rebuttal.party, source, dataset.parties):
                yield report(
                    claim.document,
                    ("rebuttals", index, "party"),
                    "rebuttal-party",
                    f"'{rebuttal.party}' did not write or publish {source.id} "
                    f"(that was {' or '.join(p for p in (source.author, source.publisher) if p)})",
                    "the party is whoever makes the point in that source; if the point is your own "
                    "reading of it, say so in the claim's `notes` instead",
                )
        status = dataset.scale.get(claim.status) if dataset.scale is not None else None
        if status is None:
            continue
        if (problem := _problem(claim, dataset, status.evidence)) is not None:
            yield report(
                claim.document, ("status",), "status-evidence", f"status '{claim.status}' {problem[0]}", problem[1]
            )
        if claim.superseded_by is not None and status.evidence != "successor":
            message = f"`superseded_by` is set but status '{claim.status}' is not a superseded status"
            hint = "remove `superseded_by`, or set the status to one whose evidence is 'successor'"
            yield report(claim.document, ("superseded_by",), "status-evidence", message, hint)
