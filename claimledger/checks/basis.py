"""Every fact about a source or a party has a basis: the source that states it, or the reasoning.

A fact is backed under ``basis:`` by the source that states it (quoted where the record holds its text), by
the source's own words (``self``: its snapshot must state it, :mod:`claimledger.record.ownwords`), or is
``inferred`` with the reasoning shown; an ``unknown`` fact needs none. Facts the rules compute with are errors
without a basis (``fact-basis``); a role or a place, only shown, is a warning (``fact-unsourced``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator

from ..findings import Finding
from ..record.model import Basis, Claim, Dataset, Party, Source, facts
from ..record.ownwords import OWN_FACTS, date_forms, find, looked_for
from .quotes import SnapshotReader, normalise, snapshots
from .references import report

# What each fact feeds: the rules and pages that compute with it.
FEEDS_A_RULE = {
    "affiliation": "the independence rule and the rebuttal-party rule read it",
    "author": "the independence rule and the rebuttal-party rule read it",
    "publisher": "the independence rule and the rebuttal-party rule read it",
    "published": "the timeline places the source by it, and intervals between dates rest on it",
    "full_text": "the status `unverifiable` rests on it",
}
LABELS = {"published": "publication date", "presented": "presentation date", "full_text": "full text's availability"}


def _stated(item: Source | Party | Claim, name: str) -> str | None:
    """The fact ``name`` as the file states it; ``None`` if absent or ``unknown``."""
    value = None if name in item.unknown else getattr(item, name)
    return None if value is None else str(value)


def _has_snapshot(source: Source, dataset: Dataset) -> bool:
    """Whether the source or what it is part of names a snapshot (one that cannot be read is reported on its own)."""
    seen: set[str] = set()
    current: Source | None = source
    while current is not None and current.id not in seen:
        if current.snapshot is not None:
            return True
        seen.add(current.id)
        current = dataset.sources.get(current.part_of) if current.part_of else None
    return False


def _missing(item: Source | Party | Claim, name: str, value: str, kind: str) -> Finding:
    hint = (
        f"name the source that states it (`basis: {{{name}: {{source: …, quote: …}}}}`), or give the reasoning "
        f"that infers it (`basis: {{{name}: {{inferred: …}}}}`); if no source on the record says, write "
        f"`{name}: unknown`"
    )
    if kind == "source" and name in OWN_FACTS:
        hint = (
            f"if its own text states it (a byline, dateline or masthead), write `basis: {{{name}: self}}`; else {hint}"
        )
    said = f"the {kind}'s {LABELS.get(name, name)} '{value}' has no basis"
    if name in FEEDS_A_RULE:
        return report(item.document, (name,), "fact-basis", f"{said}, and {FEEDS_A_RULE[name]}", hint)
    message = f"{said}; readers cannot tell where it comes from"
    return report(item.document, (name,), "fact-unsourced", message, hint, warn=True)


def own_words(source: Source, name: str, dataset: Dataset) -> tuple[str, ...]:
    """The words that would state the fact ``name`` in ``source``'s own text."""
    if name in ("published", "presented"):
        day = getattr(source, name)
        return date_forms(day) if day is not None else ()
    if name == "place":
        return (source.place,) if source.place else ()
    party = dataset.parties.get(getattr(source, name) or "")
    names = [party.name, party.short_name] if party is not None else []
    if name == "author" and source.author_shown is not None:
        names.insert(0, source.author_shown)
    return tuple(dict.fromkeys(n for n in names if n))


def _check_own(source: Source, basis: Basis, dataset: Dataset) -> Iterator[Finding]:
    """A basis written ``self``: the source's own snapshot states the fact."""
    path = ("basis", basis.field)
    label = LABELS.get(basis.field, basis.field)
    words = own_words(source, basis.field, dataset)
    if not words:  # the party is not on the record (reported by the reference rules), or no date is given
        return
    found = dataset.snapshot_of(source.id)
    if found is None and not _has_snapshot(source, dataset):  # a snapshot that cannot be read is reported apart
        yield report(
            source.document,
            path,
            "fact-basis-self",
            f"the source's {label} is based on `self`, but the record holds no snapshot of its text",
            f"save its text with `claimledger snapshot {source.id} FILE` (check will look for "
            f"{looked_for(words)}), or name the source that states it (`{{source: …, quote: …}}`)",
        )
    elif found is not None and found[0].snapshot is not None and find(words, found[1]) is None:
        yield report(
            source.document,
            path,
            "fact-basis-self",
            f"the source's {label} is based on `self`, but its snapshot ({found[0].snapshot.file}) does not state it",
            f"looked for {looked_for(words)}; correct the {basis.field} if the text gives another, or quote the "
            f"words that state it (`{{source: {source.id}, quote: …}}`)",
        )


def _check_basis(
    item: Source | Party | Claim, basis: Basis, dataset: Dataset, read: SnapshotReader
) -> Iterator[Finding]:
    if basis.own and isinstance(item, Source):
        yield from _check_own(item, basis, dataset)
        return
    path = ("basis", basis.field)
    for name, source in (("source", basis.source), ("via", basis.via)):
        if source is not None and source not in dataset.sources:
            if source not in dataset.broken_ids.get("source", ()):
                hint = f"create claims/sources/{source}.yaml or correct the id"
                yield report(item.document, (*path, name), "ref-source", f"unknown source '{source}'", hint)
            return
    read_in = basis.via or basis.source
    found = read(read_in) if read_in is not None else None
    if found is None:
        return
    if basis.quote is not None and normalise(basis.quote) not in found[1]:
        yield report(
            item.document,
            (*path, "quote"),
            "quote-not-in-snapshot",
            f"the quote does not appear in the snapshot of {read_in} ({found[0]})",
            "copy the words exactly as the source has them, typos and punctuation included; "
            "only line breaks and spacing may differ",
        )
    elif basis.quote is None and not basis.is_inferred:
        yield report(
            item.document,
            (*path, "source"),
            "fact-basis-quote",
            f"the basis names {read_in}, whose text is on the record, but quotes none of it",
            "add `quote:` with the words of the source that state the fact, so that readers and the check can see them",
            field=f"basis.{basis.field}",
        )


@functools.cache
def _facts(kind: type[Source | Party | Claim]) -> tuple[str, ...]:
    """The facts of a kind of item (asked once per kind: the check asks per item)."""
    return facts(kind)


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    read = snapshots(dataset)
    items: list[tuple[Source | Party | Claim, str]] = [(s, "source") for s in dataset.sources.values()]
    items += [(p, "party") for p in dataset.parties.values()]
    items += [(c, "claim") for c in dataset.claims.values()]  # a claim's date may have a basis
    for item, kind in items:
        for name in _facts(type(item)):  # type: ignore[arg-type]  # every class is hashable
            value = _stated(item, name)
            # Facts that carry their own basis: the author's name as the source shows it, and a text on the record.
            implicit = isinstance(item, Source) and (
                (name == "author" and item.author_shown is not None)
                or (name == "full_text" and item.full_text == "available" and _has_snapshot(item, dataset))
            )
            if value is not None and item.basis_of(name) is None and not implicit:
                yield _missing(item, name, value, kind)
        for basis in item.basis:
            if _stated(item, basis.field) is not None:
                yield from _check_basis(item, basis, dataset, read)
                continue
            said = "says is unknown" if basis.field in item.unknown else "does not state"
            message = f"a basis for the {kind}'s {LABELS.get(basis.field, basis.field)}, which this file {said}"
            hint = f"remove `basis: {basis.field}`, or state the {basis.field} it backs"
            yield report(item.document, ("basis", basis.field), "fact-basis", message, hint)
