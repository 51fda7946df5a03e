"""Build the site into a temporary folder, then swap it in: a failed build leaves the last good site.

The build runs ``mkdocs build --strict``; ``SOURCE_DATE_EPOCH`` is pinned to
the newest review date of the dataset (unless already set), so that the same
input gives byte-identical output, the sitemap's dates included. It is never
earlier than 1 January 1980, the earliest time that every archive format can
store (gzip none before 1970, zip none before 1980): only the site's build
date says so, never a page.

The staging folder, ``.SITE.new-PID-XXXXXXXX`` next to the site folder, and the
previous site while it is swapped out, ``.SITE.old-PID-XXXXXXXX``, name the
process that made them: a build removes those whose process is gone (a build
that was killed), and leaves those of a build still running.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
import logging.handlers
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import Finding
from ..model import Dataset
from ..parallel import signals_held
from ..siteconfig import OPTION, DocsPolicy, read_docs_policy
from .precompile import stop as stop_compiling
from .progress import ENV as PROGRESS_ENV

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

MARKER = ".claimtrail-site"


class BuildError(Exception):
    pass


# 1980-01-01T00:00:00Z: zip stores no earlier time, gzip none before 1970 (and MkDocs gzips the sitemap).
EARLIEST_BUILD_TIME = calendar.timegm((1980, 1, 1, 0, 0, 0))


def source_date_epoch(dataset: Dataset) -> int:
    """The build time: the newest review date, or :data:`EARLIEST_BUILD_TIME` if that is later."""
    newest = max((c.reviewed.earliest() for c in dataset.claims.values()), default=None)
    return max(EARLIEST_BUILD_TIME, calendar.timegm(newest.timetuple()) if newest else 0)


def _pin_build_time(dataset: Dataset) -> None:
    """``SOURCE_DATE_EPOCH``: the one given, or the dataset's; a time archives cannot store is moved
    up to the earliest they can."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(dataset))
        return
    try:
        seconds = int(given)
    except ValueError:
        raise BuildError(
            f"SOURCE_DATE_EPOCH={given!r} is not a whole number of seconds: unset it or correct it; "
            "the previous site is untouched"
        ) from None
    os.environ["SOURCE_DATE_EPOCH"] = str(max(EARLIEST_BUILD_TIME, seconds))


def _check_replaceable(site_dir: Path) -> None:
    if site_dir.exists() and not site_dir.is_dir():
        raise BuildError(f"{site_dir} exists and is not a folder")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / MARKER).exists():
        raise BuildError(
            f"{site_dir} is not empty and was not built by claimtrail ({MARKER} is missing); "
            "refusing to replace it: choose another --site-dir or empty it"
        )


_PINNED = ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")


class StagedBuild:
    """A site build in a staging folder next to ``site_dir``, swapped in only once built whole.

    Entering reads the MkDocs configuration and starts compiling the templates on the other core
    (:mod:`claimtrail.site.precompile`), so that this happens while the dataset is checked;
    :meth:`run` then builds with ``mkdocs build --strict`` in this process, the plugin handed the
    dataset already loaded and checked (a build reads the claims once), and swaps the site in.
    Leaving removes the staging folder and stops the compiling, whatever happened.
    """

    def __init__(self, root: Path, site_dir: Path, *, config_file: Path | None = None, progress: bool | None = None):
        self.root = root.resolve()
        self.site_dir = site_dir.resolve()
        self.config_file = config_file or self.root / "mkdocs.yml"
        self.progress = progress
        self.staging: Path | None = None
        self.config: MkDocsConfig | None = None
        self.config_error: BuildError | None = None
        self.saved: dict[str, str | None] = {}
        self.held: list[logging.LogRecord] = []

    def __enter__(self) -> StagedBuild:
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(self.site_dir)
        _check_replaceable(self.site_dir)
        self.staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(self.site_dir, "new"), dir=self.site_dir.parent))
        try:
            self.staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site is for a web server to read
            self.saved = {name: os.environ.get(name) for name in (*_PINNED, PROGRESS_ENV)}
            os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
            if self.progress is not None:  # asked for, or not, on the command line
                os.environ[PROGRESS_ENV] = "1" if self.progress else "0"
            # What MkDocs says of the configuration, and its error, come after the dataset's findings:
            # they are held back until run().
            with _held_back("mkdocs") as self.held:
                try:
                    self.config = load_config(
                        config_file=str(self.config_file), site_dir=str(self.staging), strict=True
                    )
                except (MkDocsException, OSError) as exc:
                    self.config_error = BuildError(f"{exc}; the previous site is untouched")
            if self.config is not None:
                from .plugin import start_compiling_templates

                start_compiling_templates(self.config)
        except BaseException:
            _show(self.held)
            self.__exit__()
            raise
        return self

    def docs_policy(self) -> DocsPolicy:
        """Which hand-written pages may hold raw HTML: as MkDocs read the configuration, else as the
        checks read it."""
        plugin = self.config.plugins.get("claimtrail") if self.config is not None else None
        if plugin is None:
            return read_docs_policy(self.config_file)
        return DocsPolicy.from_option(plugin.config.get(OPTION))

    def run(self, dataset: Dataset, findings: list[Finding]) -> None:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import MkDocsException

        _show(self.held)
        if self.config_error is not None:
            raise self.config_error
        assert self.config is not None and self.staging is not None
        _pin_build_time(dataset)
        preload(self.root, dataset, findings)
        try:
            self.config.plugins.on_startup(command="build", dirty=False)
            try:
                build(self.config)
            finally:
                self.config.plugins.on_shutdown()
            (self.staging / MARKER).write_text("built by claimtrail build\n", encoding="utf-8")
            _swap(self.staging, self.site_dir)
        except (MkDocsException, OSError) as exc:
            raise BuildError(f"{exc}; the previous site is untouched") from None
        finally:
            preload(self.root, None, [])

    def __exit__(self, *exc_info: object) -> None:
        try:
            stop_compiling()
        finally:
            for name, previous in self.saved.items():
                if previous is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = previous
            if self.staging is not None and self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)


def _show(records: list[logging.LogRecord]) -> None:
    """Show records held back (once: the list is emptied)."""
    for record in records:
        logging.getLogger(record.name).callHandlers(record)
    records.clear()


@contextlib.contextmanager
def _held_back(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records logged to ``name`` (and below) meanwhile, kept instead of shown."""
    logger = logging.getLogger(name)
    keeper = logging.handlers.BufferingHandler(capacity=sys.maxsize)  # never flushed: only kept
    handlers, propagate = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [keeper], False
    try:
        yield keeper.buffer
    finally:
        logger.handlers, logger.propagate = handlers, propagate


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


def _staging_prefix(site_dir: Path, kind: str) -> str:
    return f".{site_dir.name}.{kind}-{os.getpid()}-"


def _staging_pattern(site_dir: Path) -> re.Pattern[str]:
    """The names :func:`_staging_prefix` and :func:`tempfile.mkdtemp` make, and only those."""
    return re.compile(rf"\.{re.escape(site_dir.name)}\.(new|old)-([1-9][0-9]{{0,9}})-[a-z0-9_]{{8}}")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine; where that cannot be told, it counts as alive."""
    if os.name != "posix":  # os.kill(pid, 0) would not ask but act
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or no process id this system has
        return True
    return True


def remove_stale_staging(site_dir: Path) -> None:
    """Remove the staging folders and swapped-out sites that builds killed before their clean-up left
    next to ``site_dir`` (folders named as :func:`_staging_prefix` names them, whose process is gone).
    If the site itself is missing (a build was killed between the two renames of the swap), the
    previous site is put back instead of removed."""
    pattern = _staging_pattern(site_dir)
    try:
        entries = sorted(os.scandir(site_dir.parent), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False) or _alive(int(match.group(2))):
            continue
        stale = Path(entry.path)
        if match.group(1) == "old" and not site_dir.exists() and (stale / MARKER).is_file():
            with contextlib.suppress(OSError):
                stale.rename(site_dir)
                continue
        shutil.rmtree(stale, ignore_errors=True)


def _swap(staging: Path, site_dir: Path) -> None:
    old: Path | None = None
    with signals_held():  # an interruption waits until a whole site is in place
        if site_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=_staging_prefix(site_dir, "old"), dir=site_dir.parent))
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
