"""Every quote must appear word for word in its source's snapshot, where there is one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error
from ..model import Dataset
from ..yamlsafe import Document, FieldPath, format_field


def normalise(text: str) -> str:
    """Fold every run of white space to one space, so line wrapping in YAML does not matter."""
    return " ".join(text.split())


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    normalised: dict[str, str] = {name: normalise(text) for name, text in dataset.snapshot_texts.items()}

    def verify(document: Document, path: FieldPath, source_id: str | None, quote: str | None) -> Iterator[Finding]:
        if quote is None or source_id is None:
            return
        found = dataset.snapshot_of(source_id)
        if found is None:
            return
        holder, _ = found
        assert holder.snapshot is not None
        if normalise(quote) not in normalised[holder.snapshot.file]:
            yield error(
                document.path,
                document.position(path),
                "quote-not-in-snapshot",
                format_field(path),
                f"the quote does not appear in the snapshot of {source_id} ({holder.snapshot.file})",
                "copy the words exactly as the source has them, typos and punctuation included; "
                "only line breaks and spacing may differ",
            )

    for claim in dataset.claims.values():
        doc = claim.document
        first_read = claim.appearances[0].source if claim.appearances else None
        yield from verify(doc, ("quote",), first_read, claim.quote)
        for i, appearance in enumerate(claim.appearances):
            yield from verify(doc, ("appearances", i, "quote"), appearance.source, appearance.quote)
        for i, rebuttal in enumerate(claim.rebuttals):
            yield from verify(doc, ("rebuttals", i, "quote"), rebuttal.via or rebuttal.source, rebuttal.quote)
        for i, conversion in enumerate(claim.conversions):
            yield from verify(doc, ("conversions", i, "quote"), conversion.source, conversion.quote)
        if claim.baseline is not None and claim.appearances:
            yield from verify(doc, ("baseline", "quote"), claim.appearances[0].source, claim.baseline.quote)
