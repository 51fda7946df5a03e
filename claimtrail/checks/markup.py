"""Contributor markdown: no raw HTML, images or unsafe links; every ``[[kind:id]]`` resolves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

from .. import markup, paths
from ..findings import Finding, error
from ..layout import KIND_FOLDERS
from ..model import Dataset
from ..yamlsafe import Document, FieldPath, format_field


def markdown_fields(dataset: Dataset) -> Iterator[tuple[Document, FieldPath, str]]:
    """Every field that is rendered as Markdown, with its document and path."""
    for claim in dataset.claims.values():
        doc = claim.document
        yield doc, ("rationale",), claim.rationale
        if claim.notes:
            yield doc, ("notes",), claim.notes
        for i, rebuttal in enumerate(claim.rebuttals):
            yield doc, ("rebuttals", i, "summary"), rebuttal.summary
        for i, step in enumerate(claim.provenance):
            if step.note:
                yield doc, ("provenance", i, "note"), step.note
        for i, conversion in enumerate(claim.conversions):
            if conversion.note:
                yield doc, ("conversions", i, "note"), conversion.note
        for i, entry in enumerate(claim.log):
            yield doc, ("log", i, "summary"), entry.summary
    for source in dataset.sources.values():
        for name, text in (("notes", source.notes), ("full_text_note", source.full_text_note)):
            if text:
                yield source.document, (name,), text
        if source.snapshot is not None and source.snapshot.note:
            yield source.document, ("snapshot", "note"), source.snapshot.note
        for basis in source.basis:
            if basis.inferred:
                yield source.document, ("basis", basis.field, "inferred"), basis.inferred
    for party in dataset.parties.values():
        if party.notes:
            yield party.document, ("notes",), party.notes
        for basis in party.basis:
            if basis.inferred:
                yield party.document, ("basis", basis.field, "inferred"), basis.inferred


def _known(dataset: Dataset) -> Mapping[str, set[str]]:
    return {
        "claim": set(dataset.claims) | set(dataset.broken_ids.get("claim", ())),
        "source": set(dataset.sources) | set(dataset.broken_ids.get("source", ())),
        "party": set(dataset.parties) | set(dataset.broken_ids.get("party", ())),
    }


def _unknown(path: str, position: tuple[int, int], field: str, ref: markup.Reference) -> Finding:
    return error(
        path,
        position,
        f"ref-{ref.kind}",
        field,
        f"unknown {ref.kind} '{ref.id}' in [[{ref.kind}:{ref.id}]]",
        f"create {KIND_FOLDERS[ref.kind]}{ref.id}.yaml or correct the id",
    )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    known = _known(dataset)
    for document, path, text in markdown_fields(dataset):
        for problem in markup.problems(text):
            yield error(
                document.path, document.position(path), problem.rule, format_field(path), problem.message, problem.hint
            )
        for ref in markup.references(text):
            if ref.id not in known[ref.kind]:
                yield _unknown(document.path, document.position(path), format_field(path), ref)


def check_docs(root: Path, dataset: Dataset) -> Iterator[Finding]:
    """The hand-written files a build publishes, as the path policy sees them; references in the
    pages under docs/, with their exact line."""
    listing = paths.hand_written(root.resolve())
    yield from listing.findings
    known = _known(dataset)
    for name in listing.files:
        if not name.endswith(".md"):
            continue
        page = Path(name)
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(root.resolve()).as_posix()
        for ref in markup.references(text):
            if ref.id not in known[ref.kind]:
                yield _unknown(rel, (ref.line + 1, 1), "", ref)
