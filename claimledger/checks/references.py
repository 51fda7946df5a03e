"""Every id a file mentions must name something that exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from ..findings import Finding, error
from ..record.kinds import KINDS
from ..record.layout import KIND_FOLDERS
from ..record.model import Dataset
from ..record.suggest import close_match
from ..record.yamlsafe import Document, FieldPath, format_field


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    known: dict[str, Mapping[str, object]] = {
        **{name: kind.items(dataset) for name, kind in KINDS.items()},
        "status": {s.id: s for s in dataset.scale.statuses} if dataset.scale else {},
    }

    def ref(document: Document, path: FieldPath, kind: str, value: str | None) -> Iterator[Finding]:
        if value is None or value in known[kind] or value in dataset.broken_ids.get(kind, ()):
            return
        if kind == "status" and dataset.scale is None:
            return
        if kind == "status":
            close = close_match(value, known[kind], typo_only=True)
            hint = f"did you mean '{close}'? " if close else ""
            hint += (
                f"the statuses are: {', '.join(known[kind])}; the Rating scale page of the site says what each "
                "means and the evidence it needs"
            )
        else:
            close = close_match(value, known[kind])
            hint = f"did you mean '{close}'? " if close else ""
            hint += f"create {KIND_FOLDERS[kind]}{value}.yaml or correct the id"
        yield error(
            document.path, document.position(path), f"ref-{kind}", format_field(path), f"unknown {kind} '{value}'", hint
        )

    for claim in dataset.claims.values():
        doc = claim.document
        yield from ref(doc, ("claimant",), "party", claim.claimant)
        yield from ref(doc, ("spokesperson",), "party", claim.spokesperson)
        yield from ref(doc, ("first_appearance",), "source", claim.first_appearance)
        yield from ref(doc, ("status",), "status", claim.status)
        yield from ref(doc, ("superseded_by",), "claim", claim.superseded_by)
        if claim.paraphrase is not None:
            yield from ref(doc, ("paraphrase", "source"), "source", claim.paraphrase.source)
            yield from ref(doc, ("paraphrase", "by"), "party", claim.paraphrase.by)
        for i, appearance in enumerate(claim.appearances):
            yield from ref(doc, ("appearances", i, "source"), "source", appearance.source)
        for i, step in enumerate(claim.provenance):
            yield from ref(doc, ("provenance", i, "source"), "source", step.source)
        for i, conversion in enumerate(claim.conversions):
            yield from ref(doc, ("conversions", i, "by"), "party", conversion.by)
            yield from ref(doc, ("conversions", i, "source"), "source", conversion.source)
        for i, related in enumerate(claim.related):
            if related == claim.id:
                yield error(
                    doc.path,
                    doc.position(("related", i)),
                    "ref-claim",
                    format_field(("related", i)),
                    "a claim cannot be related to itself",
                    "remove this entry",
                )
            else:
                yield from ref(doc, ("related", i), "claim", related)
        for i, rebuttal in enumerate(claim.rebuttals):
            yield from ref(doc, ("rebuttals", i, "source"), "source", rebuttal.source)
            yield from ref(doc, ("rebuttals", i, "party"), "party", rebuttal.party)
            yield from ref(doc, ("rebuttals", i, "via"), "source", rebuttal.via)
    for source in dataset.sources.values():
        doc = source.document
        yield from ref(doc, ("author",), "party", source.author)
        yield from ref(doc, ("publisher",), "party", source.publisher)
        yield from ref(doc, ("part_of",), "source", source.part_of)
        for i, parent in enumerate(source.derived_from):
            yield from ref(doc, ("derived_from", i), "source", parent)
        if source.part_of == source.id or source.id in source.derived_from:
            yield error(
                doc.path,
                doc.position(("part_of",)),
                "ref-source",
                "part_of",
                "a source cannot be part of or derived from itself",
                "name another source",
            )
    if dataset.publisher is not None:
        yield from ref(dataset.publisher.document, ("party",), "party", dataset.publisher.party)
    for party in dataset.parties.values():
        yield from ref(party.document, ("affiliation",), "party", party.affiliation)
        if party.affiliation == party.id:
            yield error(
                party.document.path,
                party.document.position(("affiliation",)),
                "ref-party",
                "affiliation",
                "a party cannot be affiliated with itself",
                "name another party",
            )
