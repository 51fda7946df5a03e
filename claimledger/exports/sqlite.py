"""The dataset as a SQLite database, for Datasette and SQL: ``claimledger export --format sqlite``.

Written with sqlite-utils from :func:`claimledger.exports.formats.export_data`'s shape: a table per kind
of item and per list a claim holds (:data:`TABLES`), foreign keys between them, and full-text search on
the claims; :func:`datasette_metadata` is the ``metadata.json`` Datasette reads beside it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database
from sqlite_utils.db import jsonify_if_needed

from .flat import FLAT_CLAIM

FTS_COLUMNS = ("statement", "quote", "rationale")

TITLE = "Claims, their evidence and verification status"
DESCRIPTION = (
    "Every claim of the record, where it appeared, the evidence for and against it, and the figures "
    "computed from it, as checked by claimledger before publication."
)

TABLES: Mapping[str, str] = {
    "claims": "One row per claim: what was claimed, by whom, the figure, the status and why.",
    "sources": "Documents in which something was claimed or rebutted.",
    "parties": "People and organisations who claim or rebut.",
    "metrics": "What a figure counts, by whom, over what period, with known caveats; `unknown` where the "
    "sources do not say.",
    "statuses": "The verification scale and the evidence each status needs.",
    "appearances": "Where each claim appeared, with the verbatim quote.",
    "rebuttals": "Evidence for or against each claim: who, where, and their stance.",
    "provenance": "How each claim reached us, oldest step first.",
    "tags": "The tags of each claim.",
    "conversions": "Figures restated in another unit by someone other than the claimant, with the exchange "
    "rate where one is on record (otherwise unchecked).",
    "changes": "Each claim's figure against its baseline, computed at build time: percentage points between "
    "percentages, a percent change otherwise, a ratio where the text says times.",
}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


CLAIM_COLUMNS = (
    *("id", "statement", "quote", "value", "unit", "qualifier", "counted"),
    *("baseline_value", "baseline_period", "baseline_quote", "metric", "derivation", "status", "rationale"),
    *("claimant", "spokesperson", "date", "period", "first_appearance", "superseded_by"),
    *("reviewed_by", "review_date", "review_state", "notes", "url"),
)


def _source_row(source: Mapping[str, Any]) -> dict[str, Any]:
    snapshot = source["snapshot"] or {}
    row = {key: value for key, value in source.items() if key not in ("snapshot", "derived_from")}
    row["derived_from"] = _json(source["derived_from"])
    row["snapshot_file"] = snapshot.get("file")
    row["snapshot_sha256"] = snapshot.get("sha256")
    return row


def _listed(field: str, claim: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """A row for each entry of a list the claim holds, keyed by the claim and the entry's position in it."""
    return tuple({"claim": claim["id"], "position": index, **item} for index, item in enumerate(claim[field]))


CHANGE_COLUMNS = {"claim": str, "kind": str, "value": float, "unit": str, "decimals": int, "difference": float}
CHANGE_COLUMNS |= {"before": float, "before_period": str, "after": float, "after_period": str}
CLAIM_TYPES = {**dict.fromkeys(CLAIM_COLUMNS, str), "value": float, "baseline_value": float}
CLAIM_KEYS = [("claimant", "parties"), ("spokesperson", "parties"), ("first_appearance", "sources")]
CLAIM_KEYS += [("status", "statuses"), ("metric", "metrics")]


def _conversion_row(row: Mapping[str, Any]) -> dict[str, Any]:
    rate = row["rate"] if isinstance(row["rate"], dict) else {}
    return {
        **{key: value for key, value in row.items() if key != "rate"},
        "by": None if row["by"] == "unknown" else row["by"],  # a party's id, or NULL: not known who
        "rate": rate.get("value"),
        "rate_source": rate.get("source"),
        "rate_date": rate.get("date"),
        "checked": isinstance(row["rate"], dict),
    }


Row = tuple[tuple[str, ...], tuple[Any, ...]]
"""A row: its columns (one tuple for every row with the same columns) and its values, a third of the memory of a
mapping (a site keeps every claim's rows, see claimledger.exports.site)."""
ClaimRows = tuple[tuple[Row, ...], ...]
"""A claim's rows of each table in :data:`CLAIM_TABLES`, in that order."""

CLAIM_TABLES: Mapping[str, Callable[[Mapping[str, Any]], tuple[dict[str, Any], ...]]] = {
    "claims": lambda claim: ({column: FLAT_CLAIM[column](claim) for column in CLAIM_COLUMNS},),
    "appearances": partial(_listed, "appearances"),
    "rebuttals": partial(_listed, "rebuttals"),
    "provenance": partial(_listed, "provenance"),
    "tags": lambda claim: tuple({"claim": claim["id"], "tag": tag} for tag in claim["tags"]),
    "conversions": lambda claim: tuple(_conversion_row(row) for row in _listed("conversions", claim)),
    "changes": lambda claim: ({"claim": claim["id"], **claim["change"]},) if claim["change"] else (),
}
"""The tables holding the claims' rows, in the order they are filled, and each claim's rows of each, from its
export record."""


_TABLE_INDEX = {name: index for index, name in enumerate(CLAIM_TABLES)}


def claim_rows(claim: Mapping[str, Any]) -> ClaimRows:
    """The rows of one claim (its export record) in each of :data:`CLAIM_TABLES`."""
    return tuple(tuple(map(_row, rows(claim))) for rows in CLAIM_TABLES.values())


def _row(row: Mapping[str, Any]) -> Row:
    return _columns(tuple(row)), tuple(row.values())


@functools.cache
def _columns(names: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple for the same columns, however many rows have them."""
    return names


def _write(db: Database, data: Mapping[str, Any], claims: Sequence[ClaimRows] | None = None) -> None:
    """The tables of ``data``; the claims' rows made from its records as they are inserted, never all held at once,
    unless ``claims`` gives each claim's rows (:func:`claim_rows`), in the order of its records."""

    def rows(table: str) -> Iterator[Row]:
        if claims is None:
            made = CLAIM_TABLES[table]
            return (_row(row) for claim in data["claims"] for row in made(claim))
        index = _TABLE_INDEX[table]
        return (row for rows in claims for row in rows[index])

    parties = [dict(party) for party in data["parties"]]
    sources = [_source_row(source) for source in data["sources"]]
    metrics = [
        {**metric, "caveats": _json(metric["caveats"]), "sources": _json(metric["sources"])}
        for metric in data["metrics"]
    ]
    # Each table is created first, with the columns a dataset may hold: a column that is empty in
    # every row, or a table without rows (no metrics yet), is still there for queries and keys.
    _table(db, "parties", parties, _record_columns(parties))
    _table(db, "statuses", data["statuses"], _record_columns(data["statuses"]))
    _table(db, "sources", sources, _record_columns(sources))
    _table(db, "metrics", metrics, dict.fromkeys(("id", "title", "counts", "counted_by", "period", "caveats"), str))
    _table(db, "claims", rows("claims"), CLAIM_TYPES, CLAIM_KEYS)
    for table, column in (("sources", "part_of"), ("parties", "affiliation")):
        if column in db.table(table).columns_dict:
            db.table(table).add_foreign_key(column, table, "id")
    _child(db, "appearances", rows("appearances"), [("source", "sources")], {"locator": str})
    references = [("source", "sources"), ("party", "parties"), ("via", "sources")]
    _child(db, "rebuttals", rows("rebuttals"), references, {"via": str})
    _child(db, "provenance", rows("provenance"), [("source", "sources")], {"date": str, "note": str})
    _child(db, "tags", rows("tags"), [], {"tag": str})
    _child(
        db,
        "conversions",
        rows("conversions"),
        [("by", "parties"), ("source", "sources"), ("rate_source", "sources")],
        {"rate": float, "rate_source": str, "rate_date": str, "quote": str, "note": str, "value": float},
    )
    _table(db, "changes", rows("changes"), CHANGE_COLUMNS, [("claim", "claims")], pk="claim")
    db.table("claims").enable_fts(list(FTS_COLUMNS), create_triggers=False)


def _record_columns(rows: Iterable[Mapping[str, Any]]) -> dict[str, type]:
    """Every field any of ``rows`` has, as text unless a value says otherwise; at least an id."""
    columns: dict[str, type] = {"id": str}
    for row in rows:
        for key, value in row.items():
            if value is not None and not isinstance(value, str):
                columns[key] = type(value) if isinstance(value, (int, float, bool)) else str
            else:
                columns.setdefault(key, str)
    return columns


Rows = Iterable[Mapping[str, Any]] | Iterator[Row]  # the rows of a table of items, or of a table of claims'
Columns = Mapping[str, type]
References = Sequence[tuple[str, str]]  # (column, table): the column holds an id of the table


def _table(
    db: Database, name: str, rows: Rows, columns: Columns, references: References = (), pk: str | None = "id"
) -> None:
    """A table of ``columns``, keyed by ``pk``, and its rows (mappings, or :data:`Row` values)."""
    db.table(name).create(dict(columns), pk=pk, foreign_keys=[(column, table, "id") for column, table in references])
    _insert(db, name, (row if isinstance(row, tuple) else _row(row) for row in rows))


_BATCH = 100  # rows at a time, as sqlite-utils' insert_all takes them (fewer where a row has many columns)
_MAX_VARIABLES = 999  # the variables of one statement, as sqlite-utils keeps them
_AS_IS = frozenset({str, int, float, bool, type(None)})  # values stored as they are; others as sqlite-utils stores them


def _insert(db: Database, name: str, rows: Iterator[Row]) -> None:
    """``rows`` into the table ``name``, as sqlite-utils' ``insert_all(rows, alter=True)`` inserts them, to the
    byte of the file: the same rows in the same order, in batches of the same size, each committed on its own
    (the file's header counts the commits, and the transactions that changed the tables); a batch with a
    column the table lacks inserted by sqlite-utils itself, which adds the column from that batch. The other
    batches are inserted with one prepared statement, rather than one built value by value (most of the time
    the database took), each row's values put in the table's order once for all the rows with its columns."""
    table = db.table(name)
    first = next(rows, None)
    if first is None:
        return
    size = max(1, min(_BATCH, _MAX_VARIABLES // len(first[0]))) if first[0] else 1
    statement = ""
    placing = _Placing([])
    for chunk in _batches(itertools.chain([first], rows), size):
        if not statement or not all(placing.fits(names) for names, _ in chunk):
            placing = _Placing(list(table.columns_dict))
            quoted = ", ".join(f'"{column}"' for column in placing.columns)
            statement = f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" * len(placing.columns))})'
        if not all(placing.fits(names) for names, _ in chunk):  # a column to add (or named otherwise)
            table.insert_all([dict(zip(*row, strict=True)) for row in chunk], alter=True, batch_size=size)
            statement = ""
            continue
        values = [placing.values(names, row) for names, row in chunk]
        if not set(map(type, itertools.chain.from_iterable(values))) <= _AS_IS:  # a list or mapping: as JSON
            values = [[_value(value) for value in row] for row in values]
        with db.conn:  # committed, as sqlite-utils commits each batch
            db.conn.executemany(statement, values)


class _Placing:
    """Where each value of a row goes among the table's ``columns`` (a column the row lacks: None), worked out
    once for all the rows with the same columns."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._named = set(columns)
        self._positions: dict[tuple[str, ...], list[int | None]] = {}

    def fits(self, names: tuple[str, ...]) -> bool:
        """Whether the table has every one of the columns ``names``."""
        return names in self._positions or self._named.issuperset(names)

    def values(self, names: tuple[str, ...], row: tuple[Any, ...]) -> list[Any]:
        """The values ``row`` (of the columns ``names``, which :meth:`fits`) in the table's order."""
        positions = self._positions.get(names)
        if positions is None:
            place = {column: index for index, column in enumerate(names)}
            positions = self._positions[names] = [place.get(column) for column in self.columns]
        return [None if index is None else row[index] for index in positions]


def _value(value: Any) -> Any:
    return value if value.__class__ in _AS_IS else jsonify_if_needed(value)


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _child(db: Database, name: str, rows: Rows, references: References, types: Columns) -> None:
    """A table of one list the claims hold: each row keyed by its claim and its position in the list."""
    columns = {"claim": str, "position": int, **{column: str for column, _ in references}, **types}
    _table(db, name, rows, columns, [("claim", "claims"), *references], pk=None)


def to_sqlite(data: Mapping[str, Any]) -> bytes:
    """The database of :func:`claimledger.exports.formats.export_data`'s ``data``, as the bytes of its file."""
    with sqlite_file(data) as handle:
        return handle.read()


def sqlite_file(data: Mapping[str, Any], claims: Sequence[ClaimRows] | None = None) -> IO[bytes]:
    """The database of ``data`` (see :func:`to_sqlite`; ``claims``: each claim's rows, see :func:`_write`), open
    for reading from its start: a site's, copied into the site a piece at a time, is never held whole. Its
    scratch file is gone by the time it is handed out (where the system lets an open file be removed;
    elsewhere its bytes are read first)."""
    with tempfile.TemporaryDirectory(prefix="claimledger-sqlite-") as folder:
        path = Path(folder) / "claims.db"
        with contextlib.closing(sqlite3.connect(path)) as connection:
            # A scratch file, copied once made: no need to survive a crash, so no syncing at each commit
            # (sqlite-utils commits per chunk of rows; synced, that is most of the time at 10,000 claims).
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA journal_mode = MEMORY")
            with connection:
                _write(Database(connection), data, claims)
            connection.execute("VACUUM")
        handle = path.open("rb")
        try:
            path.unlink()  # the open file stays readable
        except OSError:  # Windows: an open file cannot be removed
            with handle:
                return io.BytesIO(handle.read())
        return handle


def datasette_metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """Datasette's ``metadata.json`` for the database (``datasette claims.db -m metadata.json``)."""
    stated = (data.get("publisher") or {}).get("license")  # the data's licence, if the publisher states one
    quoted = "; quoted texts remain the work of their authors"
    licence = {"license": stated + quoted, "license_url": stated} if stated else {"license": "not stated" + quoted}
    tables = {name: {"description": description} for name, description in TABLES.items()}
    tables["claims"]["fts_table"] = "claims_fts"
    source = str(data.get("generator", "claimledger"))
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        **licence,
        "source": source,
        "databases": {"claims": {"tables": tables}},
    }
