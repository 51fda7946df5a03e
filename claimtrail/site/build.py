"""Build the site into a temporary folder, then swap it in: a failed build leaves the last good site.

The build runs ``mkdocs build --strict``; ``SOURCE_DATE_EPOCH`` is pinned to
the newest review date of the dataset (unless already set), so that the same
input gives byte-identical output, the sitemap's dates included.
"""

from __future__ import annotations

import calendar
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..model import Dataset

MARKER = ".claimtrail-site"


class BuildError(Exception):
    pass


def source_date_epoch(dataset: Dataset) -> int:
    newest = max((c.reviewed.earliest() for c in dataset.claims.values()), default=None)
    return calendar.timegm(newest.timetuple()) if newest else 0


def _check_replaceable(site_dir: Path) -> None:
    if site_dir.exists() and not site_dir.is_dir():
        raise BuildError(f"{site_dir} exists and is not a folder")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / MARKER).exists():
        raise BuildError(
            f"{site_dir} is not empty and was not built by claimtrail ({MARKER} is missing); "
            "refusing to replace it: choose another --site-dir or empty it"
        )


def build_site(root: Path, site_dir: Path, dataset: Dataset, *, config_file: Path | None = None) -> None:
    """Run ``mkdocs build --strict`` into a staging folder next to ``site_dir``, then swap."""
    site_dir = site_dir.resolve()
    _check_replaceable(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", str(source_date_epoch(dataset)))
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(config_file or root / "mkdocs.yml"),
        "--site-dir",
        str(staging),
    ]
    try:
        result = subprocess.run(command, cwd=root, env=env, check=False)
        if result.returncode != 0:
            raise BuildError(f"mkdocs build --strict failed (exit {result.returncode}); the previous site is untouched")
        (staging / MARKER).write_text("built by claimtrail build\n", encoding="utf-8")
        _swap(staging, site_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _swap(staging: Path, site_dir: Path) -> None:
    old: Path | None = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
    staging.rename(site_dir)
    if old is not None:
        shutil.rmtree(old)
