"""Figures as readers read them: units, qualifiers, changes against a baseline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..record import arithmetic
from ..record.model import Claim, Conversion, Metric, Period, Rate

QUALIFIER_WORDS = {
    "exact": "",
    "about": "about",
    "nearly": "nearly",
    "more-than": "more than",
    "less-than": "less than",
}
MINUS = "\u2212"
NBSP = "\u00a0"  # between a number and its unit or %: the two never part at a line end
_UNIT_SIGNS = {"percent": "%", "percent-change": "%", "ratio": "×", "second": "s", "per-10000": "per 10,000"}


def number(value: float) -> str:
    """1910 → ``1,910``; 1.49 → ``1.49``; -42 → ``−42``; 1e40 as written, not as the nearest double."""
    if float(value).is_integer():
        text = f"{int(value):,}" if abs(value) <= 2**53 else f"{arithmetic.decimal(value):,f}"
    else:
        text = f"{value:,}"
    return text.replace("-", MINUS)


def _signed(value: float) -> str:
    return f"{'+' if value > 0 else ''}{number(value)}"


def _duration(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    parts = zip((hours, *divmod(rest, 60)), ("h", "min", "s"), strict=True)
    return " ".join(f"{count}{NBSP}{unit}" for count, unit in parts if count) or f"0{NBSP}s"


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
    if unit == "count":
        base = _scale_words(value) or number(value)
        return f"{base}{NBSP}{counted}" if counted else base
    if unit == "second" and value >= 60:
        return f"{_duration(value)} ({number(value)}{NBSP}s)"
    text = _signed(value) if unit == "percent-change" else number(value)
    if unit in ("day", "month"):
        return f"{text}{NBSP}{unit}{'' if value == 1 else 's'}"
    if unit not in _UNIT_SIGNS:
        words = _scale_words(value)
        return f"{text}{NBSP}{unit}" + (f" ({words})" if words else "")
    return f"{text}{NBSP}{_UNIT_SIGNS[unit]}" + (f"{NBSP}{counted}" if counted and unit == "per-10000" else "")


def qualified(value: float, unit: str | None, qualifier: str, counted: str | None = None) -> str:
    words = QUALIFIER_WORDS.get(qualifier, "")
    text = amount(value, unit, counted)
    return f"{words} {text}" if words else text


def figure(claim: Claim) -> str:
    """A claim's figure with its qualifier and unit; "" if it states none."""
    return "" if claim.value is None else qualified(claim.value, claim.unit, claim.qualifier, claim.counted)


@dataclass(frozen=True)
class Change:
    """The figure against its baseline, computed (by :func:`claimledger.record.arithmetic.change`)."""

    before: float
    after: float
    before_label: str
    after_label: str
    difference: str
    relative: str | None


def change_text(computed: arithmetic.ComputedChange) -> str:
    """The computed change as a reader reads it: ``+33.3 %``, ``+7 percentage points``, ``1.3 times``."""
    if computed.value is None:
        return "not computable (the baseline is zero)"
    if computed.kind == "points":
        return f"{_signed(computed.value)}{NBSP}percentage points"
    if computed.kind == "ratio":
        return f"{number(computed.value)}{NBSP}times the baseline"
    return f"{_signed(computed.value)}{NBSP}%"


def change(claim: Claim) -> Change | None:
    if claim.value is None or claim.baseline is None:
        return None
    computed = arithmetic.change(claim.baseline.value, claim.value, claim.unit, claim.baseline.change)
    if computed.kind == "points":
        difference, relative = change_text(computed), None
    else:
        diff = float(computed.difference)
        difference = ("+" if diff > 0 else "") + amount(round(diff, 6), claim.unit, claim.counted)
        relative = change_text(computed) if computed.value is not None else None
    period = claim.period.human() if claim.period else "claimed"
    return Change(claim.baseline.value, claim.value, claim.baseline.period.human(), period, difference, relative)


@dataclass(frozen=True)
class SeriesPoint:
    """One value of a metric: the figure for a period, and the claim that states it."""

    period: Period
    value: float
    claim: Claim
    as_baseline: bool  # the figure is the claim's baseline, not its own value


def metric_series(metric: Metric, claims: Iterable[Claim]) -> list[SeriesPoint]:
    """Every figure stated of ``metric``, oldest period first: each claim's value, and its baseline
    where the baseline is a value of the same metric. A period stated twice keeps each statement."""
    points: list[SeriesPoint] = []
    for claim in claims:
        if claim.metric != metric.id or claim.value is None:
            continue
        if claim.period is not None:
            points.append(SeriesPoint(claim.period, claim.value, claim, False))
        baseline = claim.baseline
        if baseline is not None and baseline.metric in (None, metric.id):
            points.append(SeriesPoint(baseline.period, baseline.value, claim, True))
    return sorted(points, key=lambda p: (p.period.start, p.as_baseline, p.claim.id))


def rate_text(claim: Claim, conversion: Conversion) -> str:
    """A conversion's recorded rate: ``0.1256 EUR per CNY of 10 January 2018``; "" where none is on record."""
    rate = conversion.rate
    if not isinstance(rate, Rate):
        return ""
    when = f" of {rate.date.human()}" if rate.date else ""
    return f"{number(rate.value)}{NBSP}{conversion.unit} per {claim.unit}{when}"


def conversion_check(claim: Claim, conversion: Conversion) -> str:
    rate = conversion.rate
    if isinstance(rate, Rate) and claim.value is not None:
        computed = float(arithmetic.decimal(claim.value) * arithmetic.decimal(rate.value))
        when = f" of {rate.date.human()}" if rate.date else ""
        return f"Checked: at the rate{when} of {number(rate.value)}, the figure is {number(round(computed, 6))}."
    return "Unchecked: no exchange rate is on record for this conversion."


def derivation_text(claim: Claim, claims: Mapping[str, Claim]) -> str:
    """A derived figure's formula and operands, recomputed: ``percent-change of 240,000 and 180,000 =
    33.33…, stated as 33 % (agrees to the stated precision)``; empty if the claim states no derivation."""
    derivation = claim.derivation
    if derivation is None or claim.value is None:
        return ""
    values: list[float] = []
    for operand in derivation.operands:
        value = operand.value if operand.claim is None else getattr(claims.get(operand.claim), "value", None)
        if value is None:
            return f"{derivation.formula} of figures not all on record: not recomputed."
        values.append(value)
    computed = arithmetic.compute(derivation.formula, values)
    operands = " and ".join(number(v) for v in values)
    if computed is None:
        return f"{derivation.formula} of {operands} cannot be computed."
    step = None if derivation.precision is None else arithmetic.precision_resolution(derivation.precision)
    verdict = "agrees" if arithmetic.agrees(claim.value, computed, step) else "does not agree"
    exact = number(float(arithmetic.round_to(computed, Decimal("0.0001"))))
    return (
        f"{derivation.formula} of {operands} is {exact}; stated as {amount(claim.value, claim.unit, claim.counted)}"
        f" ({verdict} to the stated precision)."
    )


def attribution(claim: Claim, claimant: str) -> str:
    """Who made ``claim`` and when: "Alibaba Group, 10 January 2018"; "date unknown" where the record does
    not know the date, "(inferred)" after a date no source states."""
    basis = claim.basis_of("date")
    inferred = " (inferred)" if claim.date and basis and basis.is_inferred else ""
    return f"{claimant}, {claim.date.human() if claim.date else 'date unknown'}{inferred}"
