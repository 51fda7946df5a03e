"""A status must be justified by the evidence the claim carries.

The rule a status needs is data (``evidence`` in ``claims/statuses.yaml``),
so a site owner who adds a status chooses which rule applies to it.

Evidence read only through another source (``via``: a comment quoting a report this project has
not seen) is second-hand: it can qualify a claim, but it counts towards no rule that settles one
(corroboration, dispute, refutation), since the record cannot show that the words are the
original's or what they were about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from ..findings import Finding, error
from ..record.model import Claim, Dataset, Party, Rebuttal


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


def _voices(rebuttal: Rebuttal, dataset: Dataset) -> set[str]:
    """Everyone behind a piece of evidence: the party, and the author and publisher of its source and
    of the source it was read in (evidence known only from the claimant's own quotation of it is the
    claimant's word)."""
    voices = {rebuttal.party}
    for source_id in (rebuttal.source, rebuttal.via):
        source = dataset.sources.get(source_id) if source_id else None
        if source is not None:
            voices |= {p for p in (source.author, source.publisher) if p}
    return voices


def _party_fits_source(rebuttal: Rebuttal, dataset: Dataset) -> bool:
    """The party of a rebuttal is its source's author or publisher, or belongs to one of them."""
    source = dataset.sources.get(rebuttal.source)
    if source is None or not (source.author or source.publisher):
        return True
    makers = {p for p in (source.author, source.publisher) if p}
    return bool(
        affiliations(rebuttal.party, dataset.parties) & set().union(*(affiliations(m, dataset.parties) for m in makers))
    )


SECOND_HAND = (
    "; evidence read only through another source (`via`) is second-hand and settles nothing: "
    "cite the original if it is on the record"
)


def _problem(claim: Claim, dataset: Dataset, rule: str) -> tuple[str, str] | None:
    parties = dataset.parties
    firsthand = [r for r in claim.rebuttals if r.via is None]
    # The hint names second-hand evidence only where it is what the claim relies on.
    aside = SECOND_HAND if len(firsthand) < len(claim.rebuttals) else ""
    if rule == "disputing-rebuttal":
        if not any(r.stance == "disputes" for r in firsthand):
            return (
                "needs a first-hand rebuttal with stance 'disputes'",
                "add the disputing evidence under `rebuttals:`, or choose another status" + aside,
            )
    elif rule == "independent-support":
        claimant_side = {claim.claimant} | ({claim.spokesperson} if claim.spokesperson else set())
        if not any(
            r.stance == "supports"
            and all(independent(voice, side, parties) for voice in _voices(r, dataset) for side in claimant_side)
            for r in firsthand
        ):
            return (
                "needs a first-hand rebuttal with stance 'supports' from a party and a source independent of the "
                "claimant",
                "support from the claimant, its staff or its affiliates, or from a source they wrote or "
                "published, does not corroborate a claim" + aside,
            )
    elif rule == "primary-refutation":
        if not any(
            r.stance == "disputes" and (src := dataset.sources.get(r.source)) is not None and src.primary
            for r in firsthand
        ):
            return (
                "needs a first-hand rebuttal with stance 'disputes' whose source is a primary source",
                "refutation rests on a report, dataset, court record or official statement; otherwise use "
                "'disputed'" + aside,
            )
    elif rule == "primary-unavailable":
        first = dataset.sources.get(claim.first_appearance or "")  # none: the publisher's own calculation
        if first is None and not claim.first_appearance:
            return (
                "needs a first appearance whose full text is unavailable: the site's own calculation has none",
                "choose a status that needs no first appearance (on the shipped scale, `inconclusive`)",
            )
        if first is not None and first.full_text != "unavailable":
            return (
                f"needs its first appearance ({first.id}) to be a source whose full text is unavailable",
                "set `full_text: unavailable` on that source if its text cannot be read here (never published, not "
                "at the time, lost, not identified, or no copy on the record); otherwise "
                "check the claim against it and choose another status",
            )
    elif rule == "successor" and claim.superseded_by is None:
        return ("needs `superseded_by` naming the claim that replaces it", "add `superseded_by: <claim id>`")
    elif rule == "retraction" and claim.retraction is None:
        return (
            "needs a log entry of kind 'retraction' saying when and why the claim was withdrawn",
            "add at the end of `log:` an entry `- date: YYYY-MM-DD`, `kind: retraction`, `summary:` why it is "
            "withdrawn, for readers",
        )
    return None


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for claim in dataset.claims.values():
        for index, rebuttal in enumerate(claim.rebuttals):
            if rebuttal.party in dataset.parties and not _party_fits_source(rebuttal, dataset):
                source = dataset.sources[rebuttal.source]
                makers = " or ".join(p for p in (source.author, source.publisher) if p)
                yield error(
                    claim.document.path,
                    claim.document.position(("rebuttals", index, "party")),
                    "rebuttal-party",
                    f"rebuttals[{index}].party",
                    f"'{rebuttal.party}' did not write or publish {source.id} (that was {makers})",
                    "the party is whoever makes the point in that source; if the point is your own "
                    "reading of it, say so in the claim's `notes` instead",
                )
    if dataset.scale is None:
        return
    for claim in dataset.claims.values():
        status = dataset.scale.get(claim.status)
        if status is None:
            continue
        problem = _problem(claim, dataset, status.evidence)
        if problem is not None:
            message, hint = problem
            doc = claim.document
            yield error(
                doc.path,
                doc.position(("status",)),
                "status-evidence",
                "status",
                f"status '{claim.status}' {message}",
                hint,
            )
        if claim.superseded_by is not None and status.evidence != "successor":
            doc = claim.document
            yield error(
                doc.path,
                doc.position(("superseded_by",)),
                "status-evidence",
                "superseded_by",
                f"`superseded_by` is set but status '{claim.status}' is not a superseded status",
                "remove `superseded_by`, or set the status to one whose evidence is 'successor'",
            )
