"""Semantic checks on a loaded dataset.

Each check is a function from the model to findings; :func:`run_checks`
runs them all.  The schema has already been applied by the loader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from ..findings import Finding
from ..model import Dataset
from . import archives, dates, evidence, markup, quotes, references, scale, snapshots

Check = Callable[[Dataset, dt.date], Iterable[Finding]]

CHECKS: tuple[Check, ...] = (
    references.check,
    scale.check,
    evidence.check,
    dates.check,
    snapshots.check,
    quotes.check,
    markup.check,
    archives.check,
)


def run_checks(dataset: Dataset, today: dt.date) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(dataset, today)]
