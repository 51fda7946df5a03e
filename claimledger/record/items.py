"""Build the model's items from schema-valid documents, by the model's own field declarations.

Each field of a model class is read from the document key of its name (or its metadata's ``key``),
by its type: dates and periods are parsed, what the schema cannot check (real calendar dates, periods
that end after they start) becoming findings; nested mappings become their dataclasses; field
metadata says the rest. A builder returns the model object, or None if the document has such a problem.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol, TypeVar, get_args, get_origin, get_type_hints

from ..findings import Finding, error
from .model import Basis, Claim, Editor, PartialDate, Period, Publisher, Status, StatusScale
from .yamlsafe import Document, FieldPath, format_field

T = TypeVar("T")
UNKNOWN = "unknown"  # what a file says of a fact no source on the record gives
# Texts up to this long (ids, statuses, roles, units, locators) recur across files: one copy of each is kept.
SHARED_TEXT = 40
NOTHING_UNKNOWN: frozenset[str] = frozenset()  # one empty set for every item that says nothing is unknown


class Collecting(Protocol):
    """Where a builder puts its findings."""

    findings: list[Finding]


class _Fields:
    """Reads typed fields of one schema-valid document, turning bad dates into findings."""

    __slots__ = ("base", "ctx", "data", "document", "ok", "texts")

    def __init__(
        self,
        document: Document,
        ctx: Collecting,
        base: FieldPath = (),
        data: Any = None,
        texts: dict[str, str] | None = None,
    ) -> None:
        self.document = document
        self.ctx = ctx
        self.base = base
        self.data: dict[str, Any] = document.data if data is None else data
        self.ok = True
        self.texts: dict[str, str] = {} if texts is None else texts  # the document's longer texts, one copy each

    def shared(self, text: str) -> str:
        """One copy of each text: short ones shared by every file (interned), longer ones within the
        document (a quote written again in its appearance)."""
        if len(text) <= SHARED_TEXT:
            return sys.intern(text)
        return self.texts.setdefault(text, text)

    def value(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def nested(self, model: Any, *path: str | int, **given: Any) -> Any:
        """A ``model`` built from the mapping at ``path``; its bad dates spoil this document too."""
        data: Any = self.data
        for part in path:
            data = data[part]
        child = _Fields(self.document, self.ctx, (*self.base, *path), data, self.texts)
        result = build(model, child, **given)
        self.ok = self.ok and child.ok
        return result

    def date(self, name: str) -> PartialDate | None:
        raw = self.value(name)
        if raw is None or raw == UNKNOWN:
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
            if period.end is not None and period.end.latest() < period.start.earliest():
                raise ValueError(f"{raw!r} ends before it starts")
        except ValueError as exc:
            self._bad_date(name, exc)
            return None
        return period

    def read(self, field: dataclasses.Field[Any], hint: Any) -> Any:
        """The value of the model's ``field`` (of type ``hint``) in this mapping."""
        key = field.metadata.get("key", field.name)
        raw = self.value(key)
        optional = type(None) in get_args(hint)
        kinds = get_args(hint) or (hint,)
        if raw is None:
            if field.default is not dataclasses.MISSING:
                return field.default
            return () if get_origin(hint) is tuple else None
        if get_origin(hint) is tuple:
            item = get_args(hint)[0]
            if dataclasses.is_dataclass(item):
                return tuple(self.nested(item, key, index) for index in range(len(raw)))
            return (self.shared(raw),) if isinstance(raw, str) else tuple(self._texts(raw))
        if PartialDate in kinds:  # a required date is always there: None only where it was no real date
            return self.date(key) or (None if optional else PartialDate(1))
        if Period in kinds:
            return self.period(key) or (None if optional else Period(PartialDate(1)))
        if isinstance(raw, dict):
            model = next(kind for kind in kinds if dataclasses.is_dataclass(kind))
            return self.nested(model, key)
        if raw == UNKNOWN and "unknown" in field.metadata:
            return field.metadata["unknown"]
        if isinstance(raw, str):
            return self.shared(raw.strip() if field.metadata.get("strip") else raw)
        return raw

    def _texts(self, values: list[Any]) -> list[Any]:
        return [self.shared(value) if isinstance(value, str) else value for value in values]

    def _bad_date(self, name: str, exc: ValueError) -> None:
        """Report a value that is no real date or period; this document has a problem."""
        path, raw = (*self.base, name), repr(self.value(name))
        message = str(exc) if raw in str(exc) else f"{raw}: {exc}"
        hint = "write a real calendar date: YYYY-MM-DD, YYYY-MM or YYYY"
        self.ctx.findings.append(
            error(self.document.path, self.document.position(path), "date-invalid", format_field(path), message, hint)
        )
        self.ok = False


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return get_type_hints(cls)


def build(cls: Any, f: _Fields, **given: Any) -> Any:
    """A ``cls`` of the mapping ``f`` reads, with the ``given`` values of fields the file does not hold.
    Its ``unknown``, if it has one, holds those of its dates and facts the file says are ``unknown``."""
    hints = _hints(cls)
    values = dict(given)
    for field in dataclasses.fields(cls):
        if field.name not in values and field.name not in ("document", "unknown"):
            values[field.name] = f.read(field, hints[field.name])
    if "unknown" in hints and "unknown" not in values:
        unknown = frozenset(
            field.name
            for field in dataclasses.fields(cls)
            if (field.metadata.get("fact") or PartialDate in get_args(hints[field.name]))
            and f.value(field.name) == UNKNOWN
        )
        values["unknown"] = unknown or NOTHING_UNKNOWN
    return cls(**values)


def item(cls: type[T]) -> Callable[[str, Document, Collecting], T | None]:
    """The builder of a kind whose items are ``cls``: a source's or a party's bases read too."""

    def build_item(item_id: str, document: Document, ctx: Collecting) -> T | None:
        f = _Fields(document, ctx)
        given: dict[str, Any] = {"id": f.shared(item_id), "document": document.slim()}
        if any(field.name == "basis" for field in dataclasses.fields(cls)):  # type: ignore[arg-type]
            given["basis"] = _bases(f, item_id)
        built: T = build(cls, f, **given)
        return built if f.ok else None

    return build_item


def claim(item_id: str, document: Document, ctx: Collecting) -> Claim | None:
    """A claim; its baseline is in the claim's unit."""
    built = item(Claim)(item_id, document, ctx)
    if built is None or built.baseline is None:
        return built
    return dataclasses.replace(built, baseline=dataclasses.replace(built.baseline, unit=built.unit or ""))


def _bases(f: _Fields, item_id: str) -> tuple[Basis, ...]:
    """Each fact's basis, in the order the file gives them; `self` is a basis in the item's own text."""
    bases = f.value("basis") or {}
    return tuple(
        Basis(f.shared(name), f.shared(item_id), None, None, None, None, own=True)
        if b == "self"
        else f.nested(Basis, "basis", name, field=f.shared(name))
        for name, b in bases.items()
    )


def publisher(document: Document, ctx: Collecting) -> Publisher:
    """The publisher of a schema-valid claims/publisher.yaml; names are read without the spaces around them."""
    data = document.data
    editors = tuple(Editor(e["id"], e["name"].strip(), e.get("kind", "person")) for e in data.get("editors", []))
    given = {"name": data["name"].strip(), "editors": editors, "document": document.slim()}
    built: Publisher = build(Publisher, _Fields(document, ctx), **given)
    return built


def status_scale(document: Document, ctx: Collecting) -> StatusScale | None:
    """The status scale of a schema-valid claims/statuses.yaml; None if a date in its log is no real date."""
    f = _Fields(document, ctx)
    statuses = tuple(
        f.nested(Status, "statuses", index, index=index, verdict=s.get("verdict", s.get("rating_value") is not None))
        for index, s in enumerate(f.value("statuses"))
    )
    scale = build(StatusScale, f, statuses=statuses, document=document)
    return scale if f.ok else None
