"""Build the site into a temporary folder, then swap it in: a failed build leaves the last good site.

The build runs ``mkdocs build --strict``; ``SOURCE_DATE_EPOCH`` is pinned to
the newest review date of the dataset (unless already set), so that the same
input gives byte-identical output, the sitemap's dates included.
"""

from __future__ import annotations

import calendar
import os
import shutil
import tempfile
from pathlib import Path

from ..findings import Finding
from ..model import Dataset
from .progress import ENV as PROGRESS_ENV

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


def build_site(
    root: Path,
    site_dir: Path,
    dataset: Dataset,
    findings: list[Finding],
    *,
    config_file: Path | None = None,
    progress: bool | None = None,
) -> None:
    """``mkdocs build --strict`` into a staging folder next to ``site_dir``, then swap.

    MkDocs runs in this process and the plugin is handed the dataset already loaded and checked,
    so a build reads the claims once.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir = site_dir.resolve()
    _check_replaceable(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site is for a web server to read
    pinned = {"SOURCE_DATE_EPOCH": str(source_date_epoch(dataset)), "NO_MKDOCS_2_WARNING": "1"}
    saved: dict[str, str | None] = {name: os.environ.get(name) for name in (*pinned, PROGRESS_ENV)}
    for name, value in pinned.items():
        os.environ.setdefault(name, value)
    if progress is not None:  # asked for, or not, on the command line
        os.environ[PROGRESS_ENV] = "1" if progress else "0"
    preload(root, dataset, findings)
    try:
        config = load_config(config_file=str(config_file or root / "mkdocs.yml"), site_dir=str(staging), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
        (staging / MARKER).write_text("built by claimtrail build\n", encoding="utf-8")
        _swap(staging, site_dir)
    except (MkDocsException, OSError) as exc:
        raise BuildError(f"{exc}; the previous site is untouched") from None
    finally:
        preload(root, None, [])
        for name, previous in saved.items():
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous
        if staging.exists():
            shutil.rmtree(staging)


_PRELOADED: dict[Path, tuple[Dataset, list[Finding]]] = {}


def preload(root: Path, dataset: Dataset | None, findings: list[Finding]) -> None:
    """Hand the plugin a dataset already loaded for ``root`` (None takes it back)."""
    if dataset is None:
        _PRELOADED.pop(root.resolve(), None)
    else:
        _PRELOADED[root.resolve()] = (dataset, findings)


def preloaded(root: Path) -> tuple[Dataset, list[Finding]] | None:
    return _PRELOADED.get(root.resolve())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(staging: Path, site_dir: Path) -> None:
    old: Path | None = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
    try:
        staging.rename(site_dir)
    except OSError:
        if old is not None:
            old.rename(site_dir)  # put the previous site back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
