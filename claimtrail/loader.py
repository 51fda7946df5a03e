"""Load ``claims/`` into the immutable model, collecting findings on the way.

A file that cannot be read or fails the schema is left out of the model
(its id is remembered, so references to it are not reported a second time);
everything that loads is checked further by :mod:`claimtrail.checks`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from . import paths, schema
from .cache import ItemCache, file_key
from .findings import Finding, error
from .layout import KIND_DIRS, Layout
from .model import (
    Appearance,
    Baseline,
    Basis,
    Claim,
    Conversion,
    Dataset,
    LogEntry,
    Paraphrase,
    PartialDate,
    Party,
    Period,
    ProvenanceStep,
    Publisher,
    Rebuttal,
    Snapshot,
    Source,
    Status,
    StatusScale,
)
from .parallel import map_chunks
from .yamlsafe import Document, FieldPath, YamlProblem, format_field, load_document

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # matched whole: fullmatch, never match with $
UNKNOWN = "unknown"  # what a file says of a fact no source on the record gives
# The facts about a source or a party that need a basis (claimtrail.checks.basis), in file order.
SOURCE_FACTS = ("author", "publisher", "published", "place", "full_text")
PARTY_FACTS = ("role", "affiliation")
T = TypeVar("T")


@dataclass
class _Context:
    layout: Layout
    findings: list[Finding] = field(default_factory=list)


def load(root: Path, *, use_cache: bool = True, workers: int | None = None) -> tuple[Dataset, list[Finding]]:
    """Read every file of the project at ``root``; return the model and all load-time findings.

    ``workers`` processes parse the files (``None``: as many as :mod:`claimtrail.parallel` finds).
    """
    layout = Layout(root.resolve())
    ctx = _Context(layout)
    cache = ItemCache(layout.root) if use_cache else None
    broken: dict[str, set[str]] = {kind: set() for kind in KIND_DIRS}
    claims: dict[str, Claim] = {}
    sources: dict[str, Source] = {}
    parties: dict[str, Party] = {}
    targets: dict[str, dict[str, Any]] = {"claim": claims, "source": sources, "party": parties}
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
    snapshot_texts = _snapshots(ctx, sources)
    dataset = Dataset(
        claims=dict(sorted(claims.items())),
        sources=dict(sorted(sources.items())),
        parties=dict(sorted(parties.items())),
        scale=scale,
        broken_ids={kind: frozenset(ids) for kind, ids in broken.items()},
        snapshot_texts=snapshot_texts,
        publisher=_publisher(ctx),
    )
    return dataset, ctx.findings


def _yaml_files(ctx: _Context, folder: Path, unread: set[str]) -> Iterator[str]:
    """The ``.yaml`` files under ``folder`` (as strings: this runs over every file on every check),
    as :func:`claimtrail.paths.walk` lets them be read.

    Files reported here instead (an unsafe or broken link, a ``.yml`` name) add their id to
    ``unread``, so that references to them are not reported a second time.
    """
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
            ctx.findings.append(
                error(
                    ctx.layout.relative(path),
                    (1, 1),
                    "file-extension",
                    "(file name)",
                    "data files end in .yaml (in lower case): this file is not read",
                    f"rename it to {meant}",
                )
            )
            unread.add(meant[: -len(paths.DATA_SUFFIX)])


def _refused(ctx: _Context, path: Path) -> bool:
    """Report ``path`` if the path policy refuses it (a link outside the project, or a broken one)."""
    problem = paths.check(ctx.layout.root, path)
    if problem is None:
        return False
    ctx.findings.append(problem)
    return True


class _Job(NamedTuple):
    """One file to read, parse and build."""

    kind: str
    item_id: str
    path: str
    rel: str


def _valid_name(ctx: _Context, rel: str, kind: str, item_id: str, first_seen: dict[str, str]) -> bool:
    """Whether the file name is a usable, unused id; a finding otherwise."""
    if not ID_PATTERN.fullmatch(item_id):
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
        document = _document(ctx, job.path, job.kind, raw)
        item = _BUILDERS[job.kind](job.item_id, document, ctx) if document is not None else None
        results.append((item, ctx.findings, key, False))
    return results


def claim_from_bytes(root: Path, rel: str, raw: bytes) -> tuple[Claim | None, list[Finding]]:
    """One claim file's bytes (an earlier revision, say) read as ``load`` reads the file: strictly, against
    the schema, into the model; ``None`` and the findings if it does not load."""
    ctx = _Context(Layout(root.resolve()))
    item_id = rel.rpartition("/")[2].removesuffix(paths.DATA_SUFFIX)
    document = _document(ctx, rel, "claim", raw)
    return (_claim(item_id, document, ctx) if document is not None else None), ctx.findings


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


class _Fields:
    """Reads typed fields of one schema-valid document, turning bad dates into findings."""

    __slots__ = ("base", "ctx", "data", "document", "ok")

    def __init__(self, document: Document, ctx: _Context, base: FieldPath = (), data: Any = None) -> None:
        self.document = document
        self.ctx = ctx
        self.base = base
        self.data: dict[str, Any] = document.data if data is None else data
        self.ok = True

    def at(self, *path: str | int) -> _Fields:
        data: Any = self.data
        for part in path:
            data = data[part]
        child = _Fields(self.document, self.ctx, (*self.base, *path), data)
        child.ok = self.ok
        return child

    def value(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def text(self, name: str) -> str | None:
        value = self.value(name)
        return None if value is None else str(value)

    def ids(self, name: str) -> tuple[str, ...]:
        return tuple(self.value(name, []))

    def items(self, name: str, build: Callable[[_Fields], T]) -> tuple[T, ...]:
        result = []
        for index, _ in enumerate(self.value(name, [])):
            child = self.at(name, index)
            result.append(build(child))
            self.ok = self.ok and child.ok
        return tuple(result)

    def sub(self, name: str, build: Callable[[_Fields], T]) -> T | None:
        """Build the nested mapping ``name`` if present; its bad dates spoil this document too."""
        if self.value(name) is None:
            return None
        child = self.at(name)
        result = build(child)
        self.ok = self.ok and child.ok
        return result

    def date(self, name: str) -> PartialDate | None:
        raw = self.value(name)
        if raw is None or raw == "unknown":
            return None
        try:
            return PartialDate.parse(raw)
        except ValueError as exc:
            self._bad_date(name, exc)
            return None

    def period(self, name: str) -> Period | None:
        raw = self.value(name)
        if raw is None:
            return None
        try:
            period = Period.parse(raw)
        except ValueError as exc:
            self._bad_date(name, exc)
            return None
        if period.end is not None and _latest(period.end) < period.start.earliest():
            self._bad_date(name, ValueError(f"{raw!r} ends before it starts"))
            return None
        return period

    def _bad_date(self, name: str, exc: ValueError) -> None:
        path = (*self.base, name)
        if repr(self.value(name)) not in str(exc):
            exc = ValueError(f"{self.value(name)!r}: {exc}")
        self.ctx.findings.append(
            error(
                self.document.path,
                self.document.position(path),
                "date-invalid",
                format_field(path),
                f"{exc}",
                "write a real calendar date: YYYY-MM-DD, YYYY-MM or YYYY",
            )
        )
        self.ok = False


def _latest(date: PartialDate) -> dt.date:
    """The last day a partial date may mean: ``2020-06`` ends on 30 June, ``2020`` on 31 December."""
    month = date.month or 12
    return dt.date(date.year, month, date.day or calendar.monthrange(date.year, month)[1])


def _claim(item_id: str, document: Document, ctx: _Context) -> Claim | None:
    f = _Fields(document, ctx)
    claim = Claim(
        id=item_id,
        statement=f.value("statement").strip(),
        quote=f.value("quote"),
        claimant=f.value("claimant"),
        spokesperson=f.value("spokesperson"),
        date=f.date("date"),
        period=f.period("period"),
        value=f.value("value"),
        unit=f.value("unit"),
        qualifier=f.value("qualifier", "exact"),
        counted=f.value("counted"),
        baseline=f.sub("baseline", lambda b: _baseline(b, f.value("unit"))),
        conversions=f.items("conversions", _conversion),
        first_appearance=f.value("first_appearance"),
        appearances=f.items(
            "appearances", lambda a: Appearance(a.value("source"), a.value("quote"), a.value("locator"))
        ),
        provenance=f.items(
            "provenance", lambda p: ProvenanceStep(p.value("source"), p.value("role"), p.date("date"), p.value("note"))
        ),
        tags=f.ids("tags"),
        related=f.ids("related"),
        rebuttals=f.items("rebuttals", _rebuttal),
        status=f.value("status"),
        rationale=f.value("rationale").strip(),
        superseded_by=f.value("superseded_by"),
        reviewed=f.date("reviewed") or PartialDate(1, None, None),
        notes=f.value("notes"),
        document=document.slim(),
        paraphrase=f.sub(
            "paraphrase", lambda p: Paraphrase(p.value("text"), p.value("by"), p.value("source"), p.value("locator"))
        ),
        log=f.items(
            "log",
            lambda e: LogEntry(e.date("date") or PartialDate(1), e.value("kind"), e.value("summary").strip()),
        ),
    )
    return claim if f.ok else None


def _baseline(f: _Fields, claim_unit: str | None) -> Baseline:
    period = f.period("period")
    return Baseline(
        value=f.value("value"),
        unit=claim_unit or "",
        period=period or Period(PartialDate(1)),
        quote=f.value("quote"),
    )


def _conversion(f: _Fields) -> Conversion:
    by, rate = f.value("by"), f.value("rate")
    return Conversion(
        f.value("value"),
        f.value("unit"),
        f.value("qualifier", "exact"),
        None if by == UNKNOWN else by,
        f.value("source"),
        f.value("quote"),
        f.value("note"),
        rate=None if rate in (None, UNKNOWN) else rate,
        date=f.date("date"),
    )


def _bases(f: _Fields) -> tuple[Basis, ...]:
    """Each fact's basis, in the order the file gives them."""
    bases = f.value("basis") or {}
    return tuple(
        Basis(
            name,
            b.get("source"),
            b.get("quote"),
            b.get("via"),
            b.get("locator"),
            b["inferred"].strip() if "inferred" in b else None,
        )
        for name, b in bases.items()
    )


def _unknown(f: _Fields, names: tuple[str, ...]) -> frozenset[str]:
    """The facts among ``names`` that the file says are `unknown`."""
    return frozenset(name for name in names if f.value(name) == UNKNOWN)


def _rebuttal(f: _Fields) -> Rebuttal:
    return Rebuttal(
        f.value("source"),
        f.value("party"),
        f.value("stance"),
        f.value("summary").strip(),
        f.value("quote"),
        f.value("via"),
        f.value("locator"),
    )


def _source(item_id: str, document: Document, ctx: _Context) -> Source | None:
    f = _Fields(document, ctx)
    url, author, publisher = f.value("url"), f.value("author"), f.value("publisher")
    source = Source(
        id=item_id,
        title=f.value("title").strip(),
        kind=f.value("kind"),
        author=None if author == UNKNOWN else author,
        author_shown=f.value("author_shown"),
        publisher=None if publisher == UNKNOWN else publisher,
        published=f.date("published"),
        url=None if url in (None, "unknown") else url,
        archive_url=f.value("archive_url"),
        archive_date=f.date("archive_date"),
        accessed=f.date("accessed"),
        language=f.value("language"),
        place=f.value("place"),
        full_text=f.value("full_text"),
        full_text_note=f.value("full_text_note"),
        part_of=f.value("part_of"),
        locator=f.value("locator"),
        derived_from=f.ids("derived_from"),
        snapshot=f.sub(
            "snapshot", lambda s: Snapshot(s.value("file"), s.value("sha256"), s.date("retrieved"), s.value("note"))
        ),
        notes=f.value("notes"),
        document=document.slim(),
        basis=_bases(f),
        unknown=_unknown(f, SOURCE_FACTS),
    )
    return source if f.ok else None


def _party(item_id: str, document: Document, ctx: _Context) -> Party | None:
    f = _Fields(document, ctx)
    affiliation = f.value("affiliation")
    return Party(
        id=item_id,
        name=f.value("name").strip(),
        kind=f.value("kind"),
        role=f.value("role"),
        affiliation=None if affiliation == UNKNOWN else affiliation,
        url=f.value("url"),
        notes=f.value("notes"),
        document=document.slim(),
        basis=_bases(f),
        unknown=_unknown(f, PARTY_FACTS),
    )


_BUILDERS: dict[str, Callable[[str, Document, _Context], Any]] = {"claim": _claim, "source": _source, "party": _party}


def _scale(ctx: _Context) -> StatusScale | None:
    path = ctx.layout.status_file
    if _refused(ctx, path):
        return None
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
    document = _document(ctx, path, "status_scale")
    if document is None:
        return None
    data = document.data
    statuses = tuple(
        Status(s["id"], s["label"], s["colour"], s["description"], s["evidence"], s.get("rating_value"), index)
        for index, s in enumerate(data["statuses"])
    )
    return StatusScale(data["best_rating"], data["worst_rating"], statuses, document)


def _publisher(ctx: _Context) -> Publisher | None:
    """The site's publisher, from ``claims/publisher.yaml`` if there is one."""
    path = ctx.layout.publisher_file
    if _refused(ctx, path) or not path.is_file():
        return None
    document = _document(ctx, path, "publisher")
    if document is None:
        return None
    data = document.data
    return Publisher(data["name"].strip(), data["url"], data.get("logo"), data.get("email"), document.slim())


def _snapshots(ctx: _Context, sources: dict[str, Source]) -> dict[str, str]:
    """Read each snapshot file once; the hash and quotes are checked later."""
    texts: dict[str, str] = {}
    refused: set[str] = set()
    base = ctx.layout.data_dir
    for source in sources.values():
        if source.snapshot is None or source.snapshot.file in texts or source.snapshot.file in refused:
            continue
        path = base / source.snapshot.file
        if _refused(ctx, path):  # reported once, on the snapshot file, however many sources name it
            refused.add(source.snapshot.file)
            continue
        if not path.is_file():
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
