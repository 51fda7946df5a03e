"""What git knows about the dataset: files changed since a ref, and each file's history.

Everything here degrades gracefully: outside a git checkout there is no
history, and in a shallow clone the history is marked as incomplete.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BASES = ("origin/main", "main", "origin/master", "master")


class GitError(Exception):
    pass


def _git(root: Path, *args: str) -> str:
    return _git_together(root, args)[0]


def _git_together(root: Path, *commands: tuple[str, ...]) -> list[str]:
    """The output of each git command, all run at the same time."""
    running: list[tuple[tuple[str, ...], subprocess.Popen[str]]] = []
    try:
        for args in commands:
            process = subprocess.Popen(
                ["git", "-C", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            running.append((args, process))
        outputs = []
        for args, process in running:
            stdout, stderr = process.communicate()
            if process.returncode != 0:
                raise GitError(stderr.strip() or f"git {' '.join(args)} failed")
            outputs.append(stdout)
        return outputs
    except OSError as exc:
        raise GitError(f"git is not available: {exc.strerror}") from None
    finally:
        for _, process in running:
            if process.poll() is None:
                process.kill()
                process.communicate()


def is_checkout(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitError:
        return False


@dataclass(frozen=True)
class Changes:
    base: str
    paths: frozenset[str]  # relative to the project root, forward slashes
    deletions: bool
    merge_base: str = ""  # the commit compared with


def changed_files(root: Path, ref: str | None) -> Changes:
    """Files added, changed or deleted since the merge base with ``ref``, including uncommitted and untracked ones."""
    if not is_checkout(root):
        raise GitError(f"{root} is not a git checkout; --changed needs one")
    candidates = (ref,) if ref else DEFAULT_BASES
    for candidate in candidates:
        try:
            base = _git(root, "merge-base", candidate, "HEAD").strip()
            break
        except GitError:
            continue
    else:
        tried = ", ".join(candidates)
        raise GitError(f"cannot find a base to compare with (tried {tried}); name one: --changed REF")
    # -z: names exactly as they are, not quoted (non-ASCII file names are quoted otherwise)
    diff = _git(root, "diff", "-z", "--name-status", "--relative", "--no-renames", base).split("\0")
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard").split("\0")
    paths: set[str] = set()
    deletions = False
    for status, path in zip(diff[0::2], diff[1::2], strict=False):
        if path:
            paths.add(path)
            deletions = deletions or status.startswith("D")
    paths.update(name for name in untracked if name)
    return Changes(candidate, frozenset(paths), deletions, base)


def files_at(root: Path, commit: str, folder: str) -> list[str]:
    """The files under ``folder`` at ``commit``, relative to the project root."""
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", folder)
    return [name for name in listing.split("\0") if name]


def file_at(root: Path, commit: str, path: str) -> bytes:
    """The bytes of ``path`` (relative to the project root) at ``commit``, exactly as committed."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "cat-file", "blob", f"{commit}:./{path}"], capture_output=True, check=False
        )
    except OSError as exc:
        raise GitError(f"git is not available: {exc.strerror}") from None
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", "replace").strip() or f"cannot read {path} at {commit}")
    return result.stdout


@dataclass(frozen=True)
class Revision:
    commit: str  # full hash
    short: str
    date: str  # YYYY-MM-DD, committer date
    subject: str


@dataclass(frozen=True)
class StatusChange:
    short: str
    date: str
    status: str


@dataclass(frozen=True)
class History:
    """Revisions and status changes per file (newest first)."""

    available: bool
    shallow: bool = False
    revisions: Mapping[str, tuple[Revision, ...]] = field(default_factory=dict)
    statuses: Mapping[str, tuple[StatusChange, ...]] = field(default_factory=dict)
    reason: str = ""


_RECORD = "\x1e"
_UNIT = "\x1f"
_STATUS_LINE = re.compile(r"^\+status:\s*(['\"]?)([a-z0-9][a-z0-9-]*)\1\s*(?:#.*)?$")


def load_history(root: Path, folder: str = "claims") -> History:
    """Two ``git log`` calls for the whole folder, whatever the number of files, run side by side.

    Renames are followed: a claim moved to a sub-folder keeps the revisions and status changes it
    had under its old name, all filed under the name it has today.
    """
    try:
        inside, shallow = _git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository").split()
    except (GitError, ValueError):
        inside = "false"
    if inside != "true":
        return History(available=False, reason="the site was built outside a git checkout")
    try:
        log, patches = _git_together(
            root,
            (
                "log",
                "--find-renames",
                "--relative",
                f"--format={_RECORD}%H{_UNIT}%h{_UNIT}%cs{_UNIT}%s",
                "--name-status",
                "--",
                folder,
            ),
            (
                "log",
                "--find-renames",
                "--relative",
                f"--format={_RECORD}%h{_UNIT}%cs",
                "-p",
                "--unified=0",
                "-G",
                "^status:",
                "--",
                f"{folder}/claims",
            ),
        )
    except GitError as exc:
        return History(available=False, reason=f"git could not read the history ({exc})")
    revisions: dict[str, list[Revision]] = defaultdict(list)
    # The log runs from the newest commit back. `today` maps the names a file had before a rename to
    # the name it has now; it is replaced, never changed, so each commit keeps the map its diff reads.
    today: dict[str, str] = {}
    names_at: dict[str, dict[str, str]] = {}
    for record in log.split(_RECORD)[1:]:
        header, _, body = record.partition("\n")
        commit, short, date, subject = header.split(_UNIT, 3)
        names_at[short] = today
        revision = Revision(commit, short, date, subject)
        for line in body.split("\n"):
            change, *paths = line.strip().split("\t")
            if not paths:
                continue
            name = today.get(paths[-1], paths[-1])  # a rename lists the old name, then the new one
            revisions[name].append(revision)
            if change.startswith("R") and len(paths) == 2:
                today = {**today, paths[0]: name}  # older commits know the file by its old name
    statuses: dict[str, list[StatusChange]] = defaultdict(list)
    for record in patches.split(_RECORD)[1:]:
        header, _, body = record.partition("\n")
        short, date = header.split(_UNIT, 1)
        names = names_at.get(short, {})
        current: str | None = None
        for line in body.split("\n"):
            if line.startswith("+++ "):
                current = names.get(line[6:], line[6:]) if line.startswith("+++ b/") else None
            elif current is not None and (match := _STATUS_LINE.match(line)):
                statuses[current].append(StatusChange(short, date, match.group(2)))
    return History(
        available=True,
        shallow=shallow == "true",
        revisions={k: tuple(v) for k, v in revisions.items()},
        statuses={k: tuple(v) for k, v in statuses.items()},
    )
