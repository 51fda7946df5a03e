"""A claim's export record as flat cells, one per column, for the tables that cannot nest: the CSV's
row and the SQLite ``claims`` table (each picks its columns)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any


def _joined(name: str, key: str | None = None) -> Callable[[Mapping[str, Any]], str]:
    """A list of a claim's record in one cell, ``;``-separated (of each entry, its ``key``)."""
    return lambda claim: ";".join(entry[key] if key else entry for entry in claim[name])


def _of(name: str, key: str) -> Callable[[Mapping[str, Any]], Any]:
    """A field of a nested record of a claim's (its baseline, review or change), None where it has none."""
    return lambda claim: (claim[name] or {}).get(key)


def _conversion_cell(conversion: dict[str, Any]) -> str:
    """One conversion in a cell: ``<value> <unit> by <party> in <source>`` (``exact`` left unsaid)."""
    qualifier = "" if conversion["qualifier"] == "exact" else f"{conversion['qualifier']} "
    by = conversion["by"] or "unknown"
    return f"{qualifier}{conversion['value']} {conversion['unit']} by {by} in {conversion['source']}"


_AS_IS = (
    *("id", "page", "statement", "quote", "value", "unit", "qualifier", "counted", "metric", "status"),
    *("rationale", "claimant", "spokesperson", "date", "period", "first_appearance", "superseded_by", "notes"),
)

FLAT_CLAIM: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    **{name: itemgetter(name) for name in _AS_IS},
    **{f"baseline_{key}": _of("baseline", key) for key in ("value", "period", "quote")},
    "conversions": lambda claim: ";".join(_conversion_cell(c) for c in claim["conversions"]),
    "derivation": lambda claim: (
        None if claim["derivation"] is None else json.dumps(claim["derivation"], ensure_ascii=False)
    ),
    "url": lambda claim: None,  # a claim has no address of its own; the database keeps the column it always had
    "sources": _joined("appearances", "source"),
    "rebuttal_sources": _joined("rebuttals", "source"),
    "rebuttal_parties": _joined("rebuttals", "party"),
    "stances": _joined("rebuttals", "stance"),
    "tags": _joined("tags"),
    "related": _joined("related"),
    "reviewed_by": lambda claim: None if claim["review"] is None else ";".join(claim["review"]["by"]),
    "review_date": _of("review", "date"),
    "review_state": lambda claim: (
        None if claim["review"] is None else ("stale" if claim["review"]["stale"] else "current")
    ),
    **{f"change_{key}": _of("change", key) for key in ("kind", "value", "unit")},
}
"""A claim's record as flat cells, by column: the CSV's, and the SQLite ``claims`` table's."""
