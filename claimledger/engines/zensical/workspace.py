"""Where the zensical engine keeps its plain project between builds, so that Zensical's own cache makes
a rebuild quicker.

Zensical (0.0.73) keeps a cache in ``.cache/`` beside its configuration: each page's markdown rendered,
keyed by the page file's content, and each page's HTML, keyed by that and by the templates' paths and
modification times. It trusts what it finds there (an entry it cannot parse it renders again, one that
parses it uses as it is). So the plain project and its cache live in a :class:`Workspace` in the user's
cache folder, one per project, private to the user (another user's, or one others may write to, is
never used); :class:`ProjectFiles` writes into it only the files whose bytes changed, so that an
unchanged page and an unchanged template look unchanged to Zensical; a stamp naming the versions that
made it is removed while Zensical runs and written once it returned, so a workspace of other versions,
or one a killed build left, is thrown away, as it is for ``full`` builds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from ... import __version__
from ...site.outputs import write_file

FORMAT = 1
PROJECT = "project"  # the plain project: docs/, overrides/, mkdocs.yml, and Zensical's .cache/
_STAMP = "stamp.json"  # there only while nothing is half done: names what made the project and its cache
_LOCK = "lock"


def _private(path: Path) -> bool:
    """Whether this user owns ``path`` and nobody else can write to it (a link is not followed)."""
    try:
        stat = path.lstat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022 and not path.is_symlink()


def _stamp(root: Path, engine_version: str) -> str:
    made = {
        "format": FORMAT,
        "root": str(root),
        "claimledger": __version__,
        "zensical": engine_version,
        "python": list(sys.version_info[:2]),
    }
    return json.dumps(made, sort_keys=True)


class Workspace:
    """The plain project of one project's builds, locked for this build (see the module's text)."""

    def __init__(self, folder: Path, lock: int, stamp: str) -> None:
        self.folder = folder
        self.project = folder / PROJECT
        self._lock = lock
        self._stamp = stamp

    def running(self) -> None:
        """Zensical is about to write its cache: until :meth:`finished`, the workspace is not to be trusted."""
        (self.folder / _STAMP).unlink(missing_ok=True)

    def finished(self) -> None:
        """Zensical returned (having built the site, or refused it in strict mode): its cache is whole."""
        write_file(self.folder / _STAMP, self._stamp)

    def close(self) -> None:
        os.close(self._lock)  # lets go of the lock


def open_workspace(cache_dir: Path, root: Path, engine_version: str, *, full: bool = False) -> Workspace | None:
    """The workspace of the project at ``root`` in ``cache_dir``, locked; emptied if ``full``, if other
    versions made it or if a build left it half done. None if there can be none: the folder cannot be
    made, is not this user's alone, or another build of the same project holds it. The workspaces of
    projects whose folder is gone are removed meanwhile."""
    root = root.resolve()
    folder = cache_dir / "zensical" / hashlib.blake2b(str(root).encode(), digest_size=12).hexdigest()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not (_private(folder) and _private(folder.parent)):
        return None
    lock = _locked(folder)
    if lock is None:  # another build of this project is running: this one builds without the cache
        return None
    stamp = _stamp(root, engine_version)
    if full or _read_stamp(folder) != stamp:
        (folder / _STAMP).unlink(missing_ok=True)
        shutil.rmtree(folder / PROJECT, ignore_errors=True)
    _remove_orphans(folder.parent, folder)
    return Workspace(folder, lock, stamp)


def _locked(folder: Path) -> int | None:
    """The lock of the workspace ``folder``, taken, if no other build holds it (and the system has locks)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no lock, so no workspace
        return None
    try:
        lock = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        return None
    return lock


def _read_stamp(folder: Path) -> str:
    try:
        return (folder / _STAMP).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _remove_orphans(base: Path, own: Path) -> None:
    """Remove the workspaces in ``base`` whose stamp names a project folder that is no longer there (and
    that no build holds)."""
    for other in base.iterdir():
        if other == own:
            continue
        try:
            made = json.loads(_read_stamp(other) or "{}")
        except ValueError:
            continue
        project = made.get("root") if isinstance(made, dict) else None
        if not isinstance(project, str) or Path(project).exists() or not _private(other):
            continue
        lock = _locked(other)
        if lock is not None:
            shutil.rmtree(other, ignore_errors=True)
            os.close(lock)


class ProjectFiles:
    """The files one build writes into a plain project: each written only if its bytes differ from those
    of the file there (which keeps its modification time otherwise); :meth:`prune` removes the others."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: set[str] = set()  # paths relative to the folder
        self.changed = 0  # how many files had to be written

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.written.add(relative)
        path = self.folder / relative
        before = None
        with contextlib.suppress(OSError):
            stat = path.stat()
            before = stat.st_mtime_ns
            if stat.st_size == len(data) and path.read_bytes() == data:
                return
        self.changed += 1
        try:
            write_file(path, data)
        except OSError:  # a folder where the file goes, or a file where one of its folders goes: left by a build
            _clear_way(self.folder, relative)
            write_file(path, data)
        if before is not None and path.stat().st_mtime_ns == before:  # a clock too coarse to tell the writes apart
            os.utime(path, ns=(before + 1, before + 1))  # Zensical knows a changed template by this time alone

    def copy(self, relative: str, source: Path) -> None:
        self.write(relative, source.read_bytes())

    def prune(self, *folders: str) -> None:
        """Remove from these folders of the project every file this build did not write, and the
        folders left empty."""
        for name in folders:
            top = self.folder / name
            for here, subfolders, files in os.walk(top, topdown=False):
                for file in files:
                    path = Path(here, file)
                    if path.relative_to(self.folder).as_posix() not in self.written:
                        path.unlink()
                for subfolder in subfolders:
                    with contextlib.suppress(OSError):  # not empty
                        Path(here, subfolder).rmdir()


def _clear_way(folder: Path, relative: str) -> None:
    """Remove what stands where the file ``relative`` goes under ``folder``: a folder in its place, a
    file in the place of one of its folders."""
    path = folder
    for part in Path(relative).parts[:-1]:
        path = path / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
    target = folder / relative
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
