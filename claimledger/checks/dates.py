"""Dates must not lie in the future (real-date validity is checked while loading)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error
from ..model import Dataset, PartialDate, Rate
from ..yamlsafe import Document, FieldPath, format_field


def _future(document: Document, path: FieldPath, value: PartialDate | None, today: dt.date) -> Iterator[Finding]:
    if value is not None and value.earliest() > today:
        yield error(
            document.path,
            document.position(path),
            "date-future",
            format_field(path),
            f"{value} is in the future (it is {today.isoformat()} in the earliest time zone)",
            "use the date on which it happened"
            + ("; if it is not known, write `unknown`" if path[0] != "review" else ""),
        )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for claim in dataset.claims.values():
        doc = claim.document
        yield from _future(doc, ("date",), claim.date, today)
        if claim.review is not None:
            yield from _future(doc, ("review", "date"), claim.review.date, today)
        if claim.period is not None:
            yield from _future(doc, ("period",), claim.period.start, today)
        for i, step in enumerate(claim.provenance):
            yield from _future(doc, ("provenance", i, "date"), step.date, today)
        for i, conversion in enumerate(claim.conversions):
            if isinstance(conversion.rate, Rate):
                yield from _future(doc, ("conversions", i, "rate", "date"), conversion.rate.date, today)
        for i, entry in enumerate(claim.log):
            yield from _future(doc, ("log", i, "date"), entry.date, today)
    for source in dataset.sources.values():
        doc = source.document
        yield from _future(doc, ("published",), source.published, today)
        yield from _future(doc, ("archive_date",), source.archive_date, today)
        yield from _future(doc, ("accessed",), source.accessed, today)
        if source.snapshot is not None:
            yield from _future(doc, ("snapshot", "retrieved"), source.snapshot.retrieved, today)
