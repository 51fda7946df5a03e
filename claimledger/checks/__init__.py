"""Semantic checks on a loaded dataset (the loader has applied the schema): :func:`run_checks` runs them all.

They come in two kinds. :data:`ITEM_CHECKS` (and the markdown's problems) read one item and what is the same
for the whole project (the status scale, the publisher): their findings are kept by the digest of the item's
file, and worked out again only for the items that changed (:mod:`claimledger.checks.own`). :data:`CHECKS`
read across items (references, quotes against snapshots, parties, derived figures, dates against today) and run
every time. A check that is not certainly of the first kind belongs to the second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..findings import Finding
from ..record.model import Dataset
from ..record.parallel import map_chunks
from . import archives, basis, dates, editorial, evidence, figures, markup, quotes, references, review, scale, snapshots
from .own import ItemCheck, item_findings

Check = Callable[[Dataset, dt.date], Iterable[Finding]]

# Ordered so that every other check, taken in turn, makes two halves of about the same work (measured at
# 10,000 claims, 0.24 s in all on one core: quotes weighs most, then evidence, references, basis and dates).
CHECKS: tuple[Check, ...] = (
    quotes.check,
    basis.check,
    dates.check,
    references.check,
    snapshots.check,
    evidence.check,
    editorial.check,
    archives.check,
    scale.check,
    review.check,
    figures.check,
)
# Each takes an item and the project-wide part of the dataset (claimledger.checks.own.project_wide).
ITEM_CHECKS: tuple[ItemCheck, ...] = (
    review.check_item,
    figures.check_item,
    archives.check_item,
    editorial.check_item,
)
PARALLEL_FROM_CLAIMS = 2000  # from this many claims on, the checks are shared among the cores


def run_checks(
    dataset: Dataset,
    today: dt.date,
    workers: int | None = None,
    *,
    root: Path | None = None,
    cache_dir: Path | None = None,
) -> list[Finding]:
    """Every check's findings, shared among ``workers`` processes from :data:`PARALLEL_FROM_CLAIMS` claims on:
    each item's own first (kind by kind, in id order), then the markdown's unknown references, then
    :data:`CHECKS`' in turn. Items' own findings are kept in the item cache's folder ``cache_dir``, for the
    project at ``root`` (neither given: none are kept)."""

    def run(some: Sequence[Check]) -> list[list[Finding]]:
        return [list(check(dataset, today)) for check in some]

    workers = workers if len(dataset.claims) >= PARALLEL_FROM_CLAIMS else 1
    own = item_findings(dataset, ITEM_CHECKS, workers, root=root, cache_dir=cache_dir)
    findings = [finding for _, of_item in own for finding in of_item.findings]
    findings += markup.unresolved(dataset, ((item, of_item.cited) for item, of_item in own if of_item.cited))
    return findings + [finding for found in map_chunks(run, CHECKS, workers, min_jobs=1) for finding in found]
