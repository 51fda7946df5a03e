"""Machine-readable exports of a validated dataset: JSON, CSV (one row per claim), SQLite and datapackage.json.

The JSON shape is a public interface: fields may be added, never renamed or removed. Every item carries
``page``, its page's address relative to the site's root; ``url`` is a source's or party's own address.
A date stated as ``unknown`` is exported as ``"unknown"``; one not given or not applying as null.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from functools import cache, partial
from typing import IO, Any, get_args, get_type_hints

from .. import __version__
from ..record import arithmetic
from ..record.kinds import KINDS
from ..record.model import Baseline, Basis, Claim, Dataset, PartialDate, Period, Source
from ..record.schema import units
from ..record.visible import stale
from .flat import FLAT_CLAIM

EXPORT_FORMAT_VERSION = 2
UNKNOWN = "unknown"


def _page(kind: str, item_id: str) -> str:
    """The address of an item's page on the site, relative to its root: ``claims/<id>/``."""
    return f"{KINDS[kind].site_folder}/{item_id}/"


_hints = cache(get_type_hints)


_AS_IS = frozenset({str, int, bool, type(None)})  # values that are JSON data as they are


def _plain(value: object) -> Any:
    """A field's value as JSON data: whole numbers without a decimal point, dates as text."""
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, (PartialDate, Period)):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return record(value)
    return value


@dataclass(frozen=True)
class _Field:
    """How :func:`record` exports one field of a model class (worked out once per class)."""

    name: str
    key: str | None  # the name the files give it; None: not exported
    bases: bool  # bases, exported as a mapping by the fact each backs
    dated: bool  # a date that may be stated as `unknown`
    required: bool  # a required field that may be stated as `unknown` (who converted, who paraphrased)


@cache
def _fields(model: type) -> tuple[_Field, ...]:
    hints = _hints(model)
    return tuple(
        _Field(
            f.name,
            f.metadata.get("key", f.name) if f.metadata.get("export", True) else None,
            hints[f.name] == tuple[Basis, ...],
            PartialDate in get_args(hints[f.name]),
            "unknown" in f.metadata,
        )
        for f in fields(model)
    )


def record(item: Any, **after: Mapping[str, Any]) -> dict[str, Any]:
    """``item``'s exported fields, in the model's order, under the names the files give them: a date
    stated as ``unknown`` as ``"unknown"``, bases as a mapping by the fact each backs. ``after`` adds
    computed fields after the field it names."""
    unknown: frozenset[str] = getattr(item, "unknown", frozenset())
    states_unknown = hasattr(item, "unknown")
    data: dict[str, Any] = {}
    for f in _fields(item.__class__):
        if f.key is not None:
            value = getattr(item, f.name)
            if f.bases:
                value = {b.field: record(b) for b in value}
            elif value is None and f.dated and f.name in unknown:
                value = UNKNOWN
            elif value is None and f.required and not states_unknown:
                value = UNKNOWN  # a required field (who converted, who paraphrased) stated as `unknown`
            data[f.key] = _plain(value)
        if f.name in after:
            data.update(after[f.name])
    return data


def claim_record(claim: Claim) -> dict[str, Any]:
    review = None if claim.review is None else {**record(claim.review), "stale": stale(claim)}
    page = {"page": _page("claim", claim.id)}
    return record(claim, id=page, review={"review": review}, metric={"change": change_record(claim)})


def change_record(claim: Claim) -> dict[str, Any] | None:
    """The change against the baseline (:func:`claimledger.record.arithmetic.change`), and the two figures."""
    if claim.value is None or claim.baseline is None:
        return None
    computed = arithmetic.change(claim.baseline.value, claim.value, claim.unit, claim.baseline.change)
    return {
        "kind": computed.kind,
        "value": _plain(computed.value),
        "unit": computed.unit,
        "decimals": computed.decimals,
        "difference": _plain(float(computed.difference)),
        "before": _plain(claim.baseline.value),
        "before_period": str(claim.baseline.period),
        "after": _plain(claim.value),
        "after_period": _plain(claim.period),
    }


def source_record(source: Source) -> dict[str, Any]:
    snapshot = None if source.snapshot is None else {**record(source.snapshot), "third_party": True}
    page = {"page": _page("source", source.id)}
    return record(source, id=page, kind={"primary": source.primary}, snapshot={"snapshot": snapshot})


def item_record(kind: str, item: Any) -> dict[str, Any]:
    """An item of a kind with nothing computed to add: its fields, and its page after its id."""
    return record(item, id={"page": _page(kind, item.id)})


RECORDS: Mapping[str, Callable[[Any], dict[str, Any]]] = {"claim": claim_record, "source": source_record}
"""The kinds whose records add computed fields; any other kind's is :func:`item_record`."""


def export_data(dataset: Dataset, claims: Callable[[Claim], Any] = claim_record) -> dict[str, Any]:
    """Every item's record, the statuses and the units; each claim's made by ``claims`` (the site's exports
    have each claim's parts there instead: claimledger.exports.site)."""
    records: dict[str, Callable[[Any], Any]] = {**RECORDS, "claim": claims}
    records |= {name: partial(item_record, name) for name in KINDS if name not in records}
    scale = dataset.scale
    ratings = {"best_rating": scale.best_rating, "worst_rating": scale.worst_rating} if scale else {}
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "generator": f"claimledger {__version__}",
        "publisher": None if dataset.publisher is None else record(dataset.publisher),
        **{
            kind.data_folder: [records[name](item) for item in kind.items(dataset).values()]
            for name, kind in KINDS.items()
        },
        "statuses": [record(s, reviewers=ratings) for s in (scale.statuses if scale else ())],
        "units": [record(u) for u in units().values()],
    }


def to_json(data: dict[str, Any], *, compact: bool = False) -> str:
    """Indented for people; ``compact`` for the site's files (several times faster to write at scale)."""
    separators = (",", ":") if compact else None
    return json.dumps(data, indent=None if compact else 2, ensure_ascii=False, separators=separators) + "\n"


CSV_COLUMNS = (
    *("id", "page", "statement", "value", "unit", "qualifier", "counted"),
    *("baseline_value", "baseline_period", "baseline_quote", "conversions", "status", "claimant", "spokesperson"),
    *("date", "period", "first_appearance", "sources", "rebuttal_sources", "rebuttal_parties", "stances", "tags"),
    *("related", "reviewed_by", "review_date", "review_state", "rationale", "metric"),
    *("change_kind", "change_value", "change_unit"),
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading =, +, -, @, tab or CR gets a quote in front; numbers
    (a negative figure too) are written as numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def _csv_row(cells: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


CSV_HEADER = _csv_row(CSV_COLUMNS)


def csv_row(claim: Mapping[str, Any]) -> str:
    """A claim's row of the CSV (from its export record), with its line end."""
    return _csv_row([safe_cell(FLAT_CLAIM[column](claim)) for column in CSV_COLUMNS])


def to_csv(data: dict[str, Any]) -> str:
    return CSV_HEADER + "".join([csv_row(claim) for claim in data["claims"]])


@dataclass(frozen=True)
class ExportFormat:
    """One format the dataset is exported in: by ``claimledger export --format <name>``, and on the site."""

    name: str
    site_path: str  # where the site publishes it, relative to the site's root
    # (export_data(...), compact: for the site) → the file's content (an open file: see Text)
    write: Callable[[dict[str, Any], bool], str | bytes | IO[bytes]]
    companions: Callable[[dict[str, Any]], Mapping[str, str]] | None = None  # files beside it, by name
    mediatype: str = "application/json"  # as datapackage.json names the file's type
    companion_names: tuple[str, ...] = ()  # the names of the files beside it: the keys of what companions make

    @property
    def site_paths(self) -> tuple[str, ...]:
        """Where the site publishes it and its companions, relative to the site's root."""
        folder = self.site_path.rpartition("/")[0]
        return (self.site_path, *(posixpath.join(folder, name) for name in self.companion_names))


def _sqlite(data: dict[str, Any], compact: bool) -> bytes | IO[bytes]:
    from .sqlite import sqlite_file, to_sqlite

    return sqlite_file(data) if compact else to_sqlite(data)  # the site's: a file copied in, never held whole


_COLUMN_MODELS = (("baseline_", Baseline), ("change_", arithmetic.ComputedChange), ("", Claim))


def _column_type(column: str) -> str:
    """A CSV column's Table Schema type, from the model field (or computed property) it holds."""
    for prefix, model in _COLUMN_MODELS:
        name = column.removeprefix(prefix)
        attribute = getattr(model, name, None)
        hint = get_type_hints(attribute.fget)["return"] if isinstance(attribute, property) else _hints(model).get(name)
        if column.startswith(prefix) and hint is not None:
            kinds = set(get_args(hint)) or {hint}
            return "number" if kinds & {float, Decimal} else "integer" if int in kinds else "string"
    return "string"


def datapackage(data: dict[str, Any]) -> dict[str, Any]:
    """A Frictionless Data Package (v2) describing the exports as the site publishes them: the CSV with its
    Table Schema (the columns' types from the model), the JSON and the SQLite database; the publisher's licence."""
    from .sqlite import DESCRIPTION, TITLE

    publisher = data["publisher"] or {}
    fields = [{"name": column, "type": _column_type(column)} for column in CSV_COLUMNS]
    table = {"type": "table", "encoding": "utf-8", "schema": {"fields": fields, "primaryKey": ["id"]}}
    resources = [
        {"name": f"claims-{e.name}", "path": e.site_path, "format": e.name, "mediatype": e.mediatype}
        | (table if e.name == "csv" else {})
        for e in FORMATS.values()
        if e.name != "datapackage"
    ]
    package: dict[str, Any] = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "claims"}
    package |= {"title": TITLE, "description": DESCRIPTION}
    if publisher.get("license"):
        package["licenses"] = [{"path": publisher["license"]}]
    if publisher:
        url = {"path": publisher["url"]} if publisher.get("url") else {}
        package["contributors"] = [{"title": publisher["name"], "roles": ["publisher"], **url}]
    return package | {"resources": resources}


def _sqlite_companions(data: dict[str, Any]) -> Mapping[str, str]:
    from .sqlite import datasette_metadata

    return {"metadata.json": to_json(datasette_metadata(data))}


FORMATS: Mapping[str, ExportFormat] = {
    export.name: export
    for export in (
        ExportFormat("json", "claims.json", lambda data, compact: to_json(data, compact=compact)),
        ExportFormat("csv", "claims.csv", lambda data, compact: to_csv(data), mediatype="text/csv"),
        ExportFormat("sqlite", "claims.db", _sqlite, _sqlite_companions, "application/vnd.sqlite3", ("metadata.json",)),
        # the package describing the others
        ExportFormat("datapackage", "datapackage.json", lambda data, compact: to_json(datapackage(data))),
    )
}
"""Every export format. Adding one: a writer of :func:`export_data`'s shape, and one entry here."""


Text = str | bytes | list[str] | IO[bytes]
"""A file's content. A list is its text in pieces, written one after another and never joined (an export of
tens of megabytes: joined, it would be held twice); an open file, its bytes, copied a piece at a time (and
the file closed)."""


def whole(content: Text) -> str | bytes:
    """The content as one text (a list's pieces joined, an open file's bytes read)."""
    if isinstance(content, list):
        return "".join(content)
    if isinstance(content, (str, bytes)):
        return content
    with content:
        return content.read()
