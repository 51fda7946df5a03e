"""Figure arithmetic: changes in the right kind of unit, derived figures, and the rounding texts use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claimledger import arithmetic

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
