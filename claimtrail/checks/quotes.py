"""Every quote must appear word for word in its source's snapshot, where there is one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error
from ..model import Claim, Dataset
from ..yamlsafe import FieldPath, format_field


def normalise(text: str) -> str:
    """Fold every run of white space to one space, so line wrapping in YAML does not matter."""
    return " ".join(text.split())


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    normalised: dict[str, str] = {name: normalise(text) for name, text in dataset.snapshot_texts.items()}
    snapshot_files: dict[str, str | None] = {}  # by source id: the file holding its text, if any

    def snapshot_file(source_id: str) -> str | None:
        if source_id not in snapshot_files:
            found = dataset.snapshot_of(source_id)
            snapshot_files[source_id] = found[0].snapshot.file if found and found[0].snapshot else None
        return snapshot_files[source_id]

    for claim in dataset.claims.values():
        for path, source_id, quote in _quotes(claim):
            if quote is None or source_id is None:
                continue
            file = snapshot_file(source_id)
            if file is not None and normalise(quote) not in normalised[file]:
                yield error(
                    claim.document.path,
                    claim.document.position(path),
                    "quote-not-in-snapshot",
                    format_field(path),
                    f"the quote does not appear in the snapshot of {source_id} ({file})",
                    "copy the words exactly as the source has them, typos and punctuation included; "
                    "only line breaks and spacing may differ",
                )


def _quotes(claim: Claim) -> Iterator[tuple[FieldPath, str | None, str | None]]:
    """Each quote of a claim: its field, the source it quotes and the quote."""
    first_read = claim.appearances[0].source if claim.appearances else None
    yield ("quote",), first_read, claim.quote
    for i, appearance in enumerate(claim.appearances):
        yield ("appearances", i, "quote"), appearance.source, appearance.quote
    for i, rebuttal in enumerate(claim.rebuttals):
        yield ("rebuttals", i, "quote"), rebuttal.via or rebuttal.source, rebuttal.quote
    for i, conversion in enumerate(claim.conversions):
        yield ("conversions", i, "quote"), conversion.source, conversion.quote
    if claim.baseline is not None and claim.appearances:
        yield ("baseline", "quote"), claim.appearances[0].source, claim.baseline.quote
