"""Load ``claims/`` into the immutable model, collecting findings on the way.

A file that cannot be read or fails the schema is left out of the model
(its id is remembered, so references to it are not reported a second time);
everything that loads is checked further by :mod:`claimledger.checks`.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..findings import Finding, error, warning
from . import items, paths, schema
from .cache import ItemCache, file_key
from .kinds import KINDS
from .layout import Layout
from .model import Claim, Dataset, Publisher, Source, StatusScale
from .parallel import map_chunks
from .placeholders import PLACEHOLDER_MARK, placeholders
from .yamlsafe import MAX_LIST_ITEMS, Document, YamlProblem, form_notes, load_document

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # matched whole: fullmatch, never match with $


@dataclass(frozen=True)
class Limits:
    """How large a data file, and how long a list in it, may be: far beyond any real claim, and low
    enough that a crafted file costs little to refuse. A project sets them in claims/limits.yaml."""

    max_file_size: int = 1024 * 1024  # bytes
    max_list_items: int = MAX_LIST_ITEMS


# How far claims/limits.yaml may raise each limit: a file in the pull request under review sets the
# limits, so what it may ask for is bounded here, in code, where changing it takes a release.
CEILINGS = Limits(max_file_size=64 * 1024 * 1024, max_list_items=100_000)


@dataclass
class _Context:
    layout: Layout
    findings: list[Finding] = field(default_factory=list)
    limits: Limits = Limits()


def load(root: Path, *, cache_dir: Path | None = None, workers: int | None = None) -> tuple[Dataset, list[Finding]]:
    """The model of the project at ``root`` and all load-time findings; items are kept in the item cache in
    ``cache_dir`` (None: no cache), ``workers`` processes parse the files (None: one per core)."""
    layout = Layout(root.resolve())
    ctx = _Context(layout)
    ctx.limits = _limits(ctx)
    settings = "" if ctx.limits == Limits() else repr(ctx.limits)
    cache = ItemCache(layout.root, cache_dir, settings) if cache_dir is not None else None
    broken: dict[str, set[str]] = {kind: set() for kind in KINDS}
    targets: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    jobs: list[_Job] = []
    digests: dict[str, bytes] = {}
    for kind in targets:
        first_seen: dict[str, str] = {}
        listed = [
            (path, layout.relative(path)) for path in _yaml_files(ctx, layout.kind_dir(kind), unread=broken[kind])
        ]
        for path, rel in _originals_first(layout, kind, listed):
            item_id = rel.rpartition("/")[2][: -len(".yaml")]
            if _valid_name(ctx, rel, kind, item_id, first_seen):
                first_seen[item_id] = rel
                jobs.append(_Job(kind, item_id, path, rel))
    # Reading and parsing the files is nearly all the work: it is spread over the cores. Items found
    # in the cache stay there rather than travel back.
    built = map_chunks(functools.partial(_build_items, layout, ctx.limits, cache), jobs, workers)
    for job, (item, findings, key, cached) in zip(jobs, built, strict=True):
        ctx.findings.extend(findings)
        if cached and cache is not None:
            item = cache.get(job.rel, key)
        elif cache is not None and item is not None and not findings:
            cache.put(job.rel, key, item)
        if item is None:
            broken[job.kind].add(job.item_id)
        else:  # keyed by the item's own id and path (equal to the job's): one copy of each is kept
            targets[job.kind][item.id] = item
            digests[item.document.path] = key
    if cache is not None:
        cache.save()
    scale = _scale(ctx)
    snapshot_texts = _snapshots(ctx, targets["source"])
    by_kind = {KINDS[kind]: dict(sorted(found.items())) for kind, found in targets.items()}
    own = {kind.dataset_field: found for kind, found in by_kind.items() if kind.dataset_field is not None}
    more = {kind.name: found for kind, found in by_kind.items() if kind.dataset_field is None}
    publisher = _publisher(ctx)
    if publisher is None and layout.publisher_file.is_file():  # its editors are unknown, not missing
        broken[PUBLISHER] = {PUBLISHER}
    dataset = Dataset(
        **own,
        more=more,
        scale=scale,
        broken_ids={kind: frozenset(ids) for kind, ids in broken.items()},
        snapshot_texts=snapshot_texts,
        publisher=publisher,
        digests=digests,
    )
    return dataset, ctx.findings


def _yaml_files(ctx: _Context, folder: Path, unread: set[str]) -> Iterator[str]:
    """The ``.yaml`` files under ``folder`` (as strings: this runs over every file on every check), as
    :func:`claimledger.record.paths.walk` lets them be read. Files reported instead (an unsafe or broken
    link, a ``.yml`` name) add their id to ``unread``: references to them are not reported again."""
    listing = paths.walk(ctx.layout.root, folder)
    ctx.findings.extend(listing.findings)
    for refused in listing.refused:
        stem, suffix = os.path.splitext(os.path.basename(refused))  # noqa: PTH119, PTH122 (strings)
        if suffix.lower() in paths.NEAR_DATA_SUFFIXES:
            unread.add(stem)
    for path in listing.files:
        name = path.rpartition(os.sep)[2]
        if name.endswith(paths.DATA_SUFFIX):
            yield path
        elif (meant := paths.near_data_name(name)) is not None:
            message = "data files end in .yaml (in lower case): this file is not read"
            ctx.findings.append(
                _name_error(ctx.layout.relative(path), "file-extension", message, f"rename it to {meant}")
            )
            unread.add(meant[: -len(paths.DATA_SUFFIX)])


def _refused(ctx: _Context, path: Path) -> bool:
    """Report ``path`` if the path policy refuses it (a link outside the project, or a broken one)."""
    problem = paths.check(ctx.layout.root, path)
    if problem is None:
        return False
    ctx.findings.append(problem)
    return True


def _originals_first(layout: Layout, kind: str, listed: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The files of one kind (path, relative name) in the order their ids are claimed: where files share
    an id, the first keeps it and the others get ``duplicate-id``. That is the new copy's error: a file
    git's last commit holds at its path comes first; otherwise, or without git, path order decides."""
    ids = [rel.rpartition("/")[2] for _, rel in listed]
    if len(set(ids)) == len(ids):
        return listed
    committed = _committed(layout.root, layout.relative(layout.kind_dir(kind)))
    return sorted(listed, key=lambda entry: entry[1] not in committed)  # stable: path order otherwise


def _committed(root: Path, folder: str) -> frozenset[str]:
    """The files under ``folder`` in git's last commit, relative to ``root``; none without git or a commit."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", folder],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return frozenset()
    return frozenset(name for name in os.fsdecode(listed).split("\0") if name)


class _Job(NamedTuple):
    kind: str
    item_id: str
    path: str
    rel: str


def _name_error(rel: str, rule: str, message: str, hint: str) -> Finding:
    return error(rel, (1, 1), rule, "(file name)", message, hint)


def _valid_name(ctx: _Context, rel: str, kind: str, item_id: str, first_seen: dict[str, str]) -> bool:
    """Whether the file name is a usable, unused id; a finding otherwise."""
    if not ID_PATTERN.fullmatch(item_id):
        rule, message = "id-format", f"'{item_id}' is not a valid {kind} id"
        hint = "rename the file: lower-case letters, digits and hyphens, at most 80 characters, ending in .yaml"
    elif item_id == "index":
        rule, message = "id-reserved", f"'index' cannot be a {kind} id"
        hint = "rename the file; the folder's index page uses that name"
    elif item_id in first_seen:
        rule, message = "duplicate-id", f"this file's id '{item_id}' is also used by {first_seen[item_id]}"
        hint = "ids must be unique across sub-folders; rename one of the files"
    else:
        return True
    ctx.findings.append(_name_error(rel, rule, message, hint))
    return False


# Per file: its model object (None if it has errors, or if the cache holds it), its findings, its
# content key (the digest of its bytes) and whether the cache holds it.
_Built = tuple[Any, list[Finding], bytes, bool]


def _build_items(layout: Layout, limits: Limits, cache: ItemCache | None, jobs: Sequence[_Job]) -> list[_Built]:
    return [_build_item(layout, limits, cache, job) for job in jobs]


def _build_item(layout: Layout, limits: Limits, cache: ItemCache | None, job: _Job) -> _Built:
    ctx = _Context(layout, limits=limits)
    raw = _read(ctx, job.path)
    if raw is None:
        return None, ctx.findings, b"", False
    key = file_key(raw)
    if cache is not None and cache.has(job.rel, key):
        return None, [], key, True
    kind = KINDS[job.kind]
    document = _document(ctx, job.path, kind.schema_def, raw)
    return (kind.build(job.item_id, document, ctx) if document is not None else None), ctx.findings, key, False


def _from_bytes(root: Path, rel: str, raw: bytes, definition: str) -> tuple[Document | None, _Context]:
    """``raw`` (an earlier revision of ``rel``, say) read as ``load`` reads the file, within the default
    limits: claims/limits.yaml is part of the working copy, and a change must not be able to keep the
    version it is compared with from loading."""
    ctx = _Context(Layout(root.resolve()))
    if len(raw) > ctx.limits.max_file_size:
        ctx.findings.append(_too_large(rel, len(raw), ctx.limits.max_file_size))
        return None, ctx
    return _document(ctx, rel, definition, raw), ctx


def claim_from_bytes(root: Path, rel: str, raw: bytes) -> tuple[Claim | None, list[Finding]]:
    """A claim file's bytes read as ``load`` reads it: the claim (None if it does not load), the findings."""
    document, ctx = _from_bytes(root, rel, raw, KINDS["claim"].schema_def)
    item_id = rel.rpartition("/")[2].removesuffix(paths.DATA_SUFFIX)
    return (items.claim(item_id, document, ctx) if document is not None else None), ctx.findings


def _read(ctx: _Context, path: Path | str) -> bytes | None:
    """The file's bytes; None, and a finding, where it cannot be read or is over the size limit (then it
    is not even read)."""
    limit = ctx.limits.max_file_size
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 (a string path: no Path object per file)
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(limit + 1) if size <= limit else b""  # a file that grew since is read no further
    except OSError as exc:
        rel = ctx.layout.relative(path)
        ctx.findings.append(error(rel, (1, 1), "unreadable", "", f"cannot read the file: {exc.strerror}"))
        return None
    if size > limit or len(raw) > limit:
        ctx.findings.append(_too_large(ctx.layout.relative(path), max(size, len(raw)), limit))
        return None
    return raw


def _document(ctx: _Context, path: Path | str, definition: str, raw: bytes | None = None) -> Document | None:
    rel = ctx.layout.relative(path)
    raw = _read(ctx, path) if raw is None else raw
    if raw is None:
        return None
    hint = _form_hint(rel, definition)
    ctx.findings.extend(warning(rel, position, rule, "", message, hint) for rule, position, message in form_notes(raw))
    try:
        document = load_document(rel, raw, origin=str(path), max_items=ctx.limits.max_list_items)
    except YamlProblem as problem:
        ctx.findings.append(
            error(rel, problem.position, problem.rule, problem.field, problem.message, problem.hint, problem.detail)
        )
        return None
    problems = schema.validate(document, definition)
    ctx.findings.extend(problems)
    if not problems and PLACEHOLDER_MARK in raw:
        ctx.findings.extend(placeholders(document))
    return None if problems else document


_FORMATTED = frozenset(kind.schema_def for kind in KINDS.values())  # the files `claimledger fmt` rewrites


def _form_hint(rel: str, definition: str) -> str:
    """How to save a file without a byte-order mark or Windows line endings."""
    if definition in _FORMATTED:
        return f"run `claimledger fmt {rel}`: it rewrites the file with LF line endings and no BOM, data unchanged"
    return (
        "save the file with LF (Unix) line endings, as UTF-8 without a BOM: most editors show both in their "
        "status bar; `git config core.autocrlf input` keeps git from adding CRLF on checkout"
    )


def _too_large(rel: str, size: int, limit: int) -> Finding:
    shown, most = _size(size), _size(limit)
    if shown == most:  # just over the limit: the bytes tell the difference
        shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    hint = (
        "a claim, source or party file holds a few kilobytes: check that this is the right file; long texts "
        "belong in a snapshot under claims/snapshots/, and a project that needs larger files raises "
        "`max_file_size` in claims/limits.yaml"
    )
    return error(
        rel, (1, 1), "file-size", "", f"the file is too large to be read: {shown}, where the limit is {most}", hint
    )


def _size(count: int) -> str:
    """``1 MiB``, ``38.2 MiB``, ``900 KiB`` or ``512 bytes``."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _scale(ctx: _Context) -> StatusScale | None:
    path = ctx.layout.status_file
    if _refused(ctx, path):
        return None
    if not path.is_file():
        message, hint = "the status scale is missing", "create claims/statuses.yaml (see docs/reference.md)"
        ctx.findings.append(error(ctx.layout.relative(path), (1, 1), "missing-file", "", message, hint))
        return None
    document = _document(ctx, path, "status_scale")
    return None if document is None else items.status_scale(document, ctx)


def scale_from_bytes(root: Path, rel: str, raw: bytes) -> StatusScale | None:
    """An earlier claims/statuses.yaml read as ``load`` reads it; None if it does not load."""
    document, ctx = _from_bytes(root, rel, raw, "status_scale")
    return None if document is None else items.status_scale(document, ctx)


PUBLISHER = "publisher"  # the key of broken_ids that says claims/publisher.yaml did not load


def _publisher(ctx: _Context) -> Publisher | None:
    """The site's publisher, from ``claims/publisher.yaml`` if there is one."""
    document = _optional_file(ctx, ctx.layout.publisher_file, "publisher")
    return None if document is None else items.publisher(document, ctx)


def _limits(ctx: _Context) -> Limits:
    """The limits claims/limits.yaml sets, if there is one; the defaults where it is missing or wrong."""
    path = ctx.layout.limits_file
    document = _optional_file(ctx, path, "limits")
    if document is None:
        return Limits()
    wanted = dict(document.data)
    for name, value in document.data.items():
        ceiling = getattr(CEILINGS, name)
        if value > ceiling:
            message = f"{name} is {value:,}, above the ceiling of {ceiling:,} that claimledger allows"
            hint = (
                f"set {name} to at most {ceiling:,}: the ceiling bounds the work a data file can cause, "
                "whatever a pull request sets here"
            )
            rel = ctx.layout.relative(path)
            ctx.findings.append(error(rel, document.position((name,)), "limit-ceiling", name, message, hint))
            wanted[name] = ceiling
    return Limits(**wanted)


def load_file(root: Path, path: Path, definition: str) -> tuple[Document | None, list[Finding]]:
    """One optional project file checked against ``definition`` of the schema, under the path policy:
    its document (``None`` if it is missing or wrong) and the findings about it."""
    ctx = _Context(Layout(root.resolve()))
    return _optional_file(ctx, path, definition), ctx.findings


def _optional_file(ctx: _Context, path: Path, definition: str) -> Document | None:
    """``path``'s document if the path policy allows it and it is a file that loads."""
    if _refused(ctx, path) or not path.is_file():
        return None
    return _document(ctx, path, definition)


def _snapshots(ctx: _Context, sources: dict[str, Source]) -> dict[str, str]:
    """Read each snapshot file once; the hash and quotes are checked later."""
    texts: dict[str, str] = {}
    refused: set[str] = set()
    for source in sources.values():
        name = source.snapshot.file if source.snapshot is not None else None
        if name is None or name in texts or name in refused:
            continue
        path = ctx.layout.data_dir / name
        if _refused(ctx, path):  # reported once, on the snapshot file, however many sources name it
            refused.add(name)
            continue
        if not path.is_file():
            rule, message = "snapshot-missing", f"snapshot file {name} does not exist under claims/"
            hint = "add the text under claims/snapshots/ or correct the path"
        else:
            try:
                texts[name] = path.read_bytes().decode("utf-8")
                continue
            except UnicodeDecodeError:
                rule, message, hint = "encoding", f"snapshot {name} is not UTF-8 text", "store the snapshot as UTF-8"
        position = source.document.position(("snapshot", "file"))
        ctx.findings.append(error(source.document.path, position, rule, "snapshot.file", message, hint))
    return texts
