"""What git knows about the dataset: files changed since a ref, and each file's history.

Git's output is read as NUL-separated fields, each checked before it is used, so a commit message cannot
add a field, a revision or a status change; a claim's status at each revision is parsed by the strict
loader, never read from a diff. When git fails the site is built without history and
:attr:`History.warning` says why, in one line; a shallow clone's history is marked as incomplete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..record.loader import ID_PATTERN
from ..record.yamlsafe import YamlProblem, load_document

DEFAULT_BASES = ("origin/main", "main", "origin/master", "master")


class GitError(Exception):
    pass


def _start(
    root: Path, args: Sequence[str], stdin: int = subprocess.DEVNULL, stderr: int = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(["git", "-C", str(root), *args], stdin=stdin, stdout=subprocess.PIPE, stderr=stderr)
    except OSError as exc:
        raise GitError(f"git is not available ({exc.strerror})") from None


def _first_line(text: bytes, fallback: str) -> str:
    """Git's own words, on one line: the first line it wrote, control characters replaced."""
    lines = [line.strip() for line in text.decode("utf-8", "replace").splitlines() if line.strip()]
    return _CONTROL.sub("\ufffd", lines[0][:300]) if lines else fallback


def _run_together(root: Path, *commands: Sequence[str]) -> list[tuple[int, bytes, bytes]]:
    """The exit code, output and error output of each git command, all run at the same time."""
    running: list[subprocess.Popen[bytes]] = []
    try:
        for args in commands:
            running.append(_start(root, args))
        outputs = [process.communicate() for process in running]
        return [(process.returncode, *output) for process, output in zip(running, outputs, strict=True)]
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.communicate()


def _git_together(root: Path, *commands: Sequence[str]) -> list[bytes]:
    """The output of each git command, all run at the same time; :class:`GitError` if one fails."""
    outputs = []
    for args, (code, stdout, stderr) in zip(commands, _run_together(root, *commands), strict=True):
        if code != 0:
            raise GitError(_first_line(stderr, f"git {' '.join(args)} failed"))
        outputs.append(stdout)
    return outputs


def git_output(root: Path, *args: str) -> bytes:
    """The output of one git command; :class:`GitError` if it fails."""
    return _git_together(root, args)[0]


def _git(root: Path, *args: str) -> str:
    return os.fsdecode(git_output(root, *args))


def is_checkout(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitError:
        return False


def has_commit(root: Path) -> bool:
    """Whether the checkout has a commit checked out (not before its first commit)."""
    try:
        _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    except GitError:
        return False
    return True


@dataclass(frozen=True)
class Changes:
    base: str
    paths: frozenset[str]  # relative to the project root, forward slashes
    deletions: bool
    merge_base: str = ""  # the commit compared with
    untracked: frozenset[str] = frozenset()  # with ``staged``: files not in the index, not being committed


def changed_files(root: Path, ref: str | None, *, staged: bool = False) -> Changes:
    """Files added, changed or deleted since the merge base with ``ref``, uncommitted and untracked ones too.

    With ``staged``, the index is compared with the merge base and untracked files are left out, as a
    commit would record it; there, without ``ref`` and none of :data:`DEFAULT_BASES`, ``HEAD`` is the base.
    """
    if not is_checkout(root):
        raise GitError(f"{root} is not a git checkout; --changed needs one")
    candidates = (ref,) if ref else (*DEFAULT_BASES, "HEAD") if staged else DEFAULT_BASES
    for candidate in candidates:
        with contextlib.suppress(GitError):
            base = _git(root, "merge-base", candidate, "HEAD").strip()
            break
    else:
        tried = ", ".join(candidates)
        raise GitError(f"cannot find a base to compare with (tried {tried}); name one: --changed REF")
    # -z: names exactly as they are, not quoted (non-ASCII file names are quoted otherwise)
    cached = ("--cached",) if staged else ()
    diff = _git(root, "diff", *cached, "-z", "--name-status", "--relative", "--no-renames", base).split("\0")
    untracked = frozenset(
        name for name in _git(root, "ls-files", "-z", "--others", "--exclude-standard").split("\0") if name
    )
    entries = [(status, path) for status, path in zip(diff[0::2], diff[1::2], strict=False) if path]
    paths = frozenset(path for _, path in entries)
    deletions = any(status.startswith("D") for status, _ in entries)
    if staged:
        return Changes(candidate, paths, deletions, base, untracked)
    return Changes(candidate, paths | untracked, deletions, base)


def committed_files(root: Path, branch: str) -> frozenset[str] | None:
    """The files under ``root`` on ``branch`` (its remote copy if there is one); ``None`` if no such branch or git."""
    for ref in (f"refs/remotes/origin/{branch}", f"refs/heads/{branch}") if branch else ():
        with contextlib.suppress(GitError):
            return frozenset(files_at(root, ref))
    return None


def git_dir(root: Path) -> Path | None:
    """The git folder of the checkout ``root`` is in (a worktree's own); ``None`` outside one."""
    try:
        return Path(_git(root, "rev-parse", "--absolute-git-dir").strip())
    except GitError:
        return None


def files_at(root: Path, commit: str, *folders: str) -> list[str]:
    """The files under ``folders`` (all, if none is named) at ``commit``, relative to the project root."""
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", *folders)
    return [name for name in listing.split("\0") if name]


def file_at(root: Path, commit: str, path: str) -> bytes:
    """The bytes of ``path`` (relative to the project root) at ``commit``, exactly as committed."""
    return git_output(root, "cat-file", "blob", f"{commit}:./{path}")


def commit_date(root: Path, commit: str) -> str:
    """The committer date of ``commit``, YYYY-MM-DD."""
    revisions, _ = parse_commits(git_output(root, "log", *_LOG, COMMITS_FORMAT, "-1", commit, "--"))
    if not revisions:
        raise GitError(f"git could not read the date of commit {commit}")
    return revisions[0].date


def published_dates(root: Path, commit: str, folder: str) -> dict[str, str]:
    """The day each file under ``folder`` (by its name at ``commit``) first reached the line of history
    leading to ``commit``: the date of the oldest first-parent commit that added it, renames followed.
    A merged branch's own commits are passed over: whoever made them chose their dates."""
    first_parent = ("--first-parent", "--diff-merges=first-parent")
    log, files = _git_together(
        root,
        ("log", *_LOG, *first_parent, COMMITS_FORMAT, commit, "--", folder),
        ("log", *_LOG, *first_parent, *_FILES, commit, "--", folder),
    )
    # newest first: an older commit's date replaces a newer one's
    return {name: revision.date for revision, name, _ in _followed(parse_commits(log)[0], parse_changes(files)[0])}


def _followed(
    commits: Sequence[Revision], changes_of: Mapping[str, Sequence[FileChange]]
) -> Iterator[tuple[Revision, str, FileChange]]:
    """Each file each commit changed (newest commit first), under its name in the newest commit."""
    today: dict[str, str] = {}  # the names files had before a rename, to the names they have now
    for revision in commits:
        renamed: dict[str, str] = {}
        for change in changes_of.get(revision.commit, ()):
            name = today.get(change.paths[-1], change.paths[-1])
            yield revision, name, change
            if change.kind == "R" and len(change.paths) == 2:
                renamed[change.paths[0]] = name
        today.update(renamed)  # a commit's renames apply to the commits before it


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
    reason: str = ""  # why there is no history, as the claim pages say it
    problem: str = ""  # what went wrong with git, for the build's warning

    @property
    def warning(self) -> str:
        """What the build should say about the history, in one line; empty when all is well."""
        if not self.available:
            problem = f" ({self.problem})" if self.problem else ""
            return f"the claim pages show no revision history: {self.reason}{problem}"
        if self.problem:
            return f"the revision history is incomplete: {self.problem}"
        if self.shallow:
            return "the revision history may be incomplete: the site was built from a shallow clone"
        return ""


def _unreadable(problem: str) -> History:
    return History(available=False, reason="git could not read the history", problem=problem)


# -- reading git's output -------------------------------------------------------

_HASH = rb"[0-9a-f]{40}(?:[0-9a-f]{24})?"  # SHA-1 or SHA-256
_COMMIT = re.compile(_HASH)
_SHORT = re.compile(rb"[0-9a-f]{4,64}")
_DATE = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# --raw: ":old-mode new-mode old-blob new-blob status[score]", then the path (two for a rename or copy)
_RAW = re.compile(rb"\n?:([0-7]{6}) ([0-7]{6}) (" + _HASH + rb") (" + _HASH + rb") ([ACDMRTUX])([0-9]{0,3})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REGULAR_FILE = frozenset({b"100644", b"100755"})
# Two logs of the same commits, read side by side: the commits (four fields each), and the files each
# changed with their new blob in full (--no-abbrev, which would make %h the full hash too). Options that
# git's configuration could otherwise change are given.
COMMITS_FORMAT = "--format=%H%x00%h%x00%cs%x00%s"
_LOG = ("-z", "--no-color", "--no-show-signature")
_FILES = ("--format=%H", "--raw", "--root", "--no-abbrev", "--find-renames", "--relative")


@dataclass(frozen=True)
class FileChange:
    kind: str  # A, M, D, R (renamed), C (copied), T (type changed)...
    blob: str  # the file's content after the commit; "" when it is gone or not a regular file
    paths: tuple[str, ...]  # the file's name, or its old and new names for a rename or copy


def _revision(fields: Sequence[bytes]) -> Revision | None:
    """A commit's four fields, if each is what git gives for a commit."""
    if len(fields) != 4:
        return None
    commit, short, date, subject = fields
    if not (_COMMIT.fullmatch(commit) and _SHORT.fullmatch(short) and commit.startswith(short)):
        return None
    try:
        if not _DATE.fullmatch(date):
            return None
        dt.date.fromisoformat(date.decode("ascii"))
    except ValueError:  # 2021-02-30
        return None
    text = _CONTROL.sub("\ufffd", subject.decode("utf-8", "replace"))
    return Revision(commit.decode("ascii"), short.decode("ascii"), date.decode("ascii"), text)


def parse_commits(output: bytes) -> tuple[list[Revision], int]:
    """The commits of ``git log -z`` output in :data:`COMMITS_FORMAT`, and how many stretches of it were
    skipped as not what git gives. A commit message cannot hold a NUL (git stops at it), so a subject
    is always exactly the fourth field."""
    fields = output.split(b"\0")
    revisions: list[Revision] = []
    skipped = 0
    astray = False  # within a stretch that is skipped
    i = 0
    while i < len(fields):
        revision = _revision(fields[i : i + 4])
        if revision is not None:
            revisions.append(revision)
            astray = False
            i += 4
            continue
        if fields[i] and not astray:  # the output ends with an empty field
            skipped += 1
            astray = True
        i += 1
    return revisions, skipped


def parse_changes(output: bytes) -> tuple[dict[str, tuple[FileChange, ...]], int]:
    """The files each commit changed, from ``git log -z --format=%H --raw`` output, and how many
    stretches of it were skipped as not what git gives."""
    fields = output.split(b"\0")
    changes: dict[str, list[FileChange]] = {}
    skipped = 0
    commit: list[FileChange] | None = None  # the files of the commit being read
    astray = False  # within output that is not what git gives: skipped up to the next commit
    i = 0
    while i < len(fields):
        token = fields[i]
        if _COMMIT.fullmatch(token):
            commit, astray = changes.setdefault(token.decode("ascii"), []), False
            i += 1
            continue
        raw = _RAW.fullmatch(token)
        count = 0 if raw is None else 2 if raw.group(5) in (b"R", b"C") else 1
        paths = fields[i + 1 : i + 1 + count]
        i += 1 + count
        if raw is not None and commit is not None and not astray and len(paths) == count and all(paths):
            regular = raw.group(2) in _REGULAR_FILE and raw.group(5) != b"D"
            blob = raw.group(4).decode("ascii") if regular else ""
            commit.append(FileChange(raw.group(5).decode("ascii"), blob, tuple(os.fsdecode(p) for p in paths)))
        elif (raw is not None or token.strip()) and not astray:  # an empty field ends the output
            skipped, astray = skipped + 1, True
    return {k: tuple(v) for k, v in changes.items()}, skipped


def _index_blobs(output: bytes) -> dict[str, str]:
    """The blob of each file ``git ls-files -z -s -v -c -m`` lists as in the index and unchanged in the
    working tree (not modified, marked assume-unchanged or skip-worktree, nor in conflict)."""
    cached: dict[str, str] = {}
    changed: set[str] = set()
    for entry in output.split(b"\0"):
        info, tab, path = entry.partition(b"\t")
        parts = info.split(b" ")
        if not tab or len(parts) != 4:
            continue
        tag, mode, blob, stage = parts
        if tag == b"H" and stage == b"0" and mode in _REGULAR_FILE and _COMMIT.fullmatch(blob):
            cached[os.fsdecode(path)] = blob.decode("ascii")
        else:
            changed.add(os.fsdecode(path))
    return {name: blob for name, blob in cached.items() if name not in changed}


def status_of(raw: bytes) -> str | None:
    """The top-level ``status`` of a claim file's content; None if it does not parse or has none."""
    try:
        data = load_document("", raw, origin="git").data
    except YamlProblem:
        return None
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, str) and ID_PATTERN.fullmatch(status) else None


def _blob_statuses(root: Path, blobs: Sequence[str]) -> dict[str, str | None]:
    """The status in each blob, read by one ``git cat-file --batch``."""
    if not blobs:
        return {}
    # git says what is wrong with an object in its answer, and answers nothing if it fails altogether.
    process = _start(root, ("cat-file", "--batch"), stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    answers = io.BytesIO(process.communicate(b"".join(blob.encode("ascii") + b"\n" for blob in blobs))[0])
    statuses: dict[str, str | None] = {}
    for blob in blobs:
        header = answers.readline()
        parts = header.split()
        if parts[1:] == [b"missing"]:
            raise GitError(f"object {blob} is missing from the repository")
        if len(parts) != 3 or parts[0] != blob.encode("ascii") or parts[1] != b"blob" or not parts[2].isdigit():
            raise GitError(f"git cat-file answered {_first_line(header, 'nothing')!r} for object {blob}")
        size = int(parts[2])
        content = answers.read(size + 1)
        if len(content) != size + 1 or content[-1:] != b"\n":
            raise GitError(f"git cat-file's answer for object {blob} was cut short")
        statuses[blob] = status_of(content[:-1])
    return statuses


# -- the history ------------------------------------------------------------------


def load_history(root: Path, folder: str = "claims", known: Mapping[str, str] | None = None) -> History:
    """Each file's revisions, and each claim's status changes, from a fixed number of git processes.

    Two ``git log`` of the same commits (run beside ``git ls-files``) give the commits and each one's
    files with their new blob; one ``git cat-file --batch`` reads the claim files' blobs, each parsed
    once. ``known`` maps a claim file's path to its status now: a blob that is that file's, unchanged,
    needs no reading. Renames are followed: every revision is filed under the file's name today.
    """
    try:
        code, out, _ = _run_together(
            root, ("rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--verify", "-q", "HEAD")
        )[0]
    except GitError as exc:
        return History(available=False, reason=str(exc))
    answer = out.split()  # "true", whether shallow, and the commit checked out (none before the first)
    if answer[:1] != [b"true"] or (code, len(answer)) not in ((0, 3), (1, 2)):
        return History(available=False, reason="the site was built outside a git checkout")
    shallow = answer[1] == b"true"
    if code == 1:  # no commit yet
        return History(available=True, shallow=shallow)
    head = answer[2].decode("ascii", "replace")
    if not _COMMIT.fullmatch(answer[2]):
        return _unreadable(f"git rev-parse gave {head!r} for HEAD")
    claims = f"{folder}/claims"
    try:
        log, files, index = _git_together(
            root,
            ("log", *_LOG, COMMITS_FORMAT, head, "--", folder),
            ("log", *_LOG, *_FILES, head, "--", folder),
            ("ls-files", "-z", "-s", "-v", "-c", "-m", "--", claims),
        )
    except GitError as exc:
        return _unreadable(str(exc))
    commits, skipped = parse_commits(log)
    changes_of, skipped_files = parse_changes(files)
    skipped += skipped_files
    if skipped and not commits:
        return _unreadable("none of git log's output could be read")
    revisions: dict[str, list[Revision]] = defaultdict(list)
    contents: dict[str, list[tuple[Revision, str]]] = defaultdict(list)  # claim file: (revision, blob)
    for revision, name, change in _followed(commits, changes_of):
        revisions[name].append(revision)
        if change.blob and name.startswith(f"{claims}/"):
            contents[name].append((revision, change.blob))
    known = known or {}
    found: dict[str, str | None] = {blob: known[path] for path, blob in _index_blobs(index).items() if path in known}
    wanted = list(dict.fromkeys(blob for seen in contents.values() for _, blob in seen if blob not in found))
    try:
        found.update(_blob_statuses(root, wanted))
    except GitError as exc:
        return _unreadable(str(exc))
    statuses: dict[str, tuple[StatusChange, ...]] = {}
    for name, seen in contents.items():
        changes: list[StatusChange] = []
        for revision, blob in reversed(seen):  # oldest first
            status = found.get(blob)
            # a revision that does not parse is passed over
            if status is not None and status != (changes[-1].status if changes else None):
                changes.append(StatusChange(revision.short, revision.date, status))
        if changes:
            statuses[name] = tuple(reversed(changes))
    return History(
        available=True,
        shallow=shallow,
        revisions={k: tuple(v) for k, v in revisions.items()},
        statuses=statuses,
        problem=f"{skipped} part(s) of git log's output could not be read and are left out" if skipped else "",
    )
