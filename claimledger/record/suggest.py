"""Did-you-mean suggestions that only ever point at what was probably meant: never at a word that is
the other with a negating prefix added or taken away (``verified`` is two letters from ``unverified``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Prefixes that turn a word into its opposite (or into something else): "verified" / "unverified".
NEGATIONS = ("un", "non-", "non", "not-", "in", "im", "ir", "il", "dis", "mis", "anti-", "anti", "counter-")


def _negation_of(one: str, other: str) -> bool:
    """Whether ``one`` is ``other`` with a negating prefix added or taken away."""
    one, other = one.lower(), other.lower()
    return any(one == prefix + other or other == prefix + one for prefix in NEGATIONS)


def _edits(one: str, other: str) -> int:
    """The Damerau-Levenshtein distance (insertions, deletions, substitutions, swaps of neighbours)."""
    rows = [list(range(len(other) + 1))]
    for i, a in enumerate(one, 1):
        row = [i]
        for j, b in enumerate(other, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == other[j - 2] and one[i - 2] == b:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def close_match(value: str, choices: Iterable[str], *, typo_only: bool = False) -> str | None:
    """The choice ``value`` was probably meant to be; None when none is likely. ``typo_only``: only a choice
    at most two typing mistakes away (for words such as statuses, where a similar word means something else)."""
    options = [choice for choice in choices if not _negation_of(value, choice)]
    if typo_only:
        options = [choice for choice in options if _edits(value.lower(), choice.lower()) <= 2]
    close = difflib.get_close_matches(value, options, n=1)
    return close[0] if close else None
