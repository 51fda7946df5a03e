"""Every id a file mentions must name something that exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from ..findings import Finding, error, warning
from ..record.kinds import KINDS
from ..record.layout import KIND_FOLDERS
from ..record.model import Dataset, Rate
from ..record.suggest import close_match
from ..record.yamlsafe import Document, FieldPath, format_field


def report(
    doc: Document, path: FieldPath, rule: str, message: str, hint: str, *, field: str | None = None, warn: bool = False
) -> Finding:
    """A finding at ``path`` in ``doc``, whose field is ``path`` written out unless given."""
    field = format_field(path) if field is None else field
    return (warning if warn else error)(doc.path, doc.position(path), rule, field, message, hint)


def _mentions(dataset: Dataset) -> Iterator[tuple[Document, FieldPath, str, str | None]]:
    """Every id a file mentions: its document, its field, the kind it names and the id (None if not given)."""
    for claim in dataset.claims.values():
        doc = claim.document
        yield doc, ("claimant",), "party", claim.claimant
        yield doc, ("spokesperson",), "party", claim.spokesperson
        yield doc, ("first_appearance",), "source", claim.first_appearance
        yield doc, ("status",), "status", claim.status
        yield doc, ("superseded_by",), "claim", claim.superseded_by
        yield doc, ("metric",), "metric", claim.metric
        if claim.paraphrase is not None:
            yield doc, ("paraphrase", "source"), "source", claim.paraphrase.source
            yield doc, ("paraphrase", "by"), "party", claim.paraphrase.by
        if claim.baseline is not None:
            yield doc, ("baseline", "metric"), "metric", claim.baseline.metric
        for i, appearance in enumerate(claim.appearances):
            yield doc, ("appearances", i, "source"), "source", appearance.source
        for i, step in enumerate(claim.provenance):
            yield doc, ("provenance", i, "source"), "source", step.source
        for i, conversion in enumerate(claim.conversions):
            yield doc, ("conversions", i, "by"), "party", conversion.by
            yield doc, ("conversions", i, "source"), "source", conversion.source
            if isinstance(conversion.rate, Rate):
                yield doc, ("conversions", i, "rate", "source"), "source", conversion.rate.source
        for i, related in enumerate(claim.related):
            yield doc, ("related", i), "claim", related
        for i, rebuttal in enumerate(claim.rebuttals):
            yield doc, ("rebuttals", i, "source"), "source", rebuttal.source
            yield doc, ("rebuttals", i, "party"), "party", rebuttal.party
            yield doc, ("rebuttals", i, "via"), "source", rebuttal.via
        for i, operand in enumerate(claim.derivation.operands if claim.derivation else ()):
            yield doc, ("derivation", "from", i, "claim"), "claim", operand.claim
    for source in dataset.sources.values():
        yield source.document, ("author",), "party", source.author
        yield source.document, ("publisher",), "party", source.publisher
        yield source.document, ("part_of",), "source", source.part_of
        for i, parent in enumerate(source.derived_from):
            yield source.document, ("derived_from", i), "source", parent
    if dataset.publisher is not None:
        yield dataset.publisher.document, ("party",), "party", dataset.publisher.party
    for party in dataset.parties.values():
        yield party.document, ("affiliation",), "party", party.affiliation
    for metric in dataset.metrics.values():
        if metric.counted_by != "unknown":
            yield metric.document, ("counted_by",), "party", metric.counted_by
        for i, source_id in enumerate(metric.sources):
            yield metric.document, ("sources", i), "source", source_id


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    known: dict[str, Mapping[str, object]] = {
        **{name: kind.items(dataset) for name, kind in KINDS.items()},
        "status": {s.id: s for s in dataset.scale.statuses} if dataset.scale else {},
    }
    for document, path, kind, value in _mentions(dataset):
        if value is None or value in known[kind] or value in dataset.broken_ids.get(kind, ()):
            continue
        if kind == "status" and dataset.scale is None:
            continue
        close = close_match(value, known[kind], typo_only=kind == "status")
        hint = f"did you mean '{close}'? " if close else ""
        if kind == "status":
            hint += (
                f"the statuses are: {', '.join(known[kind])}; the Rating scale page of the site says what each "
                "means and the evidence it needs"
            )
        else:
            hint += f"create {KIND_FOLDERS[kind]}{value}.yaml or correct the id"
        yield report(document, path, f"ref-{kind}", f"unknown {kind} '{value}'", hint)
    for claim in dataset.claims.values():
        for i, related in enumerate(claim.related):
            if related == claim.id:
                message = "a claim cannot be related to itself"
                yield report(claim.document, ("related", i), "ref-claim", message, "remove this entry")
    for source in dataset.sources.values():
        if source.part_of == source.id or source.id in source.derived_from:
            message = "a source cannot be part of or derived from itself"
            yield report(source.document, ("part_of",), "ref-source", message, "name another source")
    for party in dataset.parties.values():
        if party.affiliation == party.id:
            message = "a party cannot be affiliated with itself"
            yield report(party.document, ("affiliation",), "ref-party", message, "name another party")
