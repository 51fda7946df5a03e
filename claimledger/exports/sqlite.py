"""The dataset as a SQLite database, for Datasette and SQL: ``claimledger export --format sqlite``.

Written with sqlite-utils from :func:`claimledger.exports.formats.export_data`'s shape: one table per kind of
item (``claims``, ``sources``, ``parties``, ``metrics``, ``statuses``) and one per list a claim
holds (``appearances``, ``rebuttals``, ``provenance``, ``tags``, ``conversions``), the computed
``changes``, foreign keys between them, and full-text search on the claims' statement, quote and
rationale. :func:`datasette_metadata` is the ``metadata.json`` Datasette reads beside it (titles,
descriptions, licence, source).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

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


def _rows(claims: Iterable[Mapping[str, Any]], field: str) -> list[dict[str, Any]]:
    return [
        {"claim": claim["id"], "position": index, **item} for claim in claims for index, item in enumerate(claim[field])
    ]


def _write(db: sqlite_utils.Database, data: Mapping[str, Any]) -> None:
    claims = data["claims"]
    parties = [dict(party) for party in data["parties"]]
    sources = [_source_row(source) for source in data["sources"]]
    metrics = [
        {**metric, "caveats": _json(metric["caveats"]), "sources": _json(metric["sources"])}
        for metric in data["metrics"]
    ]
    # Each table is created first, with the columns a dataset may hold: a column that is empty in
    # every row, or a table without rows (no metrics yet), is still there for queries and keys.
    _table(db, "parties", parties, _record_columns(data, "parties"))
    _table(db, "statuses", data["statuses"], _record_columns(data, "statuses"))
    _table(db, "sources", sources, _record_columns({"sources": sources}, "sources"))
    _table(db, "metrics", metrics, dict.fromkeys(("id", "title", "counts", "counted_by", "period", "caveats"), str))
    rows = [{column: FLAT_CLAIM[column](claim) for column in CLAIM_COLUMNS} for claim in claims]
    columns: dict[str, type] = dict.fromkeys(CLAIM_COLUMNS, str)
    columns.update(value=float, baseline_value=float)
    _table(
        db,
        "claims",
        rows,
        columns,
        [
            ("claimant", "parties", "id"),
            ("spokesperson", "parties", "id"),
            ("first_appearance", "sources", "id"),
            ("status", "statuses", "id"),
            ("metric", "metrics", "id"),
        ],
    )
    for table, column in (("sources", "part_of"), ("parties", "affiliation")):
        if column in db.table(table).columns_dict:
            db.table(table).add_foreign_key(column, table, "id")
    _child(db, "appearances", _rows(claims, "appearances"), [("source", "sources")], {"locator": str})
    rebuttals = _rows(claims, "rebuttals")
    _child(db, "rebuttals", rebuttals, [("source", "sources"), ("party", "parties"), ("via", "sources")], {"via": str})
    _child(db, "provenance", _rows(claims, "provenance"), [("source", "sources")], {"date": str, "note": str})
    tags = [{"claim": claim["id"], "tag": tag} for claim in claims for tag in claim["tags"]]
    _child(db, "tags", tags, [], {"tag": str})
    conversions = [
        {
            **{key: value for key, value in row.items() if key != "rate"},
            "by": None if row["by"] == "unknown" else row["by"],  # a party's id, or NULL: not known who
            "rate": row["rate"]["value"] if isinstance(row["rate"], dict) else None,
            "rate_source": row["rate"]["source"] if isinstance(row["rate"], dict) else None,
            "rate_date": row["rate"]["date"] if isinstance(row["rate"], dict) else None,
            "checked": isinstance(row["rate"], dict),
        }
        for row in _rows(claims, "conversions")
    ]
    _child(
        db,
        "conversions",
        conversions,
        [("by", "parties"), ("source", "sources"), ("rate_source", "sources")],
        {"rate": float, "rate_source": str, "rate_date": str, "quote": str, "note": str, "value": float},
    )
    changes = [{"claim": claim["id"], **claim["change"]} for claim in claims if claim["change"]]
    db.table("changes").create(
        {
            "claim": str,
            "kind": str,
            "value": float,
            "unit": str,
            "decimals": int,
            "difference": float,
            "before": float,
            "before_period": str,
            "after": float,
            "after_period": str,
        },
        pk="claim",
        foreign_keys=[("claim", "claims", "id")],
    )
    db.table("changes").insert_all(changes)
    db.table("claims").enable_fts(list(FTS_COLUMNS), create_triggers=False)


def _record_columns(data: Mapping[str, Any], name: str) -> dict[str, type]:
    """Every field any row of ``data[name]`` has, as text unless a value says otherwise; at least an id."""
    columns: dict[str, type] = {"id": str}
    for row in data[name]:
        for key, value in row.items():
            if value is not None and not isinstance(value, str):
                columns[key] = type(value) if isinstance(value, (int, float, bool)) else str
            else:
                columns.setdefault(key, str)
    return columns


def _table(
    db: sqlite_utils.Database,
    name: str,
    rows: list[dict[str, Any]],
    columns: Mapping[str, type],
    foreign_keys: list[tuple[str, str, str]] | None = None,
) -> None:
    db.table(name).create(dict(columns), pk="id", foreign_keys=foreign_keys or [])
    db.table(name).insert_all(rows, alter=True)


def _child(
    db: sqlite_utils.Database,
    name: str,
    rows: list[dict[str, Any]],
    references: list[tuple[str, str]],
    types: Mapping[str, type],
) -> None:
    columns = {"claim": str, "position": int, **{column: str for column, _ in references}, **types}
    db.table(name).create(columns, foreign_keys=[("claim", "claims", "id"), *((c, t, "id") for c, t in references)])
    db.table(name).insert_all(rows, alter=True)


def to_sqlite(data: Mapping[str, Any]) -> bytes:
    """The database of :func:`claimledger.exports.formats.export_data`'s ``data``, as the bytes of its file."""
    with tempfile.TemporaryDirectory(prefix="claimledger-sqlite-") as folder:
        path = Path(folder) / "claims.db"
        connection = sqlite3.connect(path)
        try:
            # A scratch file, read back whole: no need to survive a crash, so no syncing at each commit
            # (sqlite-utils commits per chunk of rows; synced, that is most of the time at 10,000 claims).
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA journal_mode = MEMORY")
            db = sqlite_utils.Database(connection)
            with connection:
                _write(db, data)
            connection.execute("VACUUM")
        finally:
            connection.close()
        return path.read_bytes()


def datasette_metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """Datasette's ``metadata.json`` for the database (``datasette claims.db -m metadata.json``)."""
    stated = (data.get("publisher") or {}).get("license")  # the data's licence, if the publisher states one
    quoted = "; quoted texts remain the work of their authors"
    licence = {"license": stated + quoted, "license_url": stated} if stated else {"license": "not stated" + quoted}
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        **licence,
        "source": str(data.get("generator", "claimledger")),
        "databases": {
            "claims": {
                "tables": {
                    name: {"description": description} | ({"fts_table": "claims_fts"} if name == "claims" else {})
                    for name, description in TABLES.items()
                }
            }
        },
    }
