"""Build the site into a temporary folder, then swap it in: a failed build leaves the last good site.

The same for every engine (:mod:`claimtrail.engines`): :class:`StagedBuild` makes the staging
folder next to the site's, starts the engine's build there before the dataset is checked, has it
build the whole site once the dataset passed its checks, and swaps the site in. The engine's
builds pin ``SOURCE_DATE_EPOCH`` to :func:`source_date_epoch` (unless already set), so that the same
input gives byte-identical output, the sitemap's dates included.
"""

from __future__ import annotations

import calendar
import gc
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..engines import Engine, EngineBuild, Project, SiteInput
from ..findings import Finding
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


class StagedBuild:
    """A site build in a staging folder next to ``site_dir``, swapped in only once built whole.

    Entering makes the staging folder and starts the engine's build in it (which may read its
    configuration and start work ahead while the dataset is checked); :meth:`run` has the engine
    build the site from the dataset already loaded and checked (a build reads the claims once), and
    swaps the site in. Leaving closes the engine's build and removes the staging folder, whatever
    happened.
    """

    def __init__(self, engine: Engine, project: Project, site_dir: Path):
        self.engine = engine
        self.project = project
        self.site_dir = site_dir.resolve()
        self.staging: Path | None = None
        self.build: EngineBuild | None = None

    def __enter__(self) -> StagedBuild:
        _check_replaceable(self.site_dir)
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.new-", dir=self.site_dir.parent))
        try:
            self.staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site is for a web server to read
            self.build = self.engine.start(self.project, self.staging)
        except BaseException:
            self.__exit__()
            raise
        return self

    def run(self, dataset: Dataset, findings: Sequence[Finding]) -> None:
        assert self.build is not None and self.staging is not None
        frozen = not gc.isenabled() or gc.get_freeze_count() > 0
        if not frozen:  # the model lives as long as the build: the collector need not scan it again and again
            gc.freeze()
        try:
            self.build.build(SiteInput(self.project, dataset, tuple(findings)))
            (self.staging / MARKER).write_text("built by claimtrail build\n", encoding="utf-8")
            _swap(self.staging, self.site_dir)
        except OSError as exc:
            raise BuildError(f"{exc}; the previous site is untouched") from None
        finally:
            if not frozen:
                gc.unfreeze()

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self.build is not None:
                self.build.close()
        finally:
            if self.staging is not None and self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)


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
