"""Semantic checks on a loaded dataset.

Each check is a function from the model to findings; :func:`run_checks`
runs them all.  The schema has already been applied by the loader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from ..findings import Finding
from ..record.model import Dataset
from ..record.parallel import map_chunks
from . import archives, basis, dates, editorial, evidence, figures, markup, quotes, references, review, scale, snapshots

Check = Callable[[Dataset, dt.date], Iterable[Finding]]

# Ordered so that every other check, taken in turn, makes two halves of about the same work
# (measured at 10,000 claims: markup and quotes weigh most, then evidence and references).
CHECKS: tuple[Check, ...] = (
    quotes.check,
    markup.check,
    references.check,
    evidence.check,
    basis.check,
    editorial.check,
    archives.check,
    dates.check,
    snapshots.check,
    scale.check,
    review.check,
    figures.check,
)

# From this many claims on, the checks are shared among the cores (see :mod:`claimledger.record.parallel`).
PARALLEL_FROM_CLAIMS = 2000


def run_checks(dataset: Dataset, today: dt.date, workers: int | None = None) -> list[Finding]:
    """Every check's findings. From :data:`PARALLEL_FROM_CLAIMS` claims on, ``workers`` processes
    share them (``None``: as many as :mod:`claimledger.record.parallel` finds)."""

    def run(some: Sequence[Check]) -> list[list[Finding]]:
        return [list(check(dataset, today)) for check in some]

    workers = workers if len(dataset.claims) >= PARALLEL_FROM_CLAIMS else 1
    return [finding for found in map_chunks(run, CHECKS, workers, min_jobs=1) for finding in found]
