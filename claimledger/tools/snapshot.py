"""``claimledger snapshot``: keep a copy of a source's text (``claims/snapshots/<id>.txt``, UTF-8, LF, no
BOM) and record it on the source as ``snapshot: {file, sha256, retrieved, third_party}``, its other fields
and comments kept; with ``--archive``, also the copy Save Page Now took (:class:`Archive`).

Both files are written beside themselves and renamed into place, the first undone if the second fails. A
snapshot (evidence, never edited) or an archived copy already recorded is not replaced without ``force``,
and nothing is written through a link.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml.comments import CommentedMap

from ..findings import printable
from ..record import paths
from ..record.layout import Layout
from ..record.loader import ID_PATTERN
from ..record.yamlsafe import YamlProblem, load_document
from .fmt import normalised, round_trip, set_fields

SNAPSHOT_DIR = "snapshots"  # under claims/
SUFFIX = ".txt"


class SnapshotError(Exception):
    """The snapshot cannot be taken; the message says why, the hint what to do. Nothing was written."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class Archive(NamedTuple):
    """An archived copy of the source's page, as recorded on the source."""

    url: str  # archive_url
    day: dt.date  # archive_date: the day of the copy
    accessed: dt.date  # accessed: the day the page was seen


@dataclass(frozen=True)
class Taken:
    snapshot: str  # the snapshot file, relative to the project root
    source: str  # the source file, relative to the project root
    sha256: str
    retrieved: dt.date
    unchanged: bool  # the same text was already saved and recorded: nothing was written


def text_of(data: bytes, name: str) -> str:
    """``data`` as the text a snapshot keeps: UTF-8, LF line endings, no byte-order mark."""
    if b"\x00" in data:
        raise SnapshotError(
            f"{name} is not a text file (it holds NUL bytes, as a PDF, image or word-processor file does)",
            "save the page or document as plain UTF-8 text first (a browser's 'Save as: text', or copy and paste)",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be read as UTF-8)",
            "convert it to UTF-8 first, for example: iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.txt",
        ) from None
    text = normalised(text)
    if not text.strip():
        raise SnapshotError(f"{name} holds no text", "a snapshot keeps the source's words: give a file that has them")
    return text


def read_text(file: Path) -> str:
    name = printable(str(file))
    try:
        return text_of(file.read_bytes(), name)
    except FileNotFoundError:
        raise SnapshotError(f"{name} does not exist", "give the path of the saved text") from None
    except IsADirectoryError:
        raise SnapshotError(f"{name} is a folder", "give the path of one file holding the text") from None
    except OSError as exc:
        raise SnapshotError(f"{name} cannot be read: {exc.strerror}") from None


def _archive_fields(archive: Archive) -> dict[str, str]:
    return {
        "archive_url": archive.url,
        "archive_date": archive.day.isoformat(),
        "accessed": archive.accessed.isoformat(),
    }


def _snapshot_block(text: str, file: str, sha256: str, retrieved: dt.date) -> CommentedMap:
    """The snapshot block a source file (``text``) gets for a new copy."""
    block = CommentedMap(file=file, sha256=sha256, retrieved=retrieved.isoformat(), third_party=True)
    data = round_trip().load(text)
    old = data.get("snapshot") if isinstance(data, CommentedMap) else None
    if isinstance(old, CommentedMap):  # a note on the old copy stays; the rest is the new copy's
        block.update((key, value) for key, value in old.items() if key not in block)
    return block


def _existing(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_both(snapshot: Path, snapshot_bytes: bytes, source: Path, source_bytes: bytes) -> None:
    """Both files, or neither: the first rename is undone if the second fails."""
    previous = _existing(snapshot)
    first = paths.temporary_beside(snapshot, snapshot_bytes)
    try:
        second = paths.temporary_beside(source, source_bytes)
    except BaseException:
        first.unlink(missing_ok=True)
        raise
    try:
        first.replace(snapshot)
        try:
            second.replace(source)
        except BaseException:
            if previous is None:
                snapshot.unlink(missing_ok=True)
            else:
                paths.temporary_beside(snapshot, previous).replace(snapshot)
            raise
    finally:
        first.unlink(missing_ok=True)
        second.unlink(missing_ok=True)


def _refuse_link_or_outside(layout: Layout, path: Path) -> None:
    if path.is_symlink():
        raise SnapshotError(
            f"{layout.relative(path)} is a link; a snapshot is never written through a link",
            "remove the link: a snapshot is a plain file under claims/snapshots/",
        )
    problem = paths.check(layout.root, path)
    if problem is not None:
        raise SnapshotError(problem.message, problem.hint)


@dataclass(frozen=True)
class _Source:
    """A source's file as it is now."""

    path: Path
    rel: str  # relative to the project root
    text: str
    fields: dict[str, Any]

    def updated(self, fields: Mapping[str, Any]) -> bytes:
        """The file with ``fields`` set, the rest of it, comments included, as it was."""
        try:
            return set_fields(normalised(self.text), "source", fields).encode("utf-8")
        except ValueError as exc:
            raise SnapshotError(f"{self.rel} cannot be updated: {exc}", "run claimledger fmt and check first") from None


def _source(layout: Layout, source_id: str) -> _Source:
    """The file of ``source_id``, read."""
    if not ID_PATTERN.fullmatch(source_id):
        raise SnapshotError(
            f"'{paths.shown(source_id)}' is not a source id",
            "give the source's file name under claims/sources/, without .yaml",
        )
    listing = paths.walk(layout.root, layout.kind_dir("source"))
    if listing.findings and str(layout.kind_dir("source")) in listing.refused:
        raise SnapshotError(listing.findings[0].message, listing.findings[0].hint)
    found = [Path(name) for name in listing.files if Path(name).name == source_id + paths.DATA_SUFFIX]
    if not found:
        known = [Path(name).stem for name in listing.files if name.endswith(paths.DATA_SUFFIX)]
        close = difflib.get_close_matches(source_id, known, n=3)
        raise SnapshotError(
            f"no source '{source_id}': there is no claims/sources/{source_id}.yaml",
            (f"did you mean {' or '.join(close)}? " if close else "")
            + f"write the source first (claimledger new source {source_id}), then take its snapshot",
        )
    path, rel = found[0], layout.relative(found[0])
    if path.is_symlink():
        raise SnapshotError(
            f"{rel} is a link; a snapshot is never recorded through a link", "replace the link with the file itself"
        )
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
        current = load_document(rel, data).data
    except OSError as exc:
        raise SnapshotError(f"{rel} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{rel} is not UTF-8 text", "run claimledger check, and fix what it says") from None
    except YamlProblem as problem:
        raise SnapshotError(f"{rel} cannot be read: {problem.message}", problem.hint) from None
    return _Source(path, rel, text, current if isinstance(current, dict) else {})


def archive_target(root: Path, source_id: str, url: str | None, *, force: bool = False) -> str:
    """The page ``--archive`` asks Save Page Now to copy: ``url``, else the source's; refused (before asking)
    when there is none, or when the source already records an archived copy and ``force`` is not given."""
    source = _source(Layout(root.resolve()), source_id)
    recorded = source.fields.get("archive_url")
    if recorded and not force:
        raise SnapshotError(
            f"{source.rel} already records an archived copy ({recorded}); it is not replaced",
            "if a new copy is wanted on purpose, run the command again with --force",
        )
    page = url or source.fields.get("url")
    if not isinstance(page, str) or not page:
        raise SnapshotError(
            f"{source.rel} has no url: --archive needs the address of the page to archive",
            "give it with --url URL (its text is then saved too), or add `url:` to the source",
        )
    return page


def record_archive(root: Path, source_id: str, archive: Archive) -> str:
    """Set ``archive`` alone on ``source_id`` in one atomic write; the source file, relative to the root."""
    source = _source(Layout(root.resolve()), source_id)
    result = source.updated(_archive_fields(archive))
    try:
        paths.replace_whole(source.path, result)
    except OSError as exc:
        raise SnapshotError(f"nothing was written: {exc}") from None
    return source.rel


def take(
    root: Path, source_id: str, text: str, retrieved: dt.date, *, force: bool = False, archive: Archive | None = None
) -> Taken:
    """Save ``text`` (as :func:`text_of` returns it) as the snapshot of ``source_id``, with ``archive`` if given."""
    layout = Layout(root.resolve())
    source = _source(layout, source_id)
    folder = layout.data_dir / SNAPSHOT_DIR
    _refuse_link_or_outside(layout, folder)
    target = folder / (source_id + SUFFIX)
    _refuse_link_or_outside(layout, target)
    content = text.encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    file = f"{SNAPSHOT_DIR}/{target.name}"
    recorded: Any = source.fields.get("snapshot")
    recorded_hash = recorded.get("sha256") if isinstance(recorded, dict) else None
    saved = _existing(target)
    again = "if this is a new copy taken on purpose, run the command again with --force"
    if not force and saved is not None and saved != content:
        raise SnapshotError(f"{layout.relative(target)} already holds another text; a snapshot is never edited", again)
    if not force and recorded_hash is not None and recorded_hash != digest:
        raise SnapshotError(
            f"{source.rel} already records a snapshot with another SHA-256; a snapshot is never edited", again
        )
    same = saved == content and isinstance(recorded, dict) and recorded.get("file") == file and recorded_hash == digest
    if same:  # the text as it was: nothing is new, or only the archived copy
        written = source.rel if archive is None else record_archive(root, source_id, archive)
        return Taken(layout.relative(target), written, digest, retrieved, unchanged=archive is None)
    block = _snapshot_block(normalised(source.text), file, digest, retrieved)
    result = source.updated({"snapshot": block, **(_archive_fields(archive) if archive is not None else {})})
    folder.mkdir(exist_ok=True)
    try:
        _write_both(target, content, source.path, result)
    except OSError as exc:
        raise SnapshotError(f"nothing was written: {exc}") from None
    return Taken(layout.relative(target), source.rel, digest, retrieved, unchanged=False)
