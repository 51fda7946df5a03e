"""Load ``claims/`` into the immutable model, collecting findings on the way.

A file that cannot be read or fails the schema is left out of the model
(its id is remembered, so references to it are not reported a second time);
everything that loads is checked further by :mod:`claimtrail.checks`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from . import schema
from .cache import ItemCache, file_key
from .findings import Finding, error
from .kinds import KINDS
from .layout import KIND_DIRS, SNAPSHOT_DIR, Layout
from .model import (
    Dataset,
    Source,
    Status,
    StatusScale,
)
from .parallel import map_chunks
from .yamlsafe import Document, YamlProblem, load_document

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
T = TypeVar("T")


@dataclass
class _Context:
    layout: Layout
    findings: list[Finding] = field(default_factory=list)


def load(root: Path, *, cache_dir: Path | None = None, workers: int | None = None) -> tuple[Dataset, list[Finding]]:
    """Read every file of the project at ``root``; return the model and all load-time findings.

    Items are kept in the item cache in ``cache_dir`` (None: no cache). ``workers`` processes parse
    the files (``None``: as many as :mod:`claimtrail.parallel` finds).
    """
    layout = Layout(root.resolve())
    ctx = _Context(layout)
    cache = ItemCache(layout.root, cache_dir) if cache_dir is not None else None
    broken: dict[str, set[str]] = {kind: set() for kind in KIND_DIRS}
    targets: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    jobs: list[_Job] = []
    for kind in targets:
        first_seen: dict[str, str] = {}
        for path in _yaml_files(ctx, layout.kind_dir(kind), unread=broken[kind]):
            rel = layout.relative(path)
            item_id = rel.rpartition("/")[2][: -len(".yaml")]
            if _valid_name(ctx, rel, kind, item_id, first_seen):
                first_seen[item_id] = rel
                jobs.append(_Job(kind, item_id, path, rel))
    # Reading and parsing the files is nearly all the work: it is spread over the cores, and the
    # results come back in order. Items found in the cache stay there rather than travel back.
    built = map_chunks(functools.partial(_build_items, layout, cache), jobs, workers)
    for job, (item, findings, key, cached) in zip(jobs, built, strict=True):
        ctx.findings.extend(findings)
        if cached and cache is not None:
            item = cache.get(job.rel, key)
        elif cache is not None and item is not None and not findings:
            cache.put(job.rel, key, item)
        if item is None:
            broken[job.kind].add(job.item_id)
        else:
            targets[job.kind][job.item_id] = item
    if cache is not None:
        cache.save()
    scale = _scale(ctx)
    snapshot_texts = _snapshots(ctx, targets["source"])
    by_field: dict[str, Any] = {
        KINDS[kind].dataset_field: dict(sorted(found.items())) for kind, found in targets.items()
    }
    dataset = Dataset(
        **by_field,
        scale=scale,
        broken_ids={kind: frozenset(ids) for kind, ids in broken.items()},
        snapshot_texts=snapshot_texts,
    )
    return dataset, ctx.findings


def _yaml_files(ctx: _Context, folder: Path, unread: set[str]) -> Iterator[str]:
    """The ``.yaml`` files under ``folder`` (as strings: this runs over every file on every check).

    Files reported here instead (an unsafe link, a ``.yml`` name) add their id to ``unread``, so that
    references to them are not reported a second time.
    """
    if not folder.is_dir():
        return
    if folder.is_symlink() and not folder.resolve().is_relative_to(ctx.layout.root):
        for path in sorted(folder.rglob("*")):  # every file in it is outside: report each, read none
            if path.is_file() and _outside(ctx, path):
                unread.add(path.stem)
        return
    found: list[str] = []
    _walk(ctx, str(folder), found, unread, (_folder_key(folder),))
    # Sorted as paths sort: folder by folder.
    yield from sorted(found, key=lambda text: text.split(os.sep))  # noqa: PTH206


def _folder_key(folder: Path | os.DirEntry[str]) -> tuple[int, int]:
    info = folder.stat()
    return info.st_dev, info.st_ino


def _walk(ctx: _Context, folder: str, found: list[str], unread: set[str], above: tuple[tuple[int, int], ...]) -> None:
    """Collect the ``.yaml`` files under ``folder`` into ``found``: one directory read per folder and
    no extra ``stat`` per file, since this runs over every file of the dataset on every check.
    ``above`` holds the folders from the top down to this one, to stop at a link back into them."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        stem, suffix = os.path.splitext(entry.name)  # noqa: PTH122 (strings, as Path.stem and .suffix split)
        # A link is followed only if it stays inside the project; plain files and folders always are.
        if entry.is_symlink() and _outside(ctx, Path(entry.path)):
            if not entry.is_dir():
                unread.add(stem)
        elif entry.is_dir():
            try:
                key = _folder_key(entry)
            except OSError:  # gone since it was listed
                continue
            if key not in above:  # a link back to a folder above (a loop) is not followed
                _walk(ctx, entry.path, found, unread, (*above, key))
        elif suffix == ".yml":
            ctx.findings.append(
                error(
                    ctx.layout.relative(Path(entry.path)),
                    (1, 1),
                    "file-extension",
                    "(file name)",
                    "claim files end in .yaml",
                    f"rename it to {stem}.yaml",
                )
            )
            unread.add(stem)
        elif suffix == ".yaml" and entry.is_file():
            found.append(entry.path)


def _outside(ctx: _Context, path: Path) -> bool:
    """Report ``path`` if it is, or lies in a folder that is, a link to somewhere outside the project."""
    if path.resolve().is_relative_to(ctx.layout.root):
        return False
    ctx.findings.append(
        error(
            ctx.layout.relative(path),
            (1, 1),
            "unsafe-path",
            "(file name)",
            "this link points outside the repository",
            "replace the link with the file itself",
        )
    )
    return True


class _Job(NamedTuple):
    """One file to read, parse and build."""

    kind: str
    item_id: str
    path: str
    rel: str


def _valid_name(ctx: _Context, rel: str, kind: str, item_id: str, first_seen: dict[str, str]) -> bool:
    """Whether the file name is a usable, unused id; a finding otherwise."""
    if not ID_PATTERN.match(item_id):
        ctx.findings.append(
            error(
                rel,
                (1, 1),
                "id-format",
                "(file name)",
                f"'{item_id}' is not a valid {kind} id",
                "rename the file: lower-case letters, digits and hyphens, at most 80 characters, ending in .yaml",
            )
        )
        return False
    if item_id == "index":
        ctx.findings.append(
            error(
                rel,
                (1, 1),
                "id-reserved",
                "(file name)",
                f"'index' cannot be a {kind} id",
                "rename the file; the folder's index page uses that name",
            )
        )
        return False
    if item_id in first_seen:
        ctx.findings.append(
            error(
                rel,
                (1, 1),
                "duplicate-id",
                "(file name)",
                f"{kind} id '{item_id}' is already used by {first_seen[item_id]}",
                "ids must be unique across sub-folders; rename one of the files",
            )
        )
        return False
    return True


def _build_items(
    layout: Layout, cache: ItemCache | None, jobs: Sequence[_Job]
) -> list[tuple[Any, list[Finding], bytes, bool]]:
    """Per file: its model object (``None`` if it has errors, or if the cache holds it), its findings,
    its content key and whether the cache holds it; in order."""
    results: list[tuple[Any, list[Finding], bytes, bool]] = []
    for job in jobs:
        ctx = _Context(layout)
        try:
            with open(job.path, "rb") as handle:  # noqa: PTH123 (a string path: no Path object per file)
                raw = handle.read()
        except OSError as exc:
            ctx.findings.append(error(job.rel, (1, 1), "unreadable", "", f"cannot read the file: {exc.strerror}"))
            results.append((None, ctx.findings, b"", False))
            continue
        key = file_key(raw) if cache is not None else b""
        if cache is not None and cache.has(job.rel, key):
            results.append((None, [], key, True))
            continue
        document = _document(ctx, job.path, KINDS[job.kind].schema_def, raw)
        kind = KINDS[job.kind]
        item = kind.build(job.item_id, document, ctx) if document is not None else None
        results.append((item, ctx.findings, key, False))
    return results


def _document(ctx: _Context, path: Path | str, definition: str, raw: bytes | None = None) -> Document | None:
    rel = ctx.layout.relative(path)
    if raw is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            ctx.findings.append(error(rel, (1, 1), "unreadable", "", f"cannot read the file: {exc.strerror}"))
            return None
    try:
        document = load_document(rel, raw, origin=str(path))
    except YamlProblem as problem:
        ctx.findings.append(error(rel, problem.position, problem.rule, problem.field, problem.message, problem.hint))
        return None
    problems = schema.validate(document, definition)
    ctx.findings.extend(problems)
    return None if problems else document


def _scale(ctx: _Context) -> StatusScale | None:
    path = ctx.layout.status_file
    if not path.is_file():
        ctx.findings.append(
            error(
                ctx.layout.relative(path),
                (1, 1),
                "missing-file",
                "",
                "the status scale is missing",
                "create claims/statuses.yaml (see the README)",
            )
        )
        return None
    if _outside(ctx, path):
        return None
    document = _document(ctx, path, "status_scale")
    if document is None:
        return None
    data = document.data
    statuses = tuple(
        Status(s["id"], s["label"], s["colour"], s["description"], s["evidence"], s.get("rating_value"), index)
        for index, s in enumerate(data["statuses"])
    )
    return StatusScale(data["best_rating"], data["worst_rating"], statuses, document)


def _snapshots(ctx: _Context, sources: dict[str, Source]) -> dict[str, str]:
    """Read each snapshot file once; the hash and quotes are checked later."""
    texts: dict[str, str] = {}
    base = ctx.layout.data_dir
    # A linked snapshots folder must not lead out of the repository.
    allowed = (base / SNAPSHOT_DIR).resolve()
    inside_root = allowed.is_relative_to(ctx.layout.root)
    prefix = str(allowed) + os.sep
    for source in sources.values():
        if source.snapshot is None or source.snapshot.file in texts:
            continue
        path = base / source.snapshot.file
        inside = inside_root and os.path.realpath(path).startswith(prefix)
        if not inside or not path.is_file():
            ctx.findings.append(
                error(
                    source.document.path,
                    source.document.position(("snapshot", "file")),
                    "snapshot-missing",
                    "snapshot.file",
                    f"snapshot file {source.snapshot.file} does not exist under claims/",
                    "add the text under claims/snapshots/ or correct the path",
                )
            )
            continue
        try:
            texts[source.snapshot.file] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            ctx.findings.append(
                error(
                    source.document.path,
                    source.document.position(("snapshot", "file")),
                    "encoding",
                    "snapshot.file",
                    f"snapshot {source.snapshot.file} is not UTF-8 text",
                    "store the snapshot as UTF-8",
                )
            )
    return texts
