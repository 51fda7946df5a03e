"""Semantic checks on a loaded dataset (the loader has applied the schema): :func:`run_checks` runs them all."""

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
PARALLEL_FROM_CLAIMS = 2000  # from this many claims on, the checks are shared among the cores


def run_checks(dataset: Dataset, today: dt.date, workers: int | None = None) -> list[Finding]:
    """Every check's findings, shared among ``workers`` processes from :data:`PARALLEL_FROM_CLAIMS` claims on."""

    def run(some: Sequence[Check]) -> list[list[Finding]]:
        return [list(check(dataset, today)) for check in some]

    workers = workers if len(dataset.claims) >= PARALLEL_FROM_CLAIMS else 1
    return [finding for found in map_chunks(run, CHECKS, workers, min_jobs=1) for finding in found]
