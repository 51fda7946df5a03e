"""The status scale is coherent: unique ids, ratings within its bounds, a log oldest first and in no future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..record.model import Dataset
from .references import report


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    scale = dataset.scale
    if scale is None:
        return
    doc = scale.document
    if scale.worst_rating >= scale.best_rating:
        message = "worst_rating must be lower than best_rating"
        yield report(doc, ("worst_rating",), "scale", message, "e.g. worst_rating: 1, best_rating: 5")
    seen: set[str] = set()
    for status in scale.statuses:
        path = ("statuses", status.index)
        if status.id in seen:
            message = f"status '{status.id}' is defined twice"
            yield report(doc, (*path, "id"), "duplicate-id", message, "give each status its own id")
        seen.add(status.id)
        if status.rating_value is not None and not scale.worst_rating <= status.rating_value <= scale.best_rating:
            message = f"rating_value {status.rating_value} is outside {scale.worst_rating}..{scale.best_rating}"
            hint = "keep ratings between worst_rating and best_rating, or use null"
            yield report(doc, (*path, "rating_value"), "scale", message, hint)
    for i, entry in enumerate(scale.log):
        if entry.date.earliest() > today:
            message = f"{entry.date} is in the future (it is {today.isoformat()} in the earliest time zone)"
            yield report(doc, ("log", i, "date"), "date-future", message, "use the date on which the scale changed")
        previous = scale.log[i - 1].date if i else None
        if previous is not None and entry.date.earliest() < previous.earliest():
            message = f"this entry ({entry.date}) is older than the one before it ({previous})"
            hint = "the log runs oldest first: a new entry goes at its end, dated the day of the change"
            yield report(doc, ("log", i, "date"), "log-order", message, hint)
