"""Which files a check or a build may read: one policy for ``claims/``, ``docs/``, the snapshots,
``CONTRIBUTING.md`` and ``mkdocs.yml``. Nothing is read from outside the repository or from git's
records (``unsafe-path``); a site publishes only what its folder itself holds (a *confined* walk);
a dangling or looping link is ``broken-symlink``, a name with a control or invisible character
``file-name``, a pipe, socket or device ``unreadable``; none of them is read. A path that does not
exist at all is no concern of this module. A file is written whole or not at all (:func:`write_whole`).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, error
from .layout import Layout

DOCS_DIR = "docs"  # the hand-written pages, published as they are
GIT_RECORDS = ".git"  # git's own records (or, in a worktree or submodule, the file naming them): never read
GUIDE = "CONTRIBUTING.md"  # the contributor guide, also published on the site
CONFIG = "mkdocs.yml"  # the site's configuration
# What a contributor plausibly writes for ``.yaml``: the suffixes, in lower case, that name a data
# file which would otherwise be skipped without a word.
DATA_SUFFIX = ".yaml"
NEAR_DATA_SUFFIXES = frozenset({".yaml", ".yml"})


@dataclass(frozen=True)
class Listing:
    """What a walk found: the plain files that may be read, and what was reported instead."""

    files: tuple[str, ...]  # sorted as paths sort, folder by folder
    refused: tuple[str, ...]  # entries reported instead of read or walked
    findings: tuple[Finding, ...]


def shown(name: str) -> str:
    """``name`` with each control or invisible character written as an escape (``\\n``, ``\\u200b``;
    a byte that is not UTF-8 as ``\\xff``), so that a finding shows it and no output is broken by it."""
    return "".join(character if character.isprintable() else _escape(character) for character in name)


def _escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return ascii(character)[1:-1]


def check(root: Path, path: Path | str) -> Finding | None:
    """Why ``path`` may not be read, or ``None``: it lies inside ``root`` (the repository's resolved
    root, through whatever links) and is a plain file or a folder, or it does not exist and is no link."""
    return _inspect(root, path)[1]


def _inspect(root: Path, path: Path | str) -> tuple[tuple[str, int] | None, Finding | None]:
    """Where ``path`` really is and its file mode (``None`` if nowhere), and why it may not be read."""
    try:
        real = os.path.realpath(path, strict=True)
        mode = Path(real).stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, _loop(root, path)
        if not Path(path).is_symlink():
            return None, None
        message = f"this link points to {shown(str(Path(path).readlink()))}, which does not exist; it is not read"
        hint = "remove the link, or put the file it stands for in its place"
        return None, _finding(root, path, "broken-symlink", message, hint)
    if not _within(real, str(root)):
        message = f"this link points outside the repository, to {shown(real)}; it is not read"
        hint = "replace the link with the file itself (or the folder with its files)"
        return None, _finding(root, path, "unsafe-path", message, hint)
    if _in_git_records(real, str(root)):
        message = (
            f"this link leads into git's own records, to {shown(Layout(root).relative(real))}; nothing there is "
            "read or published"
        )
        hint = "remove the link: git's records (.git/) are never part of the site"
        return None, _finding(root, path, "unsafe-path", message, hint)
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return None, _special(root, path)
    return (real, mode), None


def walk(root: Path, folder: Path, *, confined: bool = False) -> Listing:
    """Every plain file under ``folder`` that may be read; links are followed only inside ``root``
    (``confined``: inside ``folder`` itself, for a folder a site publishes), never into git's records,
    and never back to a folder that holds them. One directory read per folder and no ``stat`` per
    plain file: this runs over every file of the dataset on every check."""
    found, problem = _inspect(root, folder)
    if problem is not None:
        return Listing((), (str(folder),), (problem,))
    if found is None or not stat.S_ISDIR(found[1]):
        return Listing((), (), ())
    layout = Layout(root)
    top = found[0] if confined else None  # the real folder a confined walk stays in
    files: list[str] = []
    refused: dict[str, Finding] = {}

    def walk_folder(folder: str, real_folder: str) -> None:
        """``real_folder`` is where ``folder`` really is, to stop at a link back to it or above it."""
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            message = f"cannot read this folder: {exc.strerror}"
            refused[folder] = _finding(root, folder, "unreadable", message, "make it readable, or remove it")
            return
        for entry in entries:
            if entry.name == GIT_RECORDS:  # git's records are not the project's files: never read
                continue
            if not entry.name.isprintable():
                refused[entry.path] = _bad_name(layout.relative(entry.path), entry.name)
            elif entry.is_symlink():
                follow(entry.path, real_folder)
            elif entry.is_dir(follow_symlinks=False):
                walk_folder(entry.path, real_folder + os.sep + entry.name)
            elif entry.is_file(follow_symlinks=False):
                files.append(entry.path)
            else:
                refused[entry.path] = _special(root, entry.path)

    def follow(link: str, real_folder: str) -> None:
        found, problem = _inspect(root, link)  # outside, into .git, nowhere, in a loop, not a plain file
        if problem is not None:
            refused[link] = problem
        elif found is None:
            return
        elif stat.S_ISDIR(found[1]) and _within(real_folder, found[0]):
            refused[link] = _loop(root, link)
        elif top is not None and not _within(found[0], top):
            refused[link] = _leaves(root, link, found[0], top)
        elif stat.S_ISDIR(found[1]):
            walk_folder(link, found[0])
        else:
            files.append(link)

    walk_folder(str(folder), found[0])
    files.sort(key=lambda text: text.split(os.sep))  # noqa: PTH206 (sorted as paths sort: folder by folder)
    return Listing(tuple(files), tuple(refused), tuple(refused.values()))


def check_file(root: Path, path: Path | str, *, within: Path | None = None) -> Finding | None:
    """:func:`check`, and the file's name too: for a file another walk than :func:`walk` found
    (MkDocs' walk of the docs folder, which follows every link). ``within``: the folder the file was
    found in, which it must really lie in, as in a confined :func:`walk`."""
    rel = Layout(root).relative(path)
    if not rel.isprintable():
        return _bad_name(rel, rel.rpartition("/")[2])
    found, problem = _inspect(root, path)
    if problem is None and found is not None and within is not None:
        top = os.path.realpath(within)
        if not _within(found[0], top):
            return _leaves(root, path, found[0], top)
    return problem


def hand_written(root: Path) -> Listing:
    """The files under ``docs/`` that a build may read and publish, and what it may not:
    problems with those, with ``CONTRIBUTING.md`` and with ``mkdocs.yml``."""
    listing = walk(root, root / DOCS_DIR, confined=True)
    refused, findings = list(listing.refused), list(listing.findings)
    for name in (GUIDE, CONFIG):
        problem = check(root, root / name)
        if problem is not None:
            refused.append(str(root / name))
            findings.append(problem)
    return Listing(listing.files, tuple(refused), tuple(findings))


def _within(path: str, top: str) -> bool:
    """Whether ``path`` is ``top`` or lies under it (both real, absolute paths)."""
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _in_git_records(path: str, top: str) -> bool:
    """Whether ``path``, under ``top`` (both real, absolute paths), has a ``.git`` folder (or file) on the way."""
    return f"{os.sep}{GIT_RECORDS}{os.sep}" in f"{path[len(top) :]}{os.sep}"


def _finding(root: Path, path: Path | str, rule: str, message: str, hint: str) -> Finding:
    return error(Layout(root).relative(path), (1, 1), rule, "(file name)", message, hint)


def _leaves(root: Path, path: Path | str, real: str, top: str) -> Finding:
    layout = Layout(root)
    folder = shown(layout.relative(top))
    return _finding(
        root,
        path,
        "unsafe-path",
        f"this link leads out of {folder}/, to {shown(layout.relative(real))}; only what {folder}/ itself "
        "holds is published, so it is not read",
        f"put a copy of the file itself in {folder}/, or link only to a file under {folder}/",
    )


def _loop(root: Path, path: Path | str) -> Finding:
    message = "this link leads round in a loop (to itself, or to a folder that holds it); it is not followed"
    return _finding(root, path, "broken-symlink", message, "remove the link, or point it at the file it stands for")


def _special(root: Path, path: Path | str) -> Finding:
    message = "this is not a plain file (a pipe, socket or device); it is not read"
    return _finding(root, path, "unreadable", message, "replace it with a plain file")


def _bad_name(rel: str, name: str) -> Finding:
    return error(
        shown(rel),
        (1, 1),
        "file-name",
        "(file name)",
        f"the name '{shown(name)}' holds a control or invisible character (shown escaped); it is not read",
        "rename it with visible characters only: for a data file, lower-case letters, digits and hyphens",
    )


def near_data_name(name: str) -> str | None:
    """For a name a contributor meant as a data file but that would be skipped (``x.yml``,
    ``x.YAML``), the name it should have; otherwise ``None``."""
    stem, suffix = os.path.splitext(name)  # noqa: PTH122 (strings: this runs for every file)
    if suffix != DATA_SUFFIX and suffix.lower() in NEAR_DATA_SUFFIXES and stem:
        return stem + DATA_SUFFIX
    return None


def temporary_beside(path: Path, content: bytes) -> Path:
    """``content`` in a new file beside ``path`` (created with O_EXCL under a fresh name, so nothing
    planted beforehand is written through), with the permissions ``path`` has, or those any new file
    gets (not mkstemp's owner-only ones)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    hidden = path.name if path.name.startswith(".") else f".{path.name}"
    descriptor, name = tempfile.mkstemp(prefix=f"{hidden}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def replace_whole(path: Path, content: str | bytes) -> None:
    """Replace the file named ``path`` whole, or leave it as it was: a link at ``path`` is replaced
    itself, never written through."""
    temporary = temporary_beside(path, content.encode("utf-8") if isinstance(content, str) else content)
    try:
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_whole(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or leave it as it was; a link the caller names (a claim file linked within
    the repository) stays one, and the file it names is written."""
    replace_whole(path.resolve(), content)
