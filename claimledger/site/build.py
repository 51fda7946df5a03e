"""Build the site into a temporary folder, then put it in place: a failed build leaves the last good site.

:class:`StagedBuild` does it the same for every :class:`Engine`, holding SIGINT and SIGTERM meanwhile.
A build that reused files of the previous site as they are (its engine says which:
:func:`claimledger.site.manifest.report_reused`) staged only what it made, and is committed into the site
in place: the files it made moved in, the previous site's files it no longer has removed. Any other
build, or one whose previous site holds anything but plain files and folders, is swapped in whole. The
staging folder (``.SITE.new-PID-XXXXXXXX``) and the swapped-out site (``.SITE.old-PID-…``) name their
process: a later build removes those whose process is gone. One build at a time goes into a site: another
started meanwhile stops at once, saying so (``.SITE.lock`` beside the site, while a build runs). The
engines pin ``SOURCE_DATE_EPOCH`` to :func:`build_time`, so that the same input gives byte-identical output.
"""

from __future__ import annotations

import calendar
import contextlib
import gc
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; two builds into one site at once are the user's to avoid
    fcntl = None  # type: ignore[assignment]

from ..checks.siteconfig import DocsPolicy
from ..checks.sitepolicy import check_site
from ..findings import Finding, Severity, format_text
from ..record.model import Dataset
from ..record.visible import edited
from ..settings import Settings
from .manifest import MANIFEST, PreviousSite, Tree, take_reused

MARKER = ".claimledger-site"


class BuildError(Exception):
    pass


@dataclass(frozen=True)
class Project:
    """What an engine knows before the dataset is checked."""

    root: Path  # the project folder (holding claims/ and docs/)
    config_file: Path  # the site's configuration (mkdocs.yml)
    settings: Settings
    full: bool = False  # render every page: reuse nothing of the previous site, nor of an engine's own cache


@dataclass(frozen=True)
class SiteInput:
    """What an engine builds a site from: the project, and its dataset checked (no errors in ``findings``)."""

    project: Project
    dataset: Dataset
    findings: Sequence[Finding]
    # The site this build replaces, whose unchanged outputs it may reuse (see claimledger.site.manifest);
    # None: build every output.
    previous: Path | None = None


class EngineBuild(Protocol):
    """One build by one engine, into the staging folder it was started with."""

    def docs_policy(self) -> DocsPolicy:
        """Which hand-written pages may hold raw HTML, as this engine reads its configuration."""

    def build(self, site: SiteInput) -> None:
        """Write the whole site into the staging folder; raise BuildError if it cannot."""

    def close(self) -> None:
        """Let go of whatever the build holds; called whatever happened."""


class Engine(Protocol):
    name: str

    def start(self, project: Project, staging_dir: Path) -> EngineBuild:
        """Begin a build into ``staging_dir``; its ``build`` reports a problem with the configuration."""


# 1980-01-01T00:00:00Z: zip stores no earlier time, gzip none before 1970 (and MkDocs gzips the sitemap).
EARLIEST_BUILD_TIME = calendar.timegm((1980, 1, 1, 0, 0, 0))


def source_date_epoch(dataset: Dataset) -> int:
    """The build time: the newest review or log date, or :data:`EARLIEST_BUILD_TIME` if that is later."""
    newest = max((day.earliest() for c in dataset.claims.values() for day in edited(c)), default=None)
    return max(EARLIEST_BUILD_TIME, calendar.timegm(newest.timetuple()) if newest else 0)


def build_time(dataset: Dataset, given: str | None) -> int:
    """``SOURCE_DATE_EPOCH``: ``given`` (the one the build was started with) if any, else the dataset's;
    moved up to the earliest time archives can store."""
    if given is None:
        return source_date_epoch(dataset)
    try:
        seconds = int(given)
    except ValueError:
        raise BuildError(
            f"SOURCE_DATE_EPOCH={given!r} is not a whole number of seconds: unset it or correct it; "
            "the previous site is untouched"
        ) from None
    return max(EARLIEST_BUILD_TIME, seconds)


def _check_replaceable(site_dir: Path) -> None:
    if site_dir.exists() and not site_dir.is_dir():
        raise BuildError(f"{site_dir} exists and is not a folder")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / MARKER).exists():
        raise BuildError(
            f"{site_dir} is not empty and was not built by claimledger ({MARKER} is missing); "
            "refusing to replace it: choose another --site-dir or empty it"
        )


class StagedBuild:
    """A site build in a staging folder next to ``site_dir``, swapped in only once built whole.

    Entering refuses a site the site policy refuses before any engine reads it, then starts the engine's
    build; :meth:`run` builds from the dataset already checked. Leaving cleans up, whatever happened."""

    def __init__(self, engine: Engine, project: Project, site_dir: Path):
        self.engine = engine
        self.project = project
        self.site_dir = site_dir.resolve()
        self.staging: Path | None = None
        self.build: EngineBuild | None = None
        self.lock: int | None = None

    def __enter__(self) -> StagedBuild:
        refused = [f for f in check_site(self.project.root, self.project.config_file) if f.severity is Severity.ERROR]
        if refused:  # before any engine reads the configuration: MkDocs would run its tags and hooks
            raise BuildError(
                f"the site policy refuses the site's configuration or docs folder:\n{format_text(refused)}\n"
                "the previous site is untouched"
            )
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.lock = lock_site(self.site_dir)
        try:
            remove_stale_staging(self.site_dir)
            _check_replaceable(self.site_dir)
            self.staging = Path(
                tempfile.mkdtemp(prefix=_staging_prefix(self.site_dir, "new"), dir=self.site_dir.parent)
            )
            self.staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site is for a web server to read
            self.build = self.engine.start(self.project, self.staging)
        except BaseException:
            self.__exit__()
            raise
        return self

    def docs_policy(self) -> DocsPolicy:
        assert self.build is not None
        return self.build.docs_policy()

    def run(self, dataset: Dataset, findings: Sequence[Finding]) -> None:
        assert self.build is not None and self.staging is not None
        frozen = not gc.isenabled() or gc.get_freeze_count() > 0
        if not frozen:  # the model lives as long as the build: the collector need not scan it again and again
            gc.freeze()
        try:
            previous = self._previous()
            self.build.build(SiteInput(self.project, dataset, tuple(findings), previous))
            (self.staging / MARKER).write_text("built by claimledger build\n", encoding="utf-8")
            try:
                reused = take_reused(self.staging) if previous is not None else None
            except ValueError as exc:
                raise BuildError(f"{exc}; build again with --full; the previous site is untouched") from None
            _commit(self.staging, self.site_dir, reused or frozenset())
        except OSError as exc:
            raise BuildError(f"{exc}; the previous site is untouched") from None
        finally:
            if not frozen:
                gc.unfreeze()

    def _previous(self) -> Path | None:
        """The site being replaced, if it was built by claimledger with a manifest and may be reused."""
        if self.project.full or not (self.site_dir / MARKER).is_file() or not (self.site_dir / MANIFEST).is_file():
            return None
        return self.site_dir

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self.build is not None:
                self.build.close()
        finally:
            try:
                if self.staging is not None and self.staging.exists():
                    shutil.rmtree(self.staging, ignore_errors=True)
            finally:
                if self.lock is not None:
                    unlock_site(self.site_dir, self.lock)
                    self.lock = None


def _lock_path(site_dir: Path) -> Path:
    return site_dir.parent / f".{site_dir.name}.lock"


def lock_site(site_dir: Path) -> int | None:
    """The lock on building into ``site_dir`` (an open file, locked), or BuildError if another build holds it;
    None where the system has no such locks. The lock file is removed on unlocking: a build that opened it
    meanwhile finds it gone and takes a new one."""
    if fcntl is None:
        return None
    path = _lock_path(site_dir)
    while True:
        try:
            lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise BuildError(f"cannot lock the site: {exc}; the previous site is untouched") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(lock, 20).decode("ascii", "replace").strip()
            os.close(lock)
            raise BuildError(
                f"another build into {site_dir} is running{f' (process {holder})' if holder.isdigit() else ''}: "
                "wait for it to finish, or build into another --site-dir; the previous site is untouched"
            ) from None
        try:
            held = path.stat().st_ino == os.fstat(lock).st_ino
        except OSError:
            held = False
        if held:  # not a file another build removed as this one locked it
            os.ftruncate(lock, 0)
            os.write(lock, f"{os.getpid()}\n".encode("ascii"))
            return lock
        os.close(lock)


def unlock_site(site_dir: Path, lock: int) -> None:
    """Let the next build into ``site_dir`` run: the lock file removed while held, then let go."""
    with contextlib.suppress(OSError):
        _lock_path(site_dir).unlink()
    os.close(lock)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _staging_prefix(site_dir: Path, kind: str) -> str:
    return f".{site_dir.name}.{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine; where that cannot be told, it counts as alive."""
    if os.name != "posix":  # os.kill(pid, 0) would not ask but act
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or no process id this system has
        pass
    return True


def remove_stale_staging(site_dir: Path) -> None:
    """Remove the staging folders and swapped-out sites that killed builds left next to ``site_dir``; if the
    site itself is missing (a build killed mid-swap), the previous site is put back instead."""
    # The names _staging_prefix and tempfile.mkdtemp make, and only those.
    pattern = re.compile(rf"\.{re.escape(site_dir.name)}\.(new|old)-([1-9][0-9]{{0,9}})-[a-z0-9_]{{8}}")
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


@dataclass(frozen=True)
class _InPlace:
    """How a build that reused files of the previous site goes into it (site paths; folders end in ``/``)."""

    made: tuple[str, ...]  # the files the engine wrote (marker and manifest aside: they go last)
    folders: tuple[str, ...]  # the folders they need that the site does not have, each after its parent
    stale: tuple[str, ...]  # the site's files the new site does not have
    emptied: tuple[str, ...]  # the site's folders the new site does not have, each before its parent


def _commit(staging: Path, site_dir: Path, reused: frozenset[str]) -> None:
    """Put the site built in ``staging``, with the previous site's files ``reused`` as they are, in place."""
    plan = _in_place(staging, site_dir, reused) if reused else None
    if plan is not None:
        try:
            with signals_held():  # an interruption waits until the site is whole
                _update(staging, site_dir, plan)
            return
        except _Untouched:  # the site's folders could not be made: it is as it was, and is replaced whole
            pass
    previous = PreviousSite(site_dir)
    for path in sorted(reused):  # the files the engine left in the previous site, linked into the new
        if not previous.reuse(staging, path):
            missing = f"{path} went missing from the previous site"
            raise BuildError(f"{missing}; build again with --full; the previous site is untouched")
    _swap(staging, site_dir)


class _Untouched(OSError):
    """An in-place commit that stopped before changing the site."""


def _parents(path: str) -> Iterator[str]:
    """The folders ``path`` is in, by site path (each ending in ``/``), the site's own aside."""
    end = path.find("/")
    while end != -1:
        yield path[: end + 1]
        end = path.find("/", end + 1)


def _in_place(staging: Path, site_dir: Path, reused: frozenset[str]) -> _InPlace | None:
    """How to commit the build in place; None where that is in doubt (anything in either folder besides
    plain files and folders, a reused file the site no longer has, a file where the other has a folder)."""
    old, new = Tree.walk(site_dir), Tree.walk(staging)
    last = {MARKER, MANIFEST}
    if not (old.plain and new.plain and last <= new.files and reused <= old.files) or reused & new.files:
        return None
    names = old.files | old.folders | new.files | new.folders
    if len({name.casefold() for name in names}) != len(names):  # one file under two names on some file systems
        return None
    needed = set(new.folders)
    for path in reused:
        needed.update(_parents(path))
    if old.folders & {f"{path}/" for path in new.files} or needed & {f"{path}/" for path in old.files}:
        return None
    return _InPlace(
        made=tuple(sorted(new.files - last)),
        folders=tuple(sorted(new.folders - old.folders)),  # "a/" sorts before "a/b/"
        stale=tuple(sorted(old.files - new.files - reused - last)),
        emptied=tuple(sorted(old.folders - needed, reverse=True)),
    )


def _update(staging: Path, site_dir: Path, plan: _InPlace) -> None:
    """Commit in place: the previous site's manifest set aside first, so that a commit cut short leaves a
    site the next build replaces whole; the new folders made (on failure, removed again: the site is as it
    was); the files made moved in; the files no longer made removed; the marker and manifest last."""
    aside = staging / f"{MANIFEST}.previous"
    manifest = site_dir / MANIFEST
    had_manifest = manifest.is_file()
    made: list[Path] = []
    try:
        if had_manifest:
            manifest.replace(aside)
        for folder in plan.folders:
            (site_dir / folder).mkdir()
            made.append(site_dir / folder)
    except OSError as exc:
        for new in reversed(made):
            with contextlib.suppress(OSError):
                new.rmdir()
        if had_manifest and aside.is_file():
            aside.replace(manifest)
        raise _Untouched(str(exc)) from exc
    try:
        for path in plan.made:
            (staging / path).replace(site_dir / path)
        for path in plan.stale:
            (site_dir / path).unlink(missing_ok=True)
        for folder in plan.emptied:
            (site_dir / folder).rmdir()
        (staging / MARKER).replace(site_dir / MARKER)
        (staging / MANIFEST).replace(manifest)
    except OSError as exc:
        raise BuildError(
            f"{exc}; the site was updated only in part, and its manifest removed: the next build rebuilds it whole"
        ) from None


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


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back meanwhile: an interruption lands on leaving."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
