"""Every quote must appear word for word in its source's snapshot, where there is one."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Callable, Iterator

from ..findings import Finding
from ..record.layout import DATA_DIR
from ..record.model import Claim, Dataset
from ..record.yamlsafe import FieldPath
from .references import report


def normalise(text: str) -> str:
    """Fold every run of white space to one space, so line wrapping in YAML does not matter."""
    return " ".join(text.split())


SnapshotReader = Callable[[str], "tuple[str, str] | None"]


def snapshots(dataset: Dataset) -> SnapshotReader:
    """A reader of the snapshot file that holds a source's text and that text normalised; None if there is none."""

    @functools.cache
    def text(file: str) -> str:
        return normalise(dataset.snapshot_texts[file])

    @functools.cache
    def read(source_id: str) -> tuple[str, str] | None:
        found = dataset.snapshot_of(source_id)
        if found is None or found[0].snapshot is None:
            return None
        return found[0].snapshot.file, text(found[0].snapshot.file)

    return read


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    read = snapshots(dataset)
    for claim in dataset.claims.values():
        for path, source_id, quote in claim_quotes(claim):
            found = read(source_id) if quote is not None and source_id is not None else None
            if found is None or quote is None:
                continue
            file, text = found
            wanted = normalise(quote)
            if wanted in text:
                continue
            marks = marks_differ(wanted, text)
            if marks is not None:
                yield report(
                    claim.document,
                    path,
                    "quote-not-in-snapshot",
                    f"the quote differs from the snapshot of {source_id} ({DATA_DIR}/{file}) only in its "
                    f"quotation marks, apostrophes or dashes ({marks[0]} against {marks[1]})",
                    marks[2] + "type each mark as the snapshot has it, straight or curly, hyphen or dash",
                )
            else:
                yield report(
                    claim.document,
                    path,
                    "quote-not-in-snapshot",
                    f"the quote does not appear in the snapshot of {source_id} ({DATA_DIR}/{file})",
                    closest_passage(wanted, text) + "copy the words exactly as the source has them, typos and "
                    "punctuation included; only line breaks and spacing may differ",
                )


# Straight and curly quotes and apostrophes, hyphens and dashes: marks that look alike, each folded to the plain one.
_ALIKE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


def marks_differ(quote: str, text: str) -> tuple[str, str, str] | None:
    """If the (normalised) ``quote`` is in ``text`` but for marks that look alike: the quote's first such mark, the
    snapshot's mark in its place, and both passages with that place marked; ``None`` otherwise."""
    at = text.translate(_ALIKE).find(quote.translate(_ALIKE))  # one character for one: the places match
    if at < 0:
        return None
    differs = next(i for i, (ours, theirs) in enumerate(zip(quote, text[at:], strict=False)) if ours != theirs)
    where = f"snapshot: “{_around(text, at + differs)}”, quote: “{_around(quote, differs)}”; "
    return quote[differs], text[at + differs], where


MARK = "\u25b6"  # ▶, where the quote and the snapshot part
_SHOWN = 60  # characters of context shown on each side of the difference


def closest_passage(quote: str, text: str) -> str:
    """Where in ``text`` the (normalised) ``quote`` comes closest, with its first difference marked; an empty
    string if no passage is close at all."""
    # The longest start of the quote found in the text (a longer start is found only if a shorter one is).
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low >= min(12, len(quote) // 2):
        at = text.find(quote[:low]) + low
        return (
            f"the snapshot has the quote's start but then differs (at {MARK}): "
            f"snapshot: “{_around(text, at)}”, quote: “{_around(quote, low)}”; "
        )
    match = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(0, len(text), 0, len(quote))
    if match.size < 12:
        return ""
    start = max(0, match.a - match.b)
    return f"the closest passage in the snapshot: “{_cut(text, start, start + len(quote) + 20)}”; "


def _around(text: str, at: int) -> str:
    """The text on both sides of ``at``, which is marked."""
    return _cut(text[:at] + MARK + text[at:], at - _SHOWN, at + _SHOWN + 1)


def _cut(text: str, start: int, end: int) -> str:
    """``text[start:end]``, with an ellipsis on each side where text was left out."""
    start, end = max(0, start), min(len(text), end)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def claim_quotes(claim: Claim) -> Iterator[tuple[FieldPath, str | None, str | None]]:
    """Each quote of a claim: its field, the source whose snapshot holds it and the quote (the site shows each in
    its passage of that snapshot: :mod:`claimledger.site.passages`)."""
    first_read = claim.appearances[0].source if claim.appearances else None
    yield ("quote",), first_read, claim.quote
    for i, appearance in enumerate(claim.appearances):
        yield ("appearances", i, "quote"), appearance.source, appearance.quote
    for i, rebuttal in enumerate(claim.rebuttals):
        yield ("rebuttals", i, "quote"), rebuttal.via or rebuttal.source, rebuttal.quote
    for i, conversion in enumerate(claim.conversions):
        yield ("conversions", i, "quote"), conversion.source, conversion.quote
    if claim.baseline is not None and claim.appearances:
        yield ("baseline", "quote"), claim.appearances[0].source, claim.baseline.quote
