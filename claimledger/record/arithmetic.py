"""Figure arithmetic: changes against a baseline, derived figures (:data:`FORMULAS`), and their rounding.

All of it is exact decimal arithmetic on the figures as the data writes them, so that a figure a text
rounds (``1.49``, ``240000``, ``-42``) is compared at the precision the text uses, never at a float's last
bit. Every function takes any finite figure the loader accepts (about 5e-324 to 1.8e308) and never raises,
working at the precision its operands need; a change too large to use is for the checks (:func:`usable`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from .model import ChangeKind

PERCENT_UNITS = frozenset({"percent", "percent-change"})


@dataclass(frozen=True)
class Formula:
    """One formula a derived figure may name, over its operands in order (the newer or the part first)."""

    name: str
    operands: tuple[str, str]  # what each operand is, in order
    description: str
    compute: Callable[[Decimal, Decimal], Decimal | None]  # None: undefined (a division by zero)


def _divide(a: Decimal, b: Decimal, scale: int = 1) -> Decimal | None:
    if b == 0:
        return None
    with localcontext() as context:
        context.prec = 34
        return a * scale / b


FORMULAS: Mapping[str, Formula] = {
    formula.name: formula
    for formula in (
        Formula(
            "percent-change",
            ("new", "old"),
            "(new − old) / old × 100: a relative change, in percent",
            lambda a, b: _divide(a - b, b, 100),
        ),
        Formula("points", ("new", "old"), "new − old, between two percentages", lambda a, b: a - b),
        Formula("ratio", ("a", "b"), "a / b: “a is N times b”", _divide),
        Formula(
            "share",
            ("part", "whole"),
            "part / whole × 100: the part's share of the whole, in percent",
            lambda a, b: _divide(a, b, 100),
        ),
        Formula("difference", ("a", "b"), "a − b, in the operands' unit", lambda a, b: a - b),
    )
}


def decimal(value: float | int) -> Decimal:
    """A figure as the data writes it: ``1.49`` is 1.49, not the nearest double."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def resolution(value: float | int) -> Decimal:
    """The unit of the last digit a figure states: ``1.49`` → 0.01, ``-42`` → 1, ``240000`` → 10,000.

    Trailing zeros of a whole number are taken as rounding ("240,000 stores", "€54 million"); a
    figure that states them exactly can say so with an explicit precision."""
    return Decimal(1).scaleb(_exponent(decimal(value).normalize()))


def precision_resolution(decimals: int) -> Decimal:
    """The resolution of a figure given to ``decimals`` places (negative: tens, hundreds…)."""
    return Decimal(1).scaleb(-decimals)


def _digits(*values: Decimal) -> int:
    """Enough significant digits (at least 60) to hold ``values``, their sums and differences, exactly."""
    highest = max(value.adjusted() for value in values)
    lowest = min(_exponent(value) for value in values)
    return max(60, highest - lowest + 2)


def _exponent(value: Decimal) -> int:
    return int(value.as_tuple().exponent)  # figures are finite (the loader refuses the rest)


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded to a multiple of ``step`` (half to even, as most style guides round)."""
    with localcontext() as context:
        context.prec = max(60, value.adjusted() - step.adjusted() + 2)
        return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) * step


def agrees(stated: float | int, computed: Decimal, step: Decimal | None = None) -> bool:
    """Whether ``stated`` is within half a ``step`` (default: the unit of its last digit) of ``computed``."""
    step = resolution(stated) if step is None else step
    given = decimal(stated)
    with localcontext() as context:
        context.prec = _digits(given, computed, step)
        return abs(given - computed) <= step / 2


def compute(formula: str, operands: Sequence[float | int]) -> Decimal | None:
    """``formula`` over ``operands`` (two), exactly; None if it is undefined (a division by zero)."""
    a, b = (decimal(o) for o in operands)
    try:
        return FORMULAS[formula].compute(a, b)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class ComputedChange:
    """A figure against its baseline, computed exactly and then rounded."""

    kind: ChangeKind
    exact: Decimal | None  # None where it is undefined: a percent change or a ratio from zero
    rounded: Decimal | None
    decimals: int
    difference: Decimal  # after − before, in the figures' unit

    @property
    def value(self) -> float | None:
        return None if self.rounded is None else float(self.rounded)

    @property
    def unit(self) -> str:
        return {"points": "percentage-points", "percent-change": "percent", "ratio": "times"}[self.kind]


def change(before: float | int, after: float | int, unit: str | None, kind: ChangeKind | None = None) -> ComputedChange:
    """The change from ``before`` to ``after`` (figures in ``unit``): of the ``kind`` the claim states, else
    percentage points between percentages, else a percent change."""
    chosen: ChangeKind = kind or ("points" if unit in PERCENT_UNITS else "percent-change")
    old, new = decimal(before), decimal(after)
    with localcontext() as context:
        context.prec = _digits(old, new)
        difference = new - old
        exact = FORMULAS[chosen].compute(new, old)
    # Shown to one place ("+33.3 %") when no text states it; points to the places of their figures.
    decimals = max(1, _places(before), _places(after)) if chosen == "points" else 1
    rounded = None if exact is None else round_to(exact, precision_resolution(decimals))
    return ComputedChange(chosen, exact, None if rounded is None else _plain(rounded), decimals, _plain(difference))


def _places(value: float | int) -> int:
    return max(0, -_exponent(decimal(value)))


def _plain(value: Decimal) -> Decimal:
    """A normalised decimal without an exponent form (``6E+4`` → ``60000``)."""
    with localcontext() as context:
        context.prec = max(60, len(value.as_tuple().digits), value.adjusted() + 2)
        value = value.normalize()
        return value.quantize(Decimal(1)) if _exponent(value) > 0 else value


# The largest change (percent, points or times) a reader can use: the largest whole number JSON readers
# read exactly, as for the figures themselves. Figures further apart hold a mistake.
LARGEST_CHANGE = Decimal(2**53 - 1)


def usable(change: ComputedChange) -> bool:
    """Whether ``change`` is undefined (from zero), or within ±LARGEST_CHANGE with a difference a double holds."""
    if change.exact is not None and abs(change.exact) > LARGEST_CHANGE:
        return False
    return math.isfinite(float(change.difference))
