"""Dates in time: what happened on the record has happened; what a figure covers lies within reach.

Real-date validity is checked while loading. Here, two rules, one for each kind of date:

- A date of an event on the record (a claim's ``date`` and ``reviewed``, a provenance step's, an
  exchange rate's, a log entry's; a source's ``published``, ``archive_date``, ``accessed`` and its
  snapshot's ``retrieved``) is never after today: it is already today somewhere from the earliest
  time zone on (``date-future``).
- A period (a claim's ``period``, its baseline's) is the time a figure covers, and a figure may be
  a target or a forecast: the period may lie in the future, but it ends at most
  :data:`PERIOD_HORIZON_YEARS` years from today, by the end of that year (``period-future``). That is
  far enough for the furthest targets and projections claims make (2050, 2070, 2100) and catches a
  mistyped year (2202 for 2022, 9999).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error
from ..record.model import Dataset, PartialDate, Period, Rate
from ..record.yamlsafe import Document, FieldPath, format_field

PERIOD_HORIZON_YEARS = 100


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


def period_horizon(today: dt.date) -> dt.date:
    """The last day a period may cover: the end of the year :data:`PERIOD_HORIZON_YEARS` from today."""
    return dt.date(min(today.year + PERIOD_HORIZON_YEARS, dt.MAXYEAR), 12, 31)


def _beyond_reach(document: Document, path: FieldPath, period: Period | None, today: dt.date) -> Iterator[Finding]:
    if period is None:
        return
    horizon = period_horizon(today)
    if (period.end or period.start).latest() > horizon:
        yield error(
            document.path,
            document.position(path),
            "period-future",
            format_field(path),
            f"the period {period} ends after {horizon.year}: a period may reach into the future (a target, a "
            f"forecast), but at most {PERIOD_HORIZON_YEARS} years from today",
            "check the year for a typo (2202 for 2022); a figure for an open-ended future is stated without a period",
        )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for claim in dataset.claims.values():
        doc = claim.document
        yield from _future(doc, ("date",), claim.date, today)
        if claim.review is not None:
            yield from _future(doc, ("review", "date"), claim.review.date, today)
        yield from _beyond_reach(doc, ("period",), claim.period, today)
        if claim.baseline is not None:
            yield from _beyond_reach(doc, ("baseline", "period"), claim.baseline.period, today)
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
