"""Checks on figures: derived figures recomputed, conversions' rates, metrics and their comparisons."""

from __future__ import annotations

from pathlib import Path

from claimledger.findings import Severity

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
