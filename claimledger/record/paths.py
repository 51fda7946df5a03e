"""Which files a check or a build may read: one policy for ``claims/``, ``docs/``, the snapshots,
``CONTRIBUTING.md`` and ``mkdocs.yml``.

- Nothing is read from outside the repository: a link that leads out of it is reported
  (``unsafe-path``), and neither read nor, for a folder, walked.
- Nothing is read from git's own records (``.git/``, a submodule's too): a link into them is
  reported (``unsafe-path``), and a walk passes over a ``.git`` entry without reading it.
- What a site publishes from a folder (``docs/``, a theme's ``custom_dir``) is what that folder holds
  itself: in a *confined* walk, a link that leads out of the folder, even to a file elsewhere in the
  repository, is reported (``unsafe-path``) and neither read nor walked.
- A link that leads nowhere (dangling) or back into itself (a loop) is reported
  (``broken-symlink``), never a crash or an endless walk.
- A name with a control or invisible character is reported (``file-name``), and the file never
  becomes a page or a folder of the site.
- Only plain files are read: a pipe, socket or device is reported (``unreadable``), never opened.

A path that does not exist at all (and is no link) is no concern of this module: whoever wanted
the file says what is missing.

A file is written whole or not at all (:func:`write_whole`), through a new temporary file beside it,
never through a name someone may have planted there.
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
    if name.isprintable():
        return name
    return "".join(character if character.isprintable() else _escape(character) for character in name)


def _escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return ascii(character)[1:-1]


def check(root: Path, path: Path | str) -> Finding | None:
    """Why ``path`` may not be read, or ``None``: it lies inside ``root`` (through whatever links)
    and is a plain file or a folder, or it does not exist and is no link.

    ``root`` is the repository's resolved root.
    """
    return _inspect(root, path)[1]


def _inspect(root: Path, path: Path | str) -> tuple[tuple[str, int] | None, Finding | None]:
    """Where ``path`` really is and its file mode (``None`` if nowhere), and why it may not be read."""
    try:
        real = os.path.realpath(path, strict=True)
        mode = Path(real).stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, _loop(root, path)
        if Path(path).is_symlink():
            return None, _dangling(root, path)
        return None, None
    if not _within(real, str(root)):
        return None, _outside(root, path, real)
    if _in_git_records(real, str(root)):
        return None, _git_records(root, path, real)
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return None, _special(root, path)
    return (real, mode), None


def walk(root: Path, folder: Path, *, confined: bool = False) -> Listing:
    """Every plain file under ``folder`` that may be read; links are followed only inside ``root``,
    never into git's records, and never to a folder that holds them. ``confined``: only inside
    ``folder`` itself (as it really is), for a folder whose files a site publishes.

    One directory read per folder and no extra ``stat`` per plain file: this runs over every file
    of the dataset on every check.
    """
    found, problem = _inspect(root, folder)
    if problem is not None:
        return Listing((), (str(folder),), (problem,))
    if found is None or not stat.S_ISDIR(found[1]):
        return Listing((), (), ())
    walker = _Walker(root, Layout(root), found[0] if confined else None)
    walker.walk(str(folder), found[0])
    # Sorted as paths sort: folder by folder.
    files = sorted(walker.files, key=lambda text: text.split(os.sep))  # noqa: PTH206
    return Listing(tuple(files), tuple(walker.refused), tuple(walker.findings))


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


class _Walker:
    __slots__ = ("files", "findings", "layout", "refused", "root", "top")

    def __init__(self, root: Path, layout: Layout, top: str | None) -> None:
        self.root = root
        self.layout = layout
        self.top = top  # the real folder a confined walk stays in; None: the repository
        self.files: list[str] = []
        self.refused: list[str] = []
        self.findings: list[Finding] = []

    def walk(self, folder: str, real_folder: str) -> None:
        """``real_folder`` is where ``folder`` really is, to stop at a link back to it or above it."""
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            self._refuse(folder, _unreadable(self.layout.relative(folder), exc))
            return
        for entry in entries:
            if entry.name == GIT_RECORDS:  # git's records are not the project's files: never read
                continue
            if not entry.name.isprintable():
                self._refuse(entry.path, _bad_name(self.layout.relative(entry.path), entry.name))
            elif entry.is_symlink():
                self._follow(entry.path, real_folder)
            elif entry.is_dir(follow_symlinks=False):
                self.walk(entry.path, real_folder + os.sep + entry.name)
            elif entry.is_file(follow_symlinks=False):
                self.files.append(entry.path)
            else:
                self._refuse(entry.path, _special(self.root, entry.path))

    def _follow(self, link: str, real_folder: str) -> None:
        """A link is followed if it leads inside the repository (in a confined walk, inside the
        walked folder), out of git's records, and not back to a folder that holds it."""
        found, problem = _inspect(self.root, link)  # outside, into .git, nowhere, in a loop, not a plain file
        if problem is not None:
            self._refuse(link, problem)
        elif found is None:
            return
        elif stat.S_ISDIR(found[1]) and _within(real_folder, found[0]):
            self._refuse(link, _loop(self.root, link))
        elif self.top is not None and not _within(found[0], self.top):
            self._refuse(link, _leaves(self.root, link, found[0], self.top))
        elif stat.S_ISDIR(found[1]):
            self.walk(link, found[0])
        else:
            self.files.append(link)

    def _refuse(self, path: str, finding: Finding) -> None:
        self.refused.append(path)
        self.findings.append(finding)


def _within(path: str, top: str) -> bool:
    """Whether ``path`` is ``top`` or lies under it (both real, absolute paths)."""
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _in_git_records(path: str, top: str) -> bool:
    """Whether ``path``, under ``top`` (both real, absolute paths), lies in git's records: a ``.git``
    folder (or file) anywhere on the way."""
    return f"{os.sep}{GIT_RECORDS}{os.sep}" in f"{path[len(top) :]}{os.sep}"


def _git_records(root: Path, path: Path | str, real: str) -> Finding:
    layout = Layout(root)
    return error(
        layout.relative(path),
        (1, 1),
        "unsafe-path",
        "(file name)",
        f"this link leads into git's own records, to {shown(layout.relative(real))}; nothing there is read "
        "or published",
        "remove the link: git's records (.git/) are never part of the site",
    )


def _leaves(root: Path, path: Path | str, real: str, top: str) -> Finding:
    layout = Layout(root)
    folder = shown(layout.relative(top))
    return error(
        layout.relative(path),
        (1, 1),
        "unsafe-path",
        "(file name)",
        f"this link leads out of {folder}/, to {shown(layout.relative(real))}; only what {folder}/ itself "
        "holds is published, so it is not read",
        f"put a copy of the file itself in {folder}/, or link only to a file under {folder}/",
    )


def _outside(root: Path, path: Path | str, real: str) -> Finding:
    return error(
        Layout(root).relative(path),
        (1, 1),
        "unsafe-path",
        "(file name)",
        f"this link points outside the repository, to {shown(real)}; it is not read",
        "replace the link with the file itself (or the folder with its files)",
    )


def _loop(root: Path, path: Path | str) -> Finding:
    return error(
        Layout(root).relative(path),
        (1, 1),
        "broken-symlink",
        "(file name)",
        "this link leads round in a loop (to itself, or to a folder that holds it); it is not followed",
        "remove the link, or point it at the file it stands for",
    )


def _dangling(root: Path, path: Path | str) -> Finding:
    target = shown(str(Path(path).readlink()))
    return error(
        Layout(root).relative(path),
        (1, 1),
        "broken-symlink",
        "(file name)",
        f"this link points to {target}, which does not exist; it is not read",
        "remove the link, or put the file it stands for in its place",
    )


def _special(root: Path, path: Path | str) -> Finding:
    return error(
        Layout(root).relative(path),
        (1, 1),
        "unreadable",
        "(file name)",
        "this is not a plain file (a pipe, socket or device); it is not read",
        "replace it with a plain file",
    )


def _unreadable(rel: str, exc: OSError) -> Finding:
    return error(
        rel,
        (1, 1),
        "unreadable",
        "(file name)",
        f"cannot read this folder: {exc.strerror}",
        "make it readable, or remove it",
    )


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
