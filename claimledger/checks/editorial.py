"""Quote or paraphrase, the publisher's own calculations, and the log of editorial changes.

A ``paraphrase`` (someone else's rewording of the claim) is credited to whoever wrote or published its source
and checked against that source's snapshot like a quote. A claim with neither is the publisher's own calculation:
credited to the publisher's party and derived from figures on the record. A claim's ``log`` runs oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..record.model import Claim, Dataset
from .evidence import independent, made_by, makers
from .quotes import SnapshotReader, normalise, snapshots
from .references import report


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    """Each paraphrase, against its source and the parties (a claim's own calculation and log: :func:`check_item`)."""
    read = snapshots(dataset)
    for claim in dataset.claims.values():
        yield from _paraphrase(claim, dataset, read)


def check_item(item: object, project: Dataset) -> Iterator[Finding]:
    """A claim's own calculation, against the publisher's party, and its log's order."""
    if not isinstance(item, Claim):
        return
    yield from _own_calculation(item, project)
    for index in range(1, len(item.log)):
        earlier, entry = item.log[index - 1], item.log[index]
        if entry.date.earliest() < earlier.date.earliest():
            message = f"this entry ({entry.date}) comes after one dated {earlier.date}"
            hint = "keep the log oldest first: add each new entry at the end"
            yield report(item.document, ("log", index, "date"), "log-order", message, hint)


def _paraphrase(claim: Claim, dataset: Dataset, read: SnapshotReader) -> Iterator[Finding]:
    paraphrase = claim.paraphrase
    source = dataset.sources.get(paraphrase.source) if paraphrase else None  # an unknown one: the references check
    if paraphrase is None or source is None:
        return
    by, path = paraphrase.by, ("paraphrase", "by")
    side = {claim.claimant, *([claim.spokesperson] if claim.spokesperson else [])}
    if by == claim.claimant and by in dataset.parties:
        message = "the claimant's own words are a quote, not a paraphrase"
        hint = "give them as `quote:`; a paraphrase is someone else's rewording of the claim"
        yield report(claim.document, path, "paraphrase-by", message, hint)
    if by is not None and by in dataset.parties and not made_by(by, source, dataset.parties):
        yield report(
            claim.document,
            path,
            "paraphrase-by",
            f"'{by}' did not write or publish {source.id} (that was {' or '.join(sorted(makers(source)))})",
            "credit the paraphrase to whoever wrote the words in that source, or write `by: unknown` when "
            "the source does not show whose words they are",
        )
    # `by: unknown` in a source the claimant's side (its spokesperson, an organisation either belongs to) wrote
    if by is None and any(not independent(maker, party, dataset.parties) for maker in makers(source) for party in side):
        message = f"{source.id} is the claimant's own: its words are the claimant's, a quote, not a paraphrase"
        hint = "give them as `quote:`; `by: unknown` is for a source that does not show whose words it gives"
        yield report(claim.document, path, "paraphrase-by", message, hint)
    if (found := read(source.id)) is not None and normalise(paraphrase.text) not in found[1]:
        message = f"the paraphrase does not appear in the snapshot of {source.id} ({found[0]})"
        hint = "copy the paraphraser's words exactly as the source has them; only line breaks and spacing may differ"
        yield report(claim.document, ("paraphrase", "text"), "quote-not-in-snapshot", message, hint)


def _own_calculation(claim: Claim, dataset: Dataset) -> Iterator[Finding]:
    """Only the publisher's party goes without a quote, and only with its working: a derivation."""
    own = dataset.publisher.party if dataset.publisher is not None else None
    doc = claim.document
    if claim.own_calculation and claim.claimant != own:
        yield report(
            doc,
            ("claimant",),
            "own-calculation",
            f"a claim with no quote or paraphrase is the publisher's own calculation, but {claim.claimant} is "
            + ("not the publisher's party" if own else "claimed for no publisher's party"),
            "give the claimant's words as `quote:` (with `first_appearance:` and `appearances:`); for the "
            "editors' own calculation, set `claimant:` to the party `party:` names in claims/publisher.yaml",
        )
    elif claim.own_calculation and claim.derivation is not None:
        for i, operand in enumerate(claim.derivation.operands):
            if operand.claim is None:
                message = "the publisher's own calculation has no text of its own to take this figure from"
                hint = "name the claim on the record that states it (`claim: <id>`)"
                yield report(doc, ("derivation", "from", i), "own-calculation", message, hint)
    if own is not None and claim.claimant == own and claim.derivation is None:
        message = "a claim by the publisher's own party is its calculation, and shows its working"
        hint = "add `derivation:` (a formula `from:` claims on the record), or credit the claim to who made it"
        yield report(doc, ("claimant",), "own-calculation", message, hint, field="derivation")
