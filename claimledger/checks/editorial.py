"""Quote or paraphrase, the publisher's own calculations, and the log of editorial changes.

A claim's ``quote`` is the claimant's words; where only someone else's
rewording is on the record it is a ``paraphrase``, credited to whoever wrote
or published the source it is in, and checked word for word against that
source's snapshot like a quote.  A claim with neither is the publisher's own
calculation: credited to the publisher's party, and derived from figures on
the record (its arithmetic is checked with the other figures).  A claim's
``log`` runs oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error
from ..record.model import Claim, Dataset, Source
from .evidence import affiliations, independent
from .quotes import normalise


def _paraphrase(claim: Claim, dataset: Dataset, texts: dict[str, str]) -> Iterator[Finding]:
    paraphrase = claim.paraphrase
    if paraphrase is None:
        return
    doc = claim.document
    source = dataset.sources.get(paraphrase.source)  # an unknown one is reported by the references check
    if source is None:
        return
    if paraphrase.by is not None:
        yield from _paraphrased_by(claim, paraphrase.by, source, dataset)
    elif _claimants_own(claim, source, dataset):  # `by: unknown` in a source the claimant's side wrote
        yield error(
            doc.path,
            doc.position(("paraphrase", "by")),
            "paraphrase-by",
            "paraphrase.by",
            f"{source.id} is the claimant's own: its words are the claimant's, a quote, not a paraphrase",
            "give them as `quote:`; `by: unknown` is for a source that does not show whose words it gives",
        )
    found = dataset.snapshot_of(source.id)
    if found is not None:
        holder, _ = found
        assert holder.snapshot is not None
        if normalise(paraphrase.text) not in texts[holder.snapshot.file]:
            yield error(
                doc.path,
                doc.position(("paraphrase", "text")),
                "quote-not-in-snapshot",
                "paraphrase.text",
                f"the paraphrase does not appear in the snapshot of {source.id} ({holder.snapshot.file})",
                "copy the paraphraser's words exactly as the source has them; only line breaks and spacing may differ",
            )


def _log(claim: Claim) -> Iterator[Finding]:
    doc = claim.document
    for index in range(1, len(claim.log)):
        earlier, entry = claim.log[index - 1], claim.log[index]
        if entry.date.earliest() < earlier.date.earliest():
            yield error(
                doc.path,
                doc.position(("log", index, "date")),
                "log-order",
                f"log[{index}].date",
                f"this entry ({entry.date}) comes after one dated {earlier.date}",
                "keep the log oldest first: add each new entry at the end",
            )


def _own_calculation(claim: Claim, dataset: Dataset) -> Iterator[Finding]:
    """Only the publisher's party goes without a quote, and only with its working: a derivation."""
    own = dataset.publisher.party if dataset.publisher is not None else None
    doc = claim.document
    if claim.own_calculation and claim.claimant != own:
        yield error(
            doc.path,
            doc.position(("claimant",)),
            "own-calculation",
            "claimant",
            f"a claim with no quote or paraphrase is the publisher's own calculation, but {claim.claimant} is "
            + ("not the publisher's party" if own else "claimed for no publisher's party"),
            "give the claimant's words as `quote:` (with `first_appearance:` and `appearances:`); for the "
            "editors' own calculation, set `claimant:` to the party `party:` names in claims/publisher.yaml",
        )
    elif claim.own_calculation and claim.derivation is not None:
        for i, operand in enumerate(claim.derivation.operands):
            if operand.claim is None:
                yield error(
                    doc.path,
                    doc.position(("derivation", "from", i)),
                    "own-calculation",
                    f"derivation.from[{i}]",
                    "the publisher's own calculation has no text of its own to take this figure from",
                    "name the claim on the record that states it (`claim: <id>`)",
                )
    if own is not None and claim.claimant == own and claim.derivation is None:
        yield error(
            doc.path,
            doc.position(("claimant",)),
            "own-calculation",
            "derivation",
            "a claim by the publisher's own party is its calculation, and shows its working",
            "add `derivation:` (a formula `from:` claims on the record), or credit the claim to who made it",
        )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    texts = {name: normalise(text) for name, text in dataset.snapshot_texts.items()}
    for claim in dataset.claims.values():
        yield from _paraphrase(claim, dataset, texts)
        yield from _own_calculation(claim, dataset)
        yield from _log(claim)


def _paraphrased_by(claim: Claim, by: str, source: Source, dataset: Dataset) -> Iterator[Finding]:
    """Who is credited with a paraphrase: not the claimant, and the author or publisher of the source it
    is in (an unknown party is reported by the references check)."""
    doc = claim.document
    if by not in dataset.parties:
        return
    if by == claim.claimant:
        yield error(
            doc.path,
            doc.position(("paraphrase", "by")),
            "paraphrase-by",
            "paraphrase.by",
            "the claimant's own words are a quote, not a paraphrase",
            "give them as `quote:`; a paraphrase is someone else's rewording of the claim",
        )
    makers = {p for p in (source.author, source.publisher) if p}
    if makers and not affiliations(by, dataset.parties) & set().union(
        *(affiliations(m, dataset.parties) for m in makers)
    ):
        yield error(
            doc.path,
            doc.position(("paraphrase", "by")),
            "paraphrase-by",
            "paraphrase.by",
            f"'{by}' did not write or publish {source.id} (that was {' or '.join(sorted(makers))})",
            "credit the paraphrase to whoever wrote the words in that source, or write `by: unknown` when "
            "the source does not show whose words they are",
        )


def _claimants_own(claim: Claim, source: Source, dataset: Dataset) -> bool:
    """Whether ``source`` was written or published by the claimant's side (the claimant, its
    spokesperson, or an organisation either belongs to)."""
    side = {claim.claimant, *([claim.spokesperson] if claim.spokesperson else [])}
    makers = {p for p in (source.author, source.publisher) if p}
    return any(not independent(maker, party, dataset.parties) for maker in makers for party in side)
