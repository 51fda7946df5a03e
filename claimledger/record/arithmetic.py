"""Figure arithmetic: changes against a baseline, derived figures, conversions, and their rounding.

Everything here is exact decimal arithmetic on the figures as the data writes them, so that a
figure a text rounds (``1.49``, ``240000``, ``-42``) is compared with what it was computed from at
the precision the text uses, never at a float's last bit.

The vocabulary of formulas a derived figure may name (:data:`FORMULAS`), each over its operands in
order (the newer or the part first):

- ``percent-change`` (new, old): ``(new - old) / old × 100``, in percent: 240,000 against 180,000
  is +33.3 %.
- ``points`` (new, old): ``new - old``, in percentage points: a change between two percentages.
- ``ratio`` (a, b): ``a / b``, "a is N times b".
- ``share`` (part, whole): ``part / whole × 100``, in percent.
- ``difference`` (a, b): ``a - b``, in the operands' unit.

A change against a baseline is computed in the kind of unit that suits the figure
(:func:`change_kind`): percentage points between percentages, a percent change between counts,
rates and amounts, a ratio where the claim says so.

Every function here takes any finite figures the loader accepts, from about 5e-324 to 1.8e308 in
size, and never raises: each works at the precision its operands need, however far apart they are.
A change too large for any reader to use is for the checks to report (:func:`usable`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Literal

ChangeKind = Literal["points", "percent-change", "ratio"]

PERCENT_UNITS = frozenset({"percent", "percent-change"})


@dataclass(frozen=True)
class Formula:
    """One formula of the vocabulary."""

    name: str
    operands: tuple[str, str]  # what each operand is, in order
    result_unit: str | None  # the unit of the result (None: the operands' unit)
    description: str
    compute: Callable[[Decimal, Decimal], Decimal | None]  # None: undefined (a division by zero)


def _divide(a: Decimal, b: Decimal, scale: int = 1) -> Decimal | None:
    if b == 0:
        return None
    with localcontext() as context:
        context.prec = 34
        return a * scale / b


def _percent_change(new: Decimal, old: Decimal) -> Decimal | None:
    return _divide(new - old, old, 100)


FORMULAS: Mapping[str, Formula] = {
    formula.name: formula
    for formula in (
        Formula(
            "percent-change",
            ("new", "old"),
            "percent-change",
            "(new − old) / old × 100: a relative change, in percent",
            _percent_change,
        ),
        Formula(
            "points", ("new", "old"), "percentage-points", "new − old, between two percentages", lambda a, b: a - b
        ),
        Formula("ratio", ("a", "b"), "ratio", "a / b: “a is N times b”", _divide),
        Formula(
            "share",
            ("part", "whole"),
            "percent",
            "part / whole × 100: the part's share of the whole, in percent",
            lambda a, b: _divide(a, b, 100),
        ),
        Formula("difference", ("a", "b"), None, "a − b, in the operands' unit", lambda a, b: a - b),
    )
}
"""The formulas a derived figure may name."""


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
    """Enough significant digits to hold each of ``values``, and their sums and differences, exactly:
    from the highest digit of any to the lowest (at least the 60 that suit ordinary figures)."""
    highest = max(value.adjusted() for value in values)
    lowest = min(_exponent(value) for value in values)
    return max(60, highest - lowest + 2)


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # figures are finite (the loader refuses the rest)
    return exponent


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded to a multiple of ``step`` (half to even, as most style guides round)."""
    with localcontext() as context:
        context.prec = max(60, value.adjusted() - step.adjusted() + 2)
        return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) * step


def agrees(stated: float | int, computed: Decimal, step: Decimal | None = None) -> bool:
    """Whether ``stated`` is ``computed`` rounded to the stated figure's precision (``step``, or the
    unit of its last digit): it differs by at most half a step."""
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


def change_kind(unit: str | None, stated: ChangeKind | None = None) -> ChangeKind:
    """The kind of change between two figures in ``unit``: what the claim states, else percentage
    points between percentages, else a percent change."""
    if stated is not None:
        return stated
    return "points" if unit in PERCENT_UNITS else "percent-change"


CHANGE_DECIMALS: Mapping[ChangeKind, int] = {"points": 1, "percent-change": 1, "ratio": 1}
"""Places a computed change is shown to when no text states it: one, as in "+33.3 %"."""


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
        """The rounded change as a number, for exports and text."""
        return None if self.rounded is None else float(self.rounded)

    @property
    def unit(self) -> str:
        """The unit the change is in: ``percentage-points``, ``percent`` or ``times``."""
        return {"points": "percentage-points", "percent-change": "percent", "ratio": "times"}[self.kind]


def change(before: float | int, after: float | int, unit: str | None, kind: ChangeKind | None = None) -> ComputedChange:
    """The change from ``before`` to ``after`` (figures in ``unit``), in the kind that suits them."""
    chosen = change_kind(unit, kind)
    old, new = decimal(before), decimal(after)
    with localcontext() as context:
        context.prec = _digits(old, new)
        difference = new - old
    exact: Decimal | None
    if chosen == "points":
        exact = difference
    elif chosen == "percent-change":
        exact = _divide(difference, old, 100)
    else:
        exact = _divide(new, old)
    decimals = CHANGE_DECIMALS[chosen]
    if chosen == "points":
        decimals = max(decimals, _places(before), _places(after))
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


LARGEST_CHANGE = Decimal(2**53 - 1)
"""The largest change, in percent, points or times, that a reader can use: the largest whole number
JSON readers read exactly, as for the figures themselves. Figures further apart hold a mistake."""


def usable(change: ComputedChange) -> bool:
    """Whether ``change`` is one a reader can use: undefined (from zero), or within ±:data:`LARGEST_CHANGE`
    with a difference a double can hold."""
    if change.exact is not None and abs(change.exact) > LARGEST_CHANGE:
        return False
    return math.isfinite(float(change.difference))
