"""Figures as readers read them: units, qualifiers, changes against a baseline."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Claim

QUALIFIER_WORDS = {
    "exact": "",
    "about": "about",
    "nearly": "nearly",
    "more-than": "more than",
    "less-than": "less than",
}
MINUS = "\u2212"
NBSP = "\u00a0"  # between a number and its unit or %: the two never part at a line end


def number(value: float) -> str:
    """1910 → ``1,910``; 1.49 → ``1.49``; -42 → ``−42``."""
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    return text.replace("-", MINUS)


def _duration(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}{NBSP}h" if hours else "",
        f"{minutes}{NBSP}min" if minutes else "",
        f"{secs}{NBSP}s" if secs else "",
    ]
    return " ".join(p for p in parts if p) or f"0{NBSP}s"


def _scale_words(value: float) -> str:
    for size, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
        if abs(value) >= size and value % (size // 1000) == 0:
            return f"{number(value / size)}{NBSP}{word}"
    return ""


def amount(value: float, unit: str | None, counted: str | None = None) -> str:
    """A figure with its unit: ``97 %``, ``+17 %``, ``27 ×``, ``1.49 per 10,000 trades``, ``1,910 cases``.

    A no-break space joins each number to the word or sign after it.
    """
    if unit is None:
        return number(value)
    if unit == "percent":
        return f"{number(value)}{NBSP}%"
    if unit == "percent-change":
        return f"{'+' if value > 0 else ''}{number(value)}{NBSP}%"
    if unit == "ratio":
        return f"{number(value)}{NBSP}×"
    if unit == "per-10000":
        return f"{number(value)}{NBSP}per 10,000{NBSP + counted if counted else ''}"
    if unit == "count":
        words = _scale_words(value)
        base = words or number(value)
        return f"{base}{NBSP}{counted}" if counted else base
    if unit == "second":
        return f"{_duration(value)} ({number(value)}{NBSP}s)" if value >= 60 else f"{number(value)}{NBSP}s"
    if unit in ("day", "month"):
        word = unit if value == 1 else unit + "s"
        return f"{number(value)}{NBSP}{word}"
    words = _scale_words(value)
    return f"{number(value)}{NBSP}{unit}" + (f" ({words})" if words else "")


def qualified(value: float, unit: str | None, qualifier: str, counted: str | None = None) -> str:
    words = QUALIFIER_WORDS.get(qualifier, "")
    text = amount(value, unit, counted)
    return f"{words} {text}" if words else text


@dataclass(frozen=True)
class Change:
    """The figure against its baseline, computed."""

    before: float
    after: float
    before_label: str
    after_label: str
    difference: str
    relative: str | None


def change(claim: Claim) -> Change | None:
    if claim.value is None or claim.baseline is None:
        return None
    before, after = claim.baseline.value, claim.value
    diff = after - before
    unit = claim.unit
    if unit in ("percent", "percent-change"):
        difference = f"{'+' if diff > 0 else ''}{number(round(diff, 6))}{NBSP}percentage points"
    else:
        difference = ("+" if diff > 0 else "") + amount(round(diff, 6), unit, claim.counted)
    relative = None
    if before != 0 and unit not in ("percent", "percent-change"):
        pct = diff / before * 100
        relative = f"{'+' if pct > 0 else ''}{number(round(pct, 1))}{NBSP}%"
    period = claim.period.human() if claim.period else "claimed"
    return Change(before, after, claim.baseline.period.human(), period, difference, relative)
