"""Machine-readable exports of a validated dataset.

The JSON shape is a public interface: fields may be added, never renamed or
removed.  CSV is one row per claim, for spreadsheets; cells that a
spreadsheet would run as a formula are neutralised.  SQLite (:mod:`claimledger.exports.sqlite`)
is the same shape as tables, for Datasette and SQL.

Every item carries ``page``, its page's address relative to the site's root
(``claims/<id>/``); ``url``, where a source or party has one, is its own web
address.  A date stated as ``unknown`` is exported as ``"unknown"``; a date
that does not apply, or was not given, as null (an empty CSV cell).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..record import arithmetic
from ..record.kinds import KINDS
from ..record.model import Basis, Claim, Conversion, Dataset, LogEntry, Metric, Party, Publisher, Rate, Source, Status
from ..record.schema import units
from ..record.visible import stale

EXPORT_FORMAT_VERSION = 2


UNKNOWN = "unknown"


def _date(value: object, unknown: bool = False) -> str | None:
    """A date as text; ``"unknown"`` where the data says so, None where it gives none."""
    if value is None:
        return UNKNOWN if unknown else None
    return str(value)


def _page(kind: str, item_id: str) -> str:
    """The address of an item's page on the site, relative to its root: ``claims/<id>/``."""
    return f"{KINDS[kind].site_folder}/{item_id}/"


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _bases(bases: tuple[Basis, ...]) -> dict[str, Any]:
    """Each fact's basis by field, as the file gives it."""
    return {
        b.field: {"source": b.source, "quote": b.quote, "via": b.via, "locator": b.locator, "inferred": b.inferred}
        for b in bases
    }


def _log(entries: tuple[LogEntry, ...]) -> list[dict[str, Any]]:
    return [{"date": str(e.date), "kind": e.kind, "summary": e.summary} for e in entries]


def _review(claim: Claim) -> dict[str, Any] | None:
    """Who reviewed the claim, when, the fingerprint they reviewed, and whether the claim has changed since."""
    review = claim.review
    if review is None:
        return None
    return {"by": list(review.by), "date": str(review.date), "fingerprint": review.fingerprint, "stale": stale(claim)}


def claim_record(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "page": _page("claim", claim.id),
        "statement": claim.statement,
        "quote": claim.quote,
        "value": _number(claim.value),
        "unit": claim.unit,
        "qualifier": claim.qualifier,
        "counted": claim.counted,
        "baseline": None
        if claim.baseline is None
        else {
            "value": _number(claim.baseline.value),
            "unit": claim.baseline.unit,
            "period": str(claim.baseline.period),
            "quote": claim.baseline.quote,
        },
        "conversions": [
            {
                "value": _number(c.value),
                "unit": c.unit,
                "qualifier": c.qualifier,
                "by": c.by,
                "source": c.source,
                "quote": c.quote,
                "note": c.note,
            }
            | {"rate": _rate(c)}
            for c in claim.conversions
        ],
        "paraphrase": None
        if claim.paraphrase is None
        else {
            "text": claim.paraphrase.text,
            "by": claim.paraphrase.by,
            "source": claim.paraphrase.source,
            "locator": claim.paraphrase.locator,
        },
        "status": claim.status,
        "rationale": claim.rationale,
        "claimant": claim.claimant,
        "spokesperson": claim.spokesperson,
        "date": _date(claim.date, "date" in claim.unknown),
        "period": _date(claim.period),
        "first_appearance": claim.first_appearance,
        "appearances": [{"source": a.source, "quote": a.quote, "locator": a.locator} for a in claim.appearances],
        "provenance": [
            {"source": p.source, "role": p.role, "date": _date(p.date, "date" in p.unknown), "note": p.note}
            for p in claim.provenance
        ],
        "rebuttals": [
            {
                "source": r.source,
                "party": r.party,
                "stance": r.stance,
                "summary": r.summary,
                "quote": r.quote,
                "via": r.via,
                "locator": r.locator,
            }
            for r in claim.rebuttals
        ],
        "related": list(claim.related),
        "tags": list(claim.tags),
        "superseded_by": claim.superseded_by,
        "review": _review(claim),
        "notes": claim.notes,
        "log": _log(claim.log),
        "metric": claim.metric,
        "change": change_record(claim),
        "derivation": None
        if claim.derivation is None
        else {
            "formula": claim.derivation.formula,
            "from": [
                {"claim": o.claim, "value": _number(o.value), "quote": o.quote} for o in claim.derivation.operands
            ],
            "precision": claim.derivation.precision,
        },
    }


def _rate(conversion: Conversion) -> dict[str, Any] | str | None:
    rate = conversion.rate
    if isinstance(rate, Rate):
        return {"value": _number(rate.value), "source": rate.source, "date": _date(rate.date)}
    return rate


def change_record(claim: Claim) -> dict[str, Any] | None:
    """The change against the baseline, computed (:func:`claimledger.record.arithmetic.change`): its kind,
    its rounded value in its unit (``percentage-points``, ``percent`` or ``times``; None where it is
    undefined), the difference in the claim's unit, and the two figures with their periods."""
    if claim.value is None or claim.baseline is None:
        return None
    computed = arithmetic.change(claim.baseline.value, claim.value, claim.unit, claim.baseline.change)
    return {
        "kind": computed.kind,
        "value": _number(computed.value),
        "unit": computed.unit,
        "decimals": computed.decimals,
        "difference": _number(float(computed.difference)),
        "before": _number(claim.baseline.value),
        "before_period": str(claim.baseline.period),
        "after": _number(claim.value),
        "after_period": _date(claim.period),
    }


def metric_record(metric: Metric) -> dict[str, Any]:
    return {
        "id": metric.id,
        "page": _page("metric", metric.id),
        "title": metric.title,
        "counts": metric.counts,
        "counted_by": metric.counted_by,
        "period": metric.period,
        "caveats": list(metric.caveats),
        "sources": list(metric.sources),
        "notes": metric.notes,
    }


def source_record(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "page": _page("source", source.id),
        "title": source.title,
        "kind": source.kind,
        "primary": source.primary,
        "author": source.author,
        "author_shown": source.author_shown,
        "publisher": source.publisher,
        "published": _date(source.published, "published" in source.unknown),
        "url": source.url,
        "archive_url": source.archive_url,
        "archive_date": _date(source.archive_date, "archive_date" in source.unknown),
        "accessed": _date(source.accessed, "accessed" in source.unknown),
        "language": source.language,
        "place": source.place,
        "full_text": source.full_text,
        "full_text_note": source.full_text_note,
        "part_of": source.part_of,
        "locator": source.locator,
        "derived_from": list(source.derived_from),
        "snapshot": None
        if source.snapshot is None
        else {
            "file": source.snapshot.file,
            "sha256": source.snapshot.sha256,
            "retrieved": _date(source.snapshot.retrieved, "retrieved" in source.snapshot.unknown),
            "third_party": True,
        },
        "notes": source.notes,
        "basis": _bases(source.basis),
        "unknown": sorted(source.unknown),
    }


def party_record(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "page": _page("party", party.id),
        "name": party.name,
        "short_name": party.short_name,
        "kind": party.kind,
        "role": party.role,
        "affiliation": party.affiliation,
        "url": party.url,
        "notes": party.notes,
        "basis": _bases(party.basis),
        "unknown": sorted(party.unknown),
    }


def publisher_record(publisher: Publisher) -> dict[str, Any]:
    return {
        "name": publisher.name,
        "url": publisher.url,
        "logo": publisher.logo,
        "email": publisher.email,
        "editors": [{"id": e.id, "name": e.name, "kind": e.kind} for e in publisher.editors],
    }


def status_record(status: Status, best: int, worst: int) -> dict[str, Any]:
    return {
        "id": status.id,
        "label": status.label,
        "colour": status.colour,
        "description": status.description,
        "evidence": status.evidence,
        "rating_value": status.rating_value,
        "verdict": status.verdict,
        "reviewers": status.reviewers,
        "best_rating": best,
        "worst_rating": worst,
    }


def export_data(dataset: Dataset) -> dict[str, Any]:
    scale = dataset.scale
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "generator": f"claimledger {__version__}",
        "publisher": None if dataset.publisher is None else publisher_record(dataset.publisher),
        "claims": [claim_record(c) for c in dataset.claims.values()],
        "sources": [source_record(s) for s in dataset.sources.values()],
        "parties": [party_record(p) for p in dataset.parties.values()],
        "metrics": [metric_record(m) for m in dataset.metrics.values()],
        "statuses": [status_record(s, scale.best_rating, scale.worst_rating) for s in scale.statuses] if scale else [],
        "units": [
            {"id": u.id, "title": u.title, "symbol": u.symbol, "description": u.description} for u in units().values()
        ],
    }


def to_json(data: dict[str, Any], *, compact: bool = False) -> str:
    """Indented for people; ``compact`` for the site's files (several times faster to write at scale)."""
    if compact:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "id",
    "page",
    "statement",
    "value",
    "unit",
    "qualifier",
    "counted",
    "baseline_value",
    "baseline_period",
    "baseline_quote",
    "conversions",
    "status",
    "claimant",
    "spokesperson",
    "date",
    "period",
    "first_appearance",
    "sources",
    "rebuttal_sources",
    "rebuttal_parties",
    "stances",
    "tags",
    "related",
    "reviewed_by",
    "review_date",
    "review_state",
    "rationale",
    "metric",
    "change_kind",
    "change_value",
    "change_unit",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading =, +, -, @, tab or CR gets a quote in front.

    Numbers are written as numbers (a negative figure is a number, not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def _conversion_cell(conversion: dict[str, Any]) -> str:
    """One conversion in a cell: ``<value> <unit> by <party> in <source>`` (``exact`` left unsaid; the
    party ``unknown`` where the source does not say who converted)."""
    qualifier = "" if conversion["qualifier"] == "exact" else f"{conversion['qualifier']} "
    by = conversion["by"] or "unknown"
    return f"{qualifier}{conversion['value']} {conversion['unit']} by {by} in {conversion['source']}"


def _review_cells(review: dict[str, Any] | None) -> tuple[str | None, str | None, str | None]:
    """A review in three cells: who (editor ids, ``;``-separated), when, and ``current`` or ``stale``."""
    if review is None:
        return None, None, None
    return ";".join(review["by"]), review["date"], "stale" if review["stale"] else "current"


def to_csv(data: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for claim in data["claims"]:
        baseline = claim["baseline"] or {}
        row = [
            claim["id"],
            claim["page"],
            claim["statement"],
            claim["value"],
            claim["unit"],
            claim["qualifier"],
            claim["counted"],
            baseline.get("value"),
            baseline.get("period"),
            baseline.get("quote"),
            ";".join(_conversion_cell(c) for c in claim["conversions"]),
            claim["status"],
            claim["claimant"],
            claim["spokesperson"],
            claim["date"],
            claim["period"],
            claim["first_appearance"],
            ";".join(a["source"] for a in claim["appearances"]),
            ";".join(r["source"] for r in claim["rebuttals"]),
            ";".join(r["party"] for r in claim["rebuttals"]),
            ";".join(r["stance"] for r in claim["rebuttals"]),
            ";".join(claim["tags"]),
            ";".join(claim["related"]),
            *_review_cells(claim["review"]),
            claim["rationale"],
            claim["metric"],
            *(
                (claim["change"]["kind"], claim["change"]["value"], claim["change"]["unit"])
                if claim["change"]
                else (None, None, None)
            ),
        ]
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


@dataclass(frozen=True)
class ExportFormat:
    """One format the dataset is exported in: by ``claimledger export --format <name>``, and on the site
    as ``site_path``."""

    name: str
    site_path: str  # where the site publishes it, relative to the site's root
    write: Callable[[dict[str, Any], bool], str | bytes]  # (export_data(...), compact) → the file's content
    companions: Callable[[dict[str, Any]], Mapping[str, str]] | None = None
    """Files written beside it, by name (the SQLite database's Datasette ``metadata.json``)."""


def _json(data: dict[str, Any], compact: bool) -> str:
    return to_json(data, compact=compact)


def _csv(data: dict[str, Any], compact: bool) -> str:
    return to_csv(data)


def _sqlite(data: dict[str, Any], compact: bool) -> bytes:
    from .sqlite import to_sqlite

    return to_sqlite(data)


def _sqlite_companions(data: dict[str, Any]) -> Mapping[str, str]:
    from .sqlite import datasette_metadata

    return {"metadata.json": to_json(datasette_metadata(data))}


FORMATS: Mapping[str, ExportFormat] = {
    export.name: export
    for export in (
        ExportFormat("json", "claims.json", _json),
        ExportFormat("csv", "claims.csv", _csv),
        ExportFormat("sqlite", "claims.db", _sqlite, _sqlite_companions),
    )
}
"""Every export format. Adding one: a writer of :func:`export_data`'s shape, and one entry here."""
