"""The words in a source's own text (its byline, dateline, masthead) that state one of its facts.

A fact based on the source itself (``basis: {published: self}``) holds when its snapshot states it: the
date in a common written form (``2025-03-14``, ``14 March 2025``, ``March 14, 2025``, ``Mar 14, 2025``),
or the party's name or short name. The search folds white space and letter case, nothing more.
"""

from __future__ import annotations

from .model import MONTHS, PartialDate

# Facts a source's own text can state, and so a basis written `self` can back.
OWN_FACTS = ("author", "publisher", "published", "presented", "place")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def date_forms(date: PartialDate) -> tuple[str, ...]:
    """The common written forms of ``date``, the plainest first."""
    if date.month is None:
        return (str(date.year),)
    names = (MONTHS[date.month - 1], MONTHS[date.month - 1][:3])
    if date.day is None:
        return (str(date), *(f"{name} {date.year}" for name in names))
    forms = [str(date)]
    for name in names:
        for day in (str(date.day), _ordinal(date.day)):
            forms += [f"{day} {name} {date.year}", f"{name} {day}, {date.year}", f"{name} {day} {date.year}"]
    return tuple(forms)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def find(words: tuple[str, ...], text: str) -> str | None:
    """The first of ``words`` that ``text`` contains (white space and case folded), or ``None``."""
    folded = _fold(text)
    return next((w for w in words if _fold(w) and _fold(w) in folded), None)


def looked_for(words: tuple[str, ...]) -> str:
    """``words`` for a message: the first few, quoted."""
    shown = ", ".join(f'"{w}"' for w in words[:5])
    return shown + (f" (or {len(words) - 5} more forms)" if len(words) > 5 else "")


def own_bases(text: str, published: str | None, names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The facts of a new source that ``text`` (its own snapshot) states, each based on ``self``:
    ``published`` (as written in the file) by a written form of the date, and each other fact in
    ``names`` (``author``, ``publisher``: the party's names; ``place``) by one of its words."""
    found = {name: "self" for name, words in names.items() if name != "published" and find(words, text) is not None}
    try:
        date = PartialDate.parse(published) if published else None
    except ValueError:
        date = None
    if date is not None and find(date_forms(date), text) is not None:
        found = {"published": "self", **found}
    return found
