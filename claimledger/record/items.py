"""Build the model's items from schema-valid documents: one builder per kind of item.

A builder reads typed fields of a document the schema has accepted, turns what the schema cannot
check (real calendar dates, periods that end after they start) into findings, and returns the
frozen model object, or None if the document has such a problem. :mod:`claimledger.record.kinds` names the
builder of each kind; :mod:`claimledger.record.loader` calls it for each file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar

from ..findings import Finding, error
from .model import (
    Appearance,
    Baseline,
    Basis,
    Claim,
    Conversion,
    Derivation,
    LogEntry,
    Metric,
    Operand,
    Paraphrase,
    PartialDate,
    Party,
    Period,
    ProvenanceStep,
    Rate,
    Rebuttal,
    Review,
    ScaleLogEntry,
    Snapshot,
    Source,
    Status,
    StatusScale,
)
from .yamlsafe import Document, FieldPath, format_field

T = TypeVar("T")
UNKNOWN = "unknown"  # what a file says of a fact no source on the record gives
# The facts about a source or a party that need a basis (claimledger.checks.basis), in file order.
SOURCE_FACTS = ("author", "publisher", "published", "place", "full_text")
PARTY_FACTS = ("role", "affiliation")


class Collecting(Protocol):
    """Where a builder puts its findings."""

    findings: list[Finding]


class _Fields:
    """Reads typed fields of one schema-valid document, turning bad dates into findings."""

    __slots__ = ("base", "ctx", "data", "document", "ok")

    def __init__(self, document: Document, ctx: Collecting, base: FieldPath = (), data: Any = None) -> None:
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

    def stated_unknown(self, *names: str) -> frozenset[str]:
        """Those of the date fields ``names`` stated as ``unknown``, rather than left out."""
        return frozenset(name for name in names if self.value(name) == "unknown")

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
        if period.end is not None and period.end.latest() < period.start.earliest():
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


def claim(item_id: str, document: Document, ctx: Collecting) -> Claim | None:
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
            "provenance",
            lambda p: ProvenanceStep(
                p.value("source"), p.value("role"), p.date("date"), p.value("note"), p.stated_unknown("date")
            ),
        ),
        tags=f.ids("tags"),
        related=f.ids("related"),
        rebuttals=f.items("rebuttals", _rebuttal),
        status=f.value("status"),
        rationale=f.value("rationale").strip(),
        superseded_by=f.value("superseded_by"),
        review=f.sub("review", _review),
        notes=f.value("notes"),
        document=document.slim(),
        metric=f.value("metric"),
        derivation=f.sub("derivation", _derivation),
        paraphrase=f.sub(
            "paraphrase", lambda p: Paraphrase(p.value("text"), p.value("by"), p.value("source"), p.value("locator"))
        ),
        log=f.items(
            "log",
            lambda e: LogEntry(e.date("date") or PartialDate(1), e.value("kind"), e.value("summary").strip()),
        ),
        unknown=f.stated_unknown("date"),
    )
    return claim if f.ok else None


def _review(f: _Fields) -> Review:
    by = f.value("by")
    return Review((by,) if isinstance(by, str) else tuple(by), f.date("date") or PartialDate(1), f.value("fingerprint"))


def _baseline(f: _Fields, claim_unit: str | None) -> Baseline:
    period = f.period("period")
    return Baseline(
        value=f.value("value"),
        unit=claim_unit or "",
        period=period or Period(PartialDate(1)),
        quote=f.value("quote"),
        change=f.value("change"),
        metric=f.value("metric"),
    )


def _derivation(f: _Fields) -> Derivation:
    return Derivation(
        f.value("formula"),
        f.items("from", lambda o: Operand(o.value("claim"), o.value("value"), o.value("quote"))),
        f.value("precision"),
    )


def _rate(f: _Fields) -> Rate | Literal["unknown"] | None:
    raw = f.value("rate")
    if raw is None:
        return None
    if raw == "unknown":
        return "unknown"
    rate = f.at("rate")
    result = Rate(rate.value("value"), rate.value("source"), rate.date("date"))
    f.ok = f.ok and rate.ok
    return result


def _conversion(f: _Fields) -> Conversion:
    by = f.value("by")
    return Conversion(
        f.value("value"),
        f.value("unit"),
        f.value("qualifier", "exact"),
        None if by == UNKNOWN else by,
        f.value("source"),
        f.value("quote"),
        f.value("note"),
        _rate(f),
    )


def _bases(f: _Fields, item_id: str) -> tuple[Basis, ...]:
    """Each fact's basis, in the order the file gives them; `self` is a basis in the item's own text."""
    bases = f.value("basis") or {}
    return tuple(
        Basis(name, item_id, None, None, None, None, own=True)
        if b == "self"
        else Basis(
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


def source(item_id: str, document: Document, ctx: Collecting) -> Source | None:
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
            "snapshot",
            lambda s: Snapshot(
                s.value("file"), s.value("sha256"), s.date("retrieved"), s.value("note"), s.stated_unknown("retrieved")
            ),
        ),
        notes=f.value("notes"),
        document=document.slim(),
        basis=_bases(f, item_id),
        unknown=_unknown(f, SOURCE_FACTS) | f.stated_unknown("published", "archive_date", "accessed"),
    )
    return source if f.ok else None


def party(item_id: str, document: Document, ctx: Collecting) -> Party | None:
    f = _Fields(document, ctx)
    affiliation = f.value("affiliation")
    return Party(
        id=item_id,
        name=f.value("name").strip(),
        short_name=f.value("short_name"),
        kind=f.value("kind"),
        role=f.value("role"),
        affiliation=None if affiliation == UNKNOWN else affiliation,
        url=f.value("url"),
        notes=f.value("notes"),
        document=document.slim(),
        basis=_bases(f, item_id),
        unknown=_unknown(f, PARTY_FACTS),
    )


def metric(item_id: str, document: Document, ctx: Collecting) -> Metric | None:
    f = _Fields(document, ctx)
    return Metric(
        id=item_id,
        title=f.value("title").strip(),
        counts=f.value("counts"),
        counted_by=f.value("counted_by"),
        period=f.value("period"),
        caveats=tuple(f.value("caveats", [])),
        sources=f.ids("sources"),
        notes=f.value("notes"),
        document=document.slim(),
    )


def status_scale(document: Document, ctx: Collecting) -> StatusScale | None:
    """The status scale of a schema-valid claims/statuses.yaml; None if a date in its log is no real date."""
    f = _Fields(document, ctx)
    statuses = tuple(
        Status(
            s["id"],
            s["label"],
            s["colour"],
            s["description"],
            s["evidence"],
            s.get("rating_value"),
            index,
            s.get("verdict", s.get("rating_value") is not None),
            s.get("reviewers", 1),
        )
        for index, s in enumerate(f.value("statuses"))
    )
    log = f.items("log", lambda e: ScaleLogEntry(e.date("date") or PartialDate(1), e.value("summary").strip()))
    scale = StatusScale(f.value("best_rating"), f.value("worst_rating"), statuses, document, log)
    return scale if f.ok else None
