"""Checks on figures: derived figures recomputed, conversions' rates, metrics and their comparisons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from claimledger.cli import main
from claimledger.findings import Severity

from .conftest import examples
from .test_arithmetic import extreme
from .test_checks import NEW_CLAIM, check, line_of, with_rule, write, write_claim

STORES = "period: 2017\nvalue: 240000\nunit: count\ncounted: stores\n"
METRIC = (
    "title: Stores closed\ncounts: Stores closed, as the report says\ncounted_by: widgets-inc\n"
    "period: unknown\nsources: [widget-report]\n"
)


def write_metric(root: Path, metric_id: str, text: str = METRIC) -> None:
    write(root, f"claims/metrics/{metric_id}.yaml", text)


def write_figure(root: Path, claim_id: str, value: str, metric: str | None = None) -> None:
    """Another claim, stating ``value`` stores closed (of ``metric``, if given)."""
    text = (
        "statement: Stores closed.\nquote: Widget defects fell by 12% in 2020\nclaimant: widgets-inc\n"
        f"date: 2021-01-15\nperiod: 2016\nvalue: {value}\nunit: count\ncounted: stores\n"
        + (f"metric: {metric}\n" if metric else "")
        + "first_appearance: widget-report\nappearances:\n  - source: widget-post\n"
        "    quote: Widget defects fell by 12% in 2020\nstatus: unverified\nrationale: Test.\n"
    )
    write(root, f"claims/claims/{claim_id}.yaml", text)


def derivation(value: str, *operands: str, precision: int | None = None) -> str:
    text = f"value: {value}\nunit: percent-change\nderivation:\n  formula: percent-change\n  from:\n"
    text += "".join(f"    - {operand}\n" for operand in operands)
    return text + (f"  precision: {precision}\n" if precision is not None else "")


def test_a_derived_figure_that_matches_its_operands_to_its_precision_passes(minimal_project: Path) -> None:
    write_figure(minimal_project, "stores-2016", "180000")
    write_figure(minimal_project, "stores-2017", "240000")
    write_claim(minimal_project, extra=derivation("33", "{claim: stores-2017}", "{claim: stores-2016}"))

    assert with_rule(check(minimal_project), "derived-figure") == []


def test_a_derived_figure_off_by_more_than_its_precision_names_both_numbers(minimal_project: Path) -> None:
    write_figure(minimal_project, "stores-2016", "180000")
    write_figure(minimal_project, "stores-2017", "240000")
    write_claim(minimal_project, extra=derivation("35", "{claim: stores-2017}", "{claim: stores-2016}"))

    (finding,) = with_rule(check(minimal_project), "derived-figure")
    assert (finding.path, finding.line, finding.field) == (
        NEW_CLAIM,
        line_of(minimal_project, NEW_CLAIM, "value:"),
        "value",
    )
    assert "35" in finding.message and "33.33" in finding.message and finding.hint


def test_a_stated_precision_is_how_closely_the_figure_must_match(minimal_project: Path) -> None:
    operands = ("{value: 240000}", "{value: 180000}")
    write_claim(minimal_project, extra=derivation("33.3", *operands, precision=1))
    assert with_rule(check(minimal_project), "derived-figure") == []

    write_claim(minimal_project, extra=derivation("33.4", *operands, precision=1))
    assert len(with_rule(check(minimal_project), "derived-figure")) == 1


def test_a_derivation_from_an_unknown_claim_is_a_reference_error(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=derivation("33", "{claim: no-such-claim}", "{value: 180000}"))

    (finding,) = with_rule(check(minimal_project), "ref-claim")
    assert finding.field == "derivation.from[0].claim"


def test_a_division_by_zero_is_a_finding_not_a_crash(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=derivation("33", "{value: 240000}", "{value: 0}"))

    (finding,) = with_rule(check(minimal_project), "derived-figure")
    assert "division by zero" in finding.message


def conversion(rate: str | None) -> str:
    text = (
        "value: 430000000\nunit: CNY\nconversions:\n  - value: 54000000\n    unit: EUR\n    by: reader\n"
        "    source: widget-comment\n"
    )
    return text + (f"    rate: {rate}\n" if rate else "")


def test_a_conversion_at_a_recorded_rate_is_checked(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=conversion("{value: 0.1256, source: widget-report, date: 2018-01-10}"))
    assert [f for f in check(minimal_project) if f.severity is Severity.ERROR] == []

    write_claim(minimal_project, extra=conversion("{value: 0.15, source: widget-report, date: 2018-01-10}"))
    (finding,) = with_rule(check(minimal_project), "derived-figure")
    assert finding.field == "conversions[0].value" and "64500000" in finding.message


def test_a_conversion_with_no_rate_on_record_says_so_and_is_not_checked(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=conversion("unknown"))
    assert with_rule(check(minimal_project), "conversion-rate") == []


def test_a_conversion_silent_about_its_rate_is_a_warning(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=conversion(None))

    (finding,) = with_rule(check(minimal_project), "conversion-rate")
    assert finding.severity is Severity.WARNING and "unknown" in finding.hint


def test_a_bare_number_is_not_a_rate_the_rate_says_where_it_was_read(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=conversion("0.1256"))

    (finding,) = with_rule(check(minimal_project), "schema")
    assert finding.field == "conversions[0].rate"


def test_a_rate_its_day_in_the_future_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=conversion("{value: 0.1256, source: widget-report, date: 2999-01-01}"))

    assert [f.field for f in check(minimal_project) if f.severity is Severity.ERROR] == ["conversions[0].rate.date"]


def test_a_rate_from_an_unknown_source_is_a_reference_error(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=conversion("{value: 0.1256, source: nowhere, date: 2018-01-10}"))

    (finding,) = with_rule(check(minimal_project), "ref-source")
    assert finding.field == "conversions[0].rate.source"


def test_a_metric_and_its_claims_check_cleanly(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed")
    write_claim(minimal_project, extra=STORES + "metric: stores-closed\n")

    assert check(minimal_project) == []


def test_a_metric_says_unknown_where_its_sources_are_silent(minimal_project: Path) -> None:
    write_metric(
        minimal_project,
        "stores-closed",
        "title: Stores\ncounts: unknown\ncounted_by: unknown\nperiod: unknown\nsources: []\n",
    )

    assert check(minimal_project) == []


def test_an_unknown_metric_is_a_reference_error(minimal_project: Path) -> None:
    write_claim(minimal_project, extra=STORES + "metric: stores-closd\n")
    write_metric(minimal_project, "stores-closed")

    (finding,) = with_rule(check(minimal_project), "ref-metric")
    assert finding.field == "metric" and "stores-closed" in finding.hint


def test_a_baseline_of_a_metric_defined_otherwise_is_a_warning(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed")
    write_metric(minimal_project, "stores-suspended")
    baseline = "baseline:\n  value: 180000\n  period: 2016\n  metric: stores-suspended\n"
    write_claim(minimal_project, extra=STORES + "metric: stores-closed\n" + baseline)

    (finding,) = with_rule(check(minimal_project), "metric-definition")
    assert finding.severity is Severity.WARNING and finding.field == "baseline.metric"


def test_a_derivation_across_metrics_defined_otherwise_is_a_warning(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed")
    write_metric(minimal_project, "stores-suspended")
    write_figure(minimal_project, "stores-2016", "180000", metric="stores-suspended")
    write_figure(minimal_project, "stores-2017", "240000", metric="stores-closed")
    extra = derivation("33", "{claim: stores-2017}", "{claim: stores-2016}") + "metric: stores-closed\n"
    write_claim(minimal_project, extra=extra)

    (finding,) = with_rule(check(minimal_project), "metric-definition")
    assert "stores-suspended" in finding.message


def test_a_metrics_notes_follow_the_markdown_rules(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed", METRIC + "notes: See <script>alert(1)</script>.\n")

    (finding,) = with_rule(check(minimal_project), "markdown-html")
    assert finding.path == "claims/metrics/stores-closed.yaml" and finding.field == "notes"


def test_new_metric_writes_a_file_that_says_unknown_until_the_sources_are_read(minimal_project: Path) -> None:
    from claimledger.cli import main

    assert main(["new", "metric", "stores-closed", "--root", str(minimal_project), "--title", "Stores closed"]) == 0

    text = (minimal_project / "claims/metrics/stores-closed.yaml").read_text(encoding="utf-8")
    assert "counts: unknown" in text and "counted_by: unknown" in text
    assert check(minimal_project) == []


# -- extreme figures: a finding, never a traceback ----------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_change_of_1e42_percent_is_a_finding_and_export_and_build_refuse_it_without_a_traceback(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_claim(
        minimal_project,
        extra="period: 2020\nvalue: 1e20\nunit: count\ncounted: stores\nbaseline:\n  value: 1e-20\n  period: 2019\n",
    )
    line = line_of(minimal_project, NEW_CLAIM, "value: 1e-20")
    code, out, err = _cli(capsys, "check", "--root", str(minimal_project))
    assert code == 1
    assert f"{NEW_CLAIM}:{line}:3: error: the change from the baseline 1E-20 to the figure" in out
    assert "is 1E+42 percent" in out and "[change-range]" in out
    assert "    field: baseline.value\n    hint: check both figures for a typo" in out
    database = str(tmp_path / "claims.db")
    for command in (("--format", "json"), ("--format", "csv"), ("--format", "sqlite", "--output", database)):
        code, out, err = _cli(capsys, "export", *command, "--root", str(minimal_project))
        assert (code, out) == (1, ""), command
        assert "change-range" in err and "Traceback" not in err
    site = tmp_path / "site"
    code, _, err = _cli(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 1 and "not built" in err
    assert not site.exists()


def test_a_derivation_from_operands_1e600_apart_is_a_derived_figure_finding(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        extra=(
            "value: 5\nunit: ratio\nderivation:\n  formula: ratio\n  from:\n"
            "    - {value: 1e300, quote: x}\n    - {value: 1e-300, quote: y}\n"
        ),
    )
    (finding,) = [f for f in check(minimal_project) if f.severity is Severity.ERROR]
    assert (finding.path, finding.line, finding.rule, finding.field) == (
        NEW_CLAIM,
        line_of(minimal_project, NEW_CLAIM, "value: 5"),
        "derived-figure",
        "value",
    )
    assert "ratio of 1E+300, 1E-300, which is 1E+600" in finding.message


def test_a_derivation_from_extreme_operands_that_agrees_is_checked_and_built(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_claim(
        minimal_project,
        extra=(
            "period: 2020\nvalue: 1e40\nunit: ratio\nbaseline: {value: 1e39, period: 2019}\nderivation:\n"
            "  formula: ratio\n  from:\n    - {value: 1e20, quote: x}\n    - {value: 1e-20, quote: y}\n"
        ),
    )
    assert check(minimal_project) == []
    site = tmp_path / "site"
    code, _, err = _cli(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 0, err
    page = (site / "claims" / "test-claim" / "index.html").read_text(encoding="utf-8")
    assert (
        "Derived figure: ratio of 100,000,000,000,000,000,000 and 1e−20 is "
        "10,000,000,000,000,000,000,000,000,000,000,000,000,000; stated as"
    ) in page


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=extreme, before=extreme, operand=extreme)
@example(value=1e20, before=1e-20, operand=1e-20)
@example(value=1.7976931348623157e308, before=5e-324, operand=5e-324)
def test_extreme_figures_give_findings_or_an_export_never_a_traceback(
    minimal_project: Path, capsys: pytest.CaptureFixture[str], value: float, before: float, operand: float
) -> None:
    write_claim(
        minimal_project,
        extra=(
            f"period: 2020\nvalue: {value!r}\nunit: ratio\nbaseline: {{value: {before!r}, period: 2019}}\n"
            f"derivation:\n  formula: ratio\n  from:\n    - {{value: {value!r}, quote: x}}\n"
            f"    - {{value: {operand!r}, quote: y}}\n"
        ),
    )
    code, out, err = _cli(capsys, "export", "--root", str(minimal_project))
    assert "Traceback" not in err
    if code == 0:
        json.loads(out)  # strict JSON: no Infinity, no NaN
        assert "Infinity" not in out and "NaN" not in out
    else:
        assert code == 1 and "not exported" in err


# The direction a quote gives a percentage: change-sign, change-unit.


def write_quoted(root: Path, quote: str, value: str, unit: str) -> None:
    """The test claim, quoting ``quote`` for the figure ``value`` in ``unit``."""
    write_claim(root, extra=f"period: 2020\nvalue: {value}\nunit: {unit}\n")
    path = root / NEW_CLAIM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("quote: Widget defects fell by 12% in 2020\n", f"quote: {quote}\n", 1), "utf-8")


def direction_findings(root: Path) -> list[tuple[str, str]]:
    return [(f.rule, f.field) for f in check(root) if f.rule in ("change-sign", "change-unit")]


def test_a_fall_recorded_as_a_positive_change_is_a_warning_at_the_value(minimal_project: Path) -> None:
    write_quoted(minimal_project, "Widget defects fell by 12% in 2020", "12", "percent-change")

    (finding,) = with_rule(check(minimal_project), "change-sign")
    assert finding.severity is Severity.WARNING
    assert (finding.path, finding.line, finding.field) == (
        NEW_CLAIM,
        line_of(minimal_project, NEW_CLAIM, "value:"),
        "value",
    )
    assert "fell" in finding.message and "value: -12" in finding.hint


def test_a_rise_recorded_as_a_negative_change_is_a_warning(minimal_project: Path) -> None:
    write_quoted(minimal_project, "Widget sales rose by 17% in 2020", "-17", "percent-change")

    (finding,) = with_rule(check(minimal_project), "change-sign")
    assert finding.field == "value" and "value: 17" in finding.hint


def test_a_fall_recorded_as_a_negative_change_passes(minimal_project: Path) -> None:
    write_quoted(minimal_project, "Widget defects DROPPED by 42 % in 2020", "-42", "percent-change")
    assert direction_findings(minimal_project) == []


def test_direction_words_count_only_as_whole_words(minimal_project: Path) -> None:
    write_quoted(minimal_project, "Widget downtime was 12% higher in 2020", "12", "percent-change")
    assert direction_findings(minimal_project) == []


def test_a_fall_to_a_share_is_a_level_not_a_change(minimal_project: Path) -> None:
    write_quoted(minimal_project, "Widget defects fell to 12% of output in 2020", "12", "percent")
    assert direction_findings(minimal_project) == []


def test_a_percentage_the_figure_is_not_is_not_judged(minimal_project: Path) -> None:
    write_quoted(minimal_project, "Widget defects fell by 12% in 2020", "240000", "count")
    assert direction_findings(minimal_project) == []


@pytest.mark.parametrize(
    ("quote", "signed"),
    [("Widget defects dropped by 42% in 2020", "-42"), ("a 42% increase in widget defects", "42")],
)
def test_a_change_recorded_in_a_level_unit_is_a_warning_at_the_unit(
    minimal_project: Path, quote: str, signed: str
) -> None:
    write_quoted(minimal_project, quote, "42", "percent")

    (finding,) = with_rule(check(minimal_project), "change-unit")
    assert finding.severity is Severity.WARNING
    assert (finding.line, finding.field) == (line_of(minimal_project, NEW_CLAIM, "unit:"), "unit")
    assert "unit: percent-change" in finding.hint and f"value: {signed}" in finding.hint


# Every figure of a metric in one unit: metric-unit.


def test_a_claim_in_another_unit_than_its_metrics_figures_is_an_error_at_its_unit(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed")
    write_figure(minimal_project, "stores-2016", "180000", metric="stores-closed")
    write_claim(minimal_project, extra="period: 2017\nvalue: 33\nunit: percent-change\nmetric: stores-closed\n")

    (finding,) = with_rule(check(minimal_project), "metric-unit")
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line, finding.field) == (
        NEW_CLAIM,
        line_of(minimal_project, NEW_CLAIM, "unit:"),
        "unit",
    )
    assert "percent-change" in finding.message and "stores-closed" in finding.message
    assert "`count`" in finding.hint and "stores-2016" in finding.hint


def test_the_unit_most_figures_of_a_metric_share_is_the_metrics(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed")
    write_figure(minimal_project, "stores-2016", "180000", metric="stores-closed")
    write_figure(minimal_project, "stores-2018", "250000", metric="stores-closed")
    write_claim(minimal_project, extra="period: 2010\nvalue: 33\nunit: percent-change\nmetric: stores-closed\n")

    assert [f.path for f in with_rule(check(minimal_project), "metric-unit")] == [NEW_CLAIM]


def test_figures_of_one_metric_in_one_unit_pass(minimal_project: Path) -> None:
    write_metric(minimal_project, "stores-closed")
    write_figure(minimal_project, "stores-2016", "180000", metric="stores-closed")
    write_claim(minimal_project, extra=STORES + "metric: stores-closed\n")

    assert with_rule(check(minimal_project), "metric-unit") == []


def test_a_derived_figure_without_a_baseline_shows_its_working_on_its_page(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_figure(minimal_project, "stores-2016", "180000")
    write_figure(minimal_project, "stores-2017", "240000")
    write_claim(minimal_project, extra=derivation("33", "{claim: stores-2017}", "{claim: stores-2016}"))
    assert check(minimal_project) == []
    site = tmp_path / "site"
    code, _, err = _cli(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 0, err
    page = (site / "claims" / "test-claim" / "index.html").read_text(encoding="utf-8")
    working = page.split('<p class="ct-derivation">', 1)[1].split("</p>", 1)[0]
    assert working.startswith("Derived figure: percent-change of 240,000 and 180,000 is 33.3333; stated as")
    assert working.endswith("(agrees to the stated precision).")
