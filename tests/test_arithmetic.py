"""Figure arithmetic: changes in the right kind of unit, derived figures, and the rounding texts use."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claimledger.record import arithmetic

from .conftest import examples

# Figures as data files write them: whole numbers, and decimals of up to three places.
whole = st.integers(min_value=1, max_value=10**12)
decimals = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3).map(float)
figures = whole | decimals
shares = st.decimals(min_value=0, max_value=100, places=2).map(float)


def test_240000_stores_against_180000_is_a_rise_of_a_third() -> None:
    change = arithmetic.change(180000, 240000, "count")
    assert (change.kind, change.value, change.unit) == ("percent-change", 33.3, "percent")
    assert change.difference == 60000


def test_1_49_against_2_1_per_10000_trades_is_a_fall_of_29_percent() -> None:
    change = arithmetic.change(2.1, 1.49, "per-10000")
    assert (change.kind, change.value) == ("percent-change", -29.0)
    assert change.difference == Decimal("-0.61")  # exactly, not 1.49 - 2.1 in floating point


def test_a_change_between_percentages_is_in_percentage_points() -> None:
    change = arithmetic.change(90, 97, "percent")
    assert (change.kind, change.value, change.unit) == ("points", 7.0, "percentage-points")


def test_a_change_the_text_gives_in_times_is_a_ratio() -> None:
    change = arithmetic.change(100, 2700, "count", "ratio")
    assert (change.kind, change.value, change.unit) == ("ratio", 27.0, "times")


def test_a_percent_change_from_zero_is_undefined_not_infinite() -> None:
    change = arithmetic.change(0, 5, "count")
    assert change.value is None and change.difference == 5


@pytest.mark.parametrize(
    ("value", "step"),
    [(1.49, "0.01"), (-42, "1"), (240000, "1E+4"), (54000000, "1E+6"), (0.5, "0.1"), (3735, "1")],
)
def test_a_figure_is_stated_to_its_last_digit(value: float, step: str) -> None:
    assert arithmetic.resolution(value) == Decimal(step)


@settings(max_examples=examples(200))
@given(before=figures, after=figures)
@example(before=180000, after=240000)
@example(before=2.1, after=1.49)
def test_a_percent_change_applied_to_the_baseline_gives_back_the_figure(before: float, after: float) -> None:
    change = arithmetic.change(before, after, "count")
    assert change.exact is not None
    assert arithmetic.decimal(before) * (1 + change.exact / 100) == pytest.approx(arithmetic.decimal(after))
    assert change.rounded is not None and abs(change.exact - change.rounded) <= Decimal("0.05")


@settings(max_examples=examples(200))
@given(before=shares, after=shares)
def test_points_between_shares_are_their_exact_difference(before: float, after: float) -> None:
    change = arithmetic.change(before, after, "percent")
    assert change.kind == "points"
    assert change.exact == arithmetic.decimal(after) - arithmetic.decimal(before)
    assert change.rounded == change.exact  # shares of two places are exact at their own places


@settings(max_examples=examples(200))
@given(a=figures, b=figures)
def test_a_ratio_times_its_denominator_is_its_numerator(a: float, b: float) -> None:
    ratio = arithmetic.compute("ratio", [a, b])
    assert ratio is not None
    assert ratio * arithmetic.decimal(b) == pytest.approx(arithmetic.decimal(a), rel=Decimal("1e-25"))


@settings(max_examples=examples(200))
@given(part=figures, whole=figures)
def test_a_share_is_the_ratio_in_percent(part: float, whole: float) -> None:
    share, ratio = arithmetic.compute("share", [part, whole]), arithmetic.compute("ratio", [part, whole])
    assert share is not None and ratio is not None
    assert share == pytest.approx(ratio * 100, rel=Decimal("1e-30"))


@settings(max_examples=examples(200))
@given(value=st.decimals(min_value=-(10**6), max_value=10**6, places=6), places=st.integers(min_value=-3, max_value=4))
def test_a_figure_rounded_as_stated_agrees_with_what_it_was_computed_from(value: Decimal, places: int) -> None:
    step = arithmetic.precision_resolution(places)
    stated = arithmetic.round_to(value, step)
    assert arithmetic.agrees(float(stated), value, step)
    assert not arithmetic.agrees(float(stated + step), value, step)  # one step off is a mismatch


@settings(max_examples=examples(100))
@given(new=figures, old=figures)
def test_a_percent_change_stated_to_a_decimal_place_is_checked_at_that_place(new: float, old: float) -> None:
    exact = arithmetic.compute("percent-change", [new, old])
    assert exact is not None
    stated = float(arithmetic.round_to(exact, Decimal("0.1")))
    assert arithmetic.agrees(stated, exact, Decimal("0.1"))
    assert not arithmetic.agrees(round(stated + 0.2, 1), exact, Decimal("0.1"))


# -- extreme figures ------------------------------------------------------------------------------

# Every figure the loader accepts: any finite double (subnormals such as 5e-324 included) and whole
# numbers within ±(2^53 - 1); with the extremes drawn often, and the pairs that crashed once.
EDGES = (5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 1e-20, 1e20, 0.0)
extreme = (
    st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
    | st.sampled_from(EDGES)
)
UNITS = st.sampled_from([None, "count", "percent", "percent-change", "per-10000", "CNY"])
KINDS = st.sampled_from([None, "points", "percent-change", "ratio"])


@settings(max_examples=examples(300))
@given(formula=st.sampled_from(sorted(arithmetic.FORMULAS)), a=extreme, b=extreme, stated=extreme)
@example(formula="ratio", a=1e20, b=1e-20, stated=1e40)
@example(formula="ratio", a=1e300, b=1e-300, stated=5)
@example(formula="percent-change", a=1.7976931348623157e308, b=5e-324, stated=0.0)
@example(formula="difference", a=1.7976931348623157e308, b=-1.7976931348623157e308, stated=1e308)
def test_a_formula_over_any_figures_gives_a_finite_result_or_none_and_never_raises(
    formula: str, a: float, b: float, stated: float
) -> None:
    computed = arithmetic.compute(formula, [a, b])
    if computed is None:
        assert arithmetic.decimal(b) == 0 and formula in ("percent-change", "ratio", "share")
        return
    assert computed.is_finite()
    arithmetic.agrees(stated, computed)  # a bool, whatever the sizes
    for places in (-15, 0, 15):
        step = arithmetic.precision_resolution(places)
        assert arithmetic.agrees(float(stated), arithmetic.decimal(stated), step)
        assert arithmetic.round_to(computed, step).is_finite()


@settings(max_examples=examples(300))
@given(before=extreme, after=extreme, unit=UNITS, kind=KINDS)
@example(before=1e-20, after=1e20, unit="count", kind=None)
@example(before=5e-324, after=1.7976931348623157e308, unit="count", kind="ratio")
@example(before=-1.7976931348623157e308, after=1.7976931348623157e308, unit="percent", kind=None)
@example(before=1e-300, after=1e300, unit="percent", kind=None)
def test_a_change_between_any_figures_is_computed_or_undefined_and_never_raises(
    before: float, after: float, unit: str | None, kind: arithmetic.ChangeKind | None
) -> None:
    change = arithmetic.change(before, after, unit, kind)
    assert change.difference.is_finite()
    assert (change.exact is None) == (change.rounded is None)
    if change.exact is not None:
        assert change.exact.is_finite() and change.rounded is not None
        assert abs(change.exact - change.rounded) <= arithmetic.precision_resolution(change.decimals)
    if arithmetic.usable(change):
        assert change.value is None or math.isfinite(change.value)
        assert change.value is None or abs(change.value) <= 2**53


def test_a_change_of_1e42_percent_is_not_usable_and_33_percent_is() -> None:
    assert not arithmetic.usable(arithmetic.change(1e-20, 1e20, "count"))
    assert arithmetic.usable(arithmetic.change(180000, 240000, "count"))
    assert arithmetic.usable(arithmetic.change(0, 5, "count"))  # undefined, and said so
