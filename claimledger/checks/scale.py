"""The status scale must be coherent: unique ids, ratings within its bounds, a log of its changes that
runs oldest first and lies in no future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error
from ..record.model import Dataset


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    scale = dataset.scale
    if scale is None:
        return
    doc = scale.document
    if scale.worst_rating >= scale.best_rating:
        yield error(
            doc.path,
            doc.position(("worst_rating",)),
            "scale",
            "worst_rating",
            "worst_rating must be lower than best_rating",
            "e.g. worst_rating: 1, best_rating: 5",
        )
    seen: set[str] = set()
    for status in scale.statuses:
        path = ("statuses", status.index)
        if status.id in seen:
            yield error(
                doc.path,
                doc.position((*path, "id")),
                "duplicate-id",
                f"statuses[{status.index}].id",
                f"status '{status.id}' is defined twice",
                "give each status its own id",
            )
        seen.add(status.id)
        if status.rating_value is not None and not scale.worst_rating <= status.rating_value <= scale.best_rating:
            yield error(
                doc.path,
                doc.position((*path, "rating_value")),
                "scale",
                f"statuses[{status.index}].rating_value",
                f"rating_value {status.rating_value} is outside {scale.worst_rating}..{scale.best_rating}",
                "keep ratings between worst_rating and best_rating, or use null",
            )
    previous = None
    for i, entry in enumerate(scale.log):
        field = f"log[{i}].date"
        if entry.date.earliest() > today:
            yield error(
                doc.path,
                doc.position(("log", i, "date")),
                "date-future",
                field,
                f"{entry.date} is in the future (it is {today.isoformat()} in the earliest time zone)",
                "use the date on which the scale changed",
            )
        if previous is not None and entry.date.earliest() < previous.earliest():
            yield error(
                doc.path,
                doc.position(("log", i, "date")),
                "log-order",
                field,
                f"this entry ({entry.date}) is older than the one before it ({previous})",
                "the log runs oldest first: a new entry goes at its end, dated the day of the change",
            )
        previous = entry.date
