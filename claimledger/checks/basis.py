"""Every fact about a source or a party has a basis: the source that states it, or the reasoning.

A fact (a party's role and affiliation; a source's author, publisher, date,
place and whether its full text can be read) is backed under ``basis:`` by
the source that states it, quoted where the record holds that source's text,
or is marked ``inferred`` with the reasoning readers are shown; a fact no
source gives is written ``unknown`` and needs no basis.

Facts the rules compute with are errors without a basis: an affiliation
decides independence, an author or publisher who may give evidence, a date
where the timeline puts a source and what intervals between dates rest on,
the availability of a text what ``unverifiable`` rests on.  A role or a place
is only shown to readers: without a basis it is a warning.

A source's own byline, dateline, masthead or place line is a basis written
``self`` (``basis: {published: self}``): its snapshot must hold words that state
the fact (see :mod:`claimledger.record.ownwords`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error, warning
from ..record.model import Basis, Claim, Dataset, Party, Source, facts
from ..record.ownwords import OWN_FACTS, date_forms, find, looked_for
from ..record.yamlsafe import Document
from .quotes import normalise

# What each fact feeds: the rules and pages that compute with it.
FEEDS_A_RULE = {
    "affiliation": "the independence rule and the rebuttal-party rule read it",
    "author": "the independence rule and the rebuttal-party rule read it",
    "publisher": "the independence rule and the rebuttal-party rule read it",
    "published": "the timeline places the source by it, and intervals between dates rest on it",
    "full_text": "the status `unverifiable` rests on it",
}
LABELS = {
    "published": "publication date",
    "presented": "presentation date",
    "full_text": "full text's availability",
}


def _stated(item: Source | Party | Claim, name: str) -> str | None:
    """The fact ``name`` as the file states it; ``None`` if absent or ``unknown``."""
    if name in item.unknown:
        return None
    value = getattr(item, name)
    return None if value is None else str(value)


def _implicit(source: Source, name: str, dataset: Dataset) -> bool:
    """Facts that carry their own basis: the author's name as the source shows it, and the
    availability of a text the record holds."""
    if name == "author":
        return source.author_shown is not None
    if name == "full_text":
        return source.full_text == "available" and _has_snapshot(source, dataset)
    return False


def _has_snapshot(source: Source, dataset: Dataset) -> bool:
    """Whether the source or what it is part of names a snapshot (a snapshot that cannot be read is
    reported on its own)."""
    seen: set[str] = set()
    current: Source | None = source
    while current is not None and current.id not in seen:
        if current.snapshot is not None:
            return True
        seen.add(current.id)
        current = dataset.sources.get(current.part_of) if current.part_of else None
    return False


def _missing(document: Document, name: str, value: str, kind: str) -> Finding:
    hint = (
        f"name the source that states it (`basis: {{{name}: {{source: …, quote: …}}}}`), or give the reasoning "
        f"that infers it (`basis: {{{name}: {{inferred: …}}}}`); if no source on the record says, write "
        f"`{name}: unknown`"
    )
    if kind == "source" and name in OWN_FACTS:
        hint = (
            f"if its own text states it (a byline, dateline or masthead), write `basis: {{{name}: self}}`; else " + hint
        )
    if name in FEEDS_A_RULE:
        return error(
            document.path,
            document.position((name,)),
            "fact-basis",
            name,
            f"the {kind}'s {LABELS.get(name, name)} '{value}' has no basis, and {FEEDS_A_RULE[name]}",
            hint,
        )
    return warning(
        document.path,
        document.position((name,)),
        "fact-unsourced",
        name,
        f"the {kind}'s {LABELS.get(name, name)} '{value}' has no basis; readers cannot tell where it comes from",
        hint,
    )


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
    document = source.document
    where = document.position(("basis", basis.field))
    field = f"basis.{basis.field}"
    label = LABELS.get(basis.field, basis.field)
    words = own_words(source, basis.field, dataset)
    if not words:  # the party is not on the record (reported by the reference rules), or no date is given
        return
    found = dataset.snapshot_of(source.id)
    if found is None:
        if not _has_snapshot(source, dataset):  # a snapshot that cannot be read is reported on its own
            yield error(
                document.path,
                where,
                "fact-basis-self",
                field,
                f"the source's {label} is based on `self`, but the record holds no snapshot of its text",
                f"save its text with `claimledger snapshot {source.id} FILE` (check will look for "
                f"{looked_for(words)}), or name the source that states it (`{{source: …, quote: …}}`)",
            )
        return
    holder, text = found
    if find(words, text) is None:
        assert holder.snapshot is not None
        yield error(
            document.path,
            where,
            "fact-basis-self",
            field,
            f"the source's {label} is based on `self`, but its snapshot ({holder.snapshot.file}) does not state it",
            f"looked for {looked_for(words)}; correct the {basis.field} if the text gives another, or quote the "
            f"words that state it (`{{source: {source.id}, quote: …}}`)",
        )


def _check_basis(
    item: Source | Party | Claim, basis: Basis, dataset: Dataset, texts: dict[str, str]
) -> Iterator[Finding]:
    document = item.document
    if basis.own and isinstance(item, Source):
        yield from _check_own(item, basis, dataset)
        return
    here = ("basis", basis.field)
    for name, source in (("source", basis.source), ("via", basis.via)):
        if source is None or source in dataset.sources:
            continue
        if source not in dataset.broken_ids.get("source", ()):
            yield error(
                document.path,
                document.position((*here, name)),
                "ref-source",
                f"basis.{basis.field}.{name}",
                f"unknown source '{source}'",
                f"create claims/sources/{source}.yaml or correct the id",
            )
        return
    read_in = basis.via or basis.source
    found = dataset.snapshot_of(read_in) if read_in is not None else None
    if found is None:
        return
    holder, _ = found
    assert holder.snapshot is not None
    text = texts[holder.snapshot.file]
    if basis.quote is not None and normalise(basis.quote) not in text:
        yield error(
            document.path,
            document.position((*here, "quote")),
            "quote-not-in-snapshot",
            f"basis.{basis.field}.quote",
            f"the quote does not appear in the snapshot of {read_in} ({holder.snapshot.file})",
            "copy the words exactly as the source has them, typos and punctuation included; "
            "only line breaks and spacing may differ",
        )
    elif basis.quote is None and not basis.is_inferred:
        yield error(
            document.path,
            document.position((*here, "source")),
            "fact-basis-quote",
            f"basis.{basis.field}",
            f"the basis names {read_in}, whose text is on the record, but quotes none of it",
            "add `quote:` with the words of the source that state the fact, so that readers and the check can see them",
        )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    texts = {name: normalise(text) for name, text in dataset.snapshot_texts.items()}
    items: list[tuple[Source | Party | Claim, str]] = [(s, "source") for s in dataset.sources.values()]
    items += [(p, "party") for p in dataset.parties.values()]
    items += [(c, "claim") for c in dataset.claims.values()]  # a claim's date may have a basis
    for item, kind in items:
        for name in facts(item):
            value = _stated(item, name)
            if value is None or item.basis_of(name) is not None:
                continue
            if isinstance(item, Source) and _implicit(item, name, dataset):
                continue
            yield _missing(item.document, name, value, kind)
        for basis in item.basis:
            if _stated(item, basis.field) is None:
                said = "says is unknown" if basis.field in item.unknown else "does not state"
                yield error(
                    item.document.path,
                    item.document.position(("basis", basis.field)),
                    "fact-basis",
                    f"basis.{basis.field}",
                    f"a basis for the {kind}'s {LABELS.get(basis.field, basis.field)}, which this file {said}",
                    f"remove `basis: {basis.field}`, or state the {basis.field} it backs",
                )
                continue
            yield from _check_basis(item, basis, dataset, texts)
