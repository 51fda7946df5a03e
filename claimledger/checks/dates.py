"""Dates in time: what happened on the record has happened; what a figure covers lies within reach.

A date of an event (a claim's ``date``, review, provenance steps, exchange rates and log entries; a source's
``published``, ``archive_date``, ``accessed`` and snapshot's ``retrieved``) is never after today in the earliest
time zone (``date-future``). A period may be a target or a forecast, but it ends at most
:data:`PERIOD_HORIZON_YEARS` years from today, by the end of that year (``period-future``): far enough for 2100
targets, near enough to catch a mistyped year (2202 for 2022).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..record.model import Dataset, PartialDate, Rate
from ..record.yamlsafe import Document, FieldPath
from .references import report

PERIOD_HORIZON_YEARS = 100


def _event_dates(dataset: Dataset) -> Iterator[tuple[Document, FieldPath, PartialDate | None]]:
    for claim in dataset.claims.values():
        yield claim.document, ("date",), claim.date
        if claim.review is not None:
            yield claim.document, ("review", "date"), claim.review.date
        for i, step in enumerate(claim.provenance):
            yield claim.document, ("provenance", i, "date"), step.date
        for i, conversion in enumerate(claim.conversions):
            if isinstance(conversion.rate, Rate):
                yield claim.document, ("conversions", i, "rate", "date"), conversion.rate.date
        for i, entry in enumerate(claim.log):
            yield claim.document, ("log", i, "date"), entry.date
    for source in dataset.sources.values():
        yield source.document, ("published",), source.published
        yield source.document, ("archive_date",), source.archive_date
        yield source.document, ("accessed",), source.accessed
        if source.snapshot is not None:
            yield source.document, ("snapshot", "retrieved"), source.snapshot.retrieved


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for document, path, value in _event_dates(dataset):
        if value is not None and value.earliest() > today:
            yield report(
                document,
                path,
                "date-future",
                f"{value} is in the future (it is {today.isoformat()} in the earliest time zone)",
                "use the date on which it happened"
                + ("; if it is not known, write `unknown`" if path[0] != "review" else ""),
            )
    horizon = dt.date(min(today.year + PERIOD_HORIZON_YEARS, dt.MAXYEAR), 12, 31)  # the last day a period may cover
    for claim in dataset.claims.values():
        baseline_period = claim.baseline.period if claim.baseline is not None else None
        for path, period in ((("period",), claim.period), (("baseline", "period"), baseline_period)):
            if period is not None and (period.end or period.start).latest() > horizon:
                yield report(
                    claim.document,
                    path,
                    "period-future",
                    f"the period {period} ends after {horizon.year}: a period may reach into the future (a target, a "
                    f"forecast), but at most {PERIOD_HORIZON_YEARS} years from today",
                    "check the year for a typo (2202 for 2022); a figure for an open-ended future is stated without "
                    "a period",
                )
