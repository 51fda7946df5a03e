"""Load a project and check it, once: the core's entry point for the command line, engines and tools."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from .. import __version__
from ..findings import Finding, warning
from ..record import paths
from ..record.layout import SCHEMA_COPY
from ..record.loader import load
from ..record.model import Dataset
from ..record.schema import schema_text
from ..settings import Settings
from . import run_checks
from .markup import check_docs
from .siteconfig import DocsPolicy, read_docs_policy
from .sitepolicy import check_site

# The date is already "today" somewhere as soon as it is in the earliest time zone (UTC+14): a
# claim reviewed today in Auckland must not be "in the future" for a check run in New York.
EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))


def latest_today() -> dt.date:
    """Today's date where it is latest: nothing dated on or before it lies in the future anywhere."""
    return dt.datetime.now(EARLIEST_ZONE).date()


def check_project(
    root: Path,
    today: dt.date | None = None,
    settings: Settings | None = None,
    docs: DocsPolicy | None = None,
    config_file: Path | None = None,
) -> tuple[Dataset, list[Finding]]:
    """Load ``root/claims`` and run every check, on the hand-written pages too under ``docs`` (by default
    ``root/mkdocs.yml``'s policy), and the site policy on ``config_file`` (by default ``root/mkdocs.yml``);
    findings sorted by file and line. ``settings`` say how (processes, cache); the defaults keep no cache."""
    settings = settings or Settings()
    # Loading and checking make many small objects and no reference cycles: the cycle collector
    # would only slow them down (9 % of the CPU time of a check of 10,000 claims: docs/benchmarks.md).
    collecting = gc.isenabled()
    gc.disable()
    try:
        cache_dir = settings.item_cache_dir
        dataset, findings = load(root, cache_dir=cache_dir, workers=settings.workers)
        findings.extend(run_checks(dataset, today or latest_today(), settings.workers, root=root, cache_dir=cache_dir))
    finally:
        if collecting:
            gc.enable()
    findings.extend(check_docs(root, dataset, docs or read_docs_policy(root / "mkdocs.yml")))
    findings.extend(check_schema_copy(root.resolve()))
    findings.extend(check_site(root, config_file))
    return dataset, sorted(set(findings))


def check_schema_copy(root: Path) -> list[Finding]:
    """A warning if the project's copy of the schema (for editors) is not the installed claimledger's."""
    copy = root / SCHEMA_COPY
    if paths.check(root, copy) is not None or not copy.is_file():  # none, or one that is not read
        return []
    try:
        if copy.read_bytes() == schema_text().encode("utf-8"):
            return []
    except OSError:
        return []
    return [
        warning(
            SCHEMA_COPY,
            (1, 1),
            "schema-copy",
            "(whole file)",
            f"this copy of the schema differs from the one claimledger {__version__} checks with, so editors "
            "check your files against another contract than `claimledger check` does",
            "delete it and run `claimledger init --force`, which puts back the current copy and changes nothing else",
        )
    ]
