"""Semantic checks, run through ``check_project`` on edited copies of the minimal project."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.checks.dates import PERIOD_HORIZON_YEARS
from claimledger.checks.project import check_project, latest_today
from claimledger.cli import main
from claimledger.findings import Finding

from .conftest import REPO
from .gitrepo import init
from .reviews import resign, signed

TODAY = dt.date(2022, 1, 1)
DEFECTS = "claims/claims/widget-defects-fell.yaml"
REPORT_EXISTS = "claims/claims/widget-report-exists.yaml"
NEW_CLAIM = "claims/claims/test-claim.yaml"


def check(root: Path, today: dt.date = TODAY) -> list[Finding]:
    _, findings = check_project(root, today=today)
    return findings


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    resign(path)  # reviewed again: the tests here are about other checks


def line_of(root: Path, relative: str, start: str) -> int:
    """The 1-based number of the first line of ``relative`` that starts with ``start`` (after indentation)."""
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.lstrip().startswith(start))


def rebuttal(source: str, party: str, stance: str, quote: str | None = None, via: str | None = None) -> str:
    text = f"  - source: {source}\n    party: {party}\n    stance: {stance}\n    summary: Test evidence.\n"
    if quote is not None:
        text += f"    quote: {quote}\n"
    if via is not None:
        text += f"    via: {via}\n"
    return text


def write_claim(
    root: Path,
    *,
    status: str = "unverified",
    rebuttals: tuple[str, ...] = (),
    claimant: str = "widgets-inc",
    spokesperson: str | None = None,
    first_appearance: str = "widget-report",
    appearance: str = "  - source: widget-post\n    quote: Widget defects fell by 12% in 2020\n",
    extra: str = "",
) -> str:
    """Write ``claims/claims/test-claim.yaml``, a valid claim unless the arguments say otherwise."""
    text = "statement: A test claim.\nquote: Widget defects fell by 12% in 2020\n"
    text += f"claimant: {claimant}\n"
    if spokesperson is not None:
        text += f"spokesperson: {spokesperson}\n"
    text += f"date: 2021-01-15\nfirst_appearance: {first_appearance}\nappearances:\n{appearance}"
    if rebuttals:
        text += "rebuttals:\n" + "".join(rebuttals)
    text += f"status: {status}\nrationale: Test.\n{extra}"
    write(root, NEW_CLAIM, text if status == "unverified" else signed(text))
    return NEW_CLAIM


def write_party(root: Path, party_id: str, kind: str = "person", affiliation: str | None = None) -> None:
    text = f"name: {party_id}\nkind: {kind}\n"
    if affiliation is not None:
        text += f"affiliation: {affiliation}\n"
    write(root, f"claims/parties/{party_id}.yaml", text)


def with_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def test_minimal_project_has_no_findings(minimal_project: Path) -> None:
    assert check(minimal_project) == []


def test_test_claim_helper_writes_a_valid_claim(minimal_project: Path) -> None:
    write_claim(minimal_project)
    assert check(minimal_project) == []


# Status evidence: disputing-rebuttal.


def test_disputed_without_a_disputing_rebuttal_is_an_error(minimal_project: Path) -> None:
    path = write_claim(
        minimal_project, status="disputed", rebuttals=(rebuttal("widget-comment", "reader", "qualifies"),)
    )
    findings = check(minimal_project)
    assert [(f.path, f.line, f.field) for f in with_rule(findings, "status-evidence")] == [
        (path, line_of(minimal_project, path, "status:"), "status")
    ]
    assert "disputes" in findings[0].message


def test_disputed_with_a_disputing_rebuttal_is_accepted(minimal_project: Path) -> None:
    write_claim(minimal_project, status="disputed", rebuttals=(rebuttal("widget-comment", "reader", "disputes"),))
    assert check(minimal_project) == []


# Status evidence: independent-support.


def test_corroborated_by_the_claimant_itself_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, status="corroborated", rebuttals=(rebuttal("audit", "widgets-inc", "supports"),))
    assert [f.field for f in with_rule(check(minimal_project), "status-evidence")] == ["status"]


def test_corroborated_by_a_party_affiliated_transitively_with_the_claimant_is_an_error(minimal_project: Path) -> None:
    write_party(minimal_project, "quality-dept", kind="organisation", affiliation="widgets-inc")
    write_party(minimal_project, "inspector", affiliation="quality-dept")
    write_claim(minimal_project, status="corroborated", rebuttals=(rebuttal("audit", "inspector", "supports"),))
    findings = with_rule(check(minimal_project), "status-evidence")
    assert [(f.path, f.field) for f in findings] == [(NEW_CLAIM, "status")]
    assert findings[0].rule == "status-evidence"
    assert "independent" in findings[0].message


def test_corroborated_by_a_party_sharing_an_organisation_with_the_spokesperson_is_an_error(
    minimal_project: Path,
) -> None:
    write_party(minimal_project, "pr-firm", kind="organisation")
    write_party(minimal_project, "pr-agent", affiliation="pr-firm")
    write_party(minimal_project, "pr-colleague", affiliation="pr-firm")
    write_claim(
        minimal_project,
        status="corroborated",
        spokesperson="pr-agent",
        rebuttals=(rebuttal("audit", "pr-colleague", "supports"),),
    )
    assert [f.field for f in with_rule(check(minimal_project), "status-evidence")] == ["status"]


def test_corroborated_by_a_party_independent_of_claimant_and_spokesperson_is_accepted(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        status="corroborated",
        spokesperson="cqo",
        rebuttals=(rebuttal("audit", "auditor", "supports"),),
    )
    assert check(minimal_project) == []


def test_corroborated_needs_a_supporting_stance_not_just_an_independent_party(minimal_project: Path) -> None:
    write_claim(minimal_project, status="corroborated", rebuttals=(rebuttal("audit", "auditor", "qualifies"),))
    assert [f.field for f in with_rule(check(minimal_project), "status-evidence")] == ["status"]


# Status evidence: primary-refutation.


def test_refuted_by_a_government_report_is_accepted(minimal_project: Path) -> None:
    write_claim(minimal_project, status="refuted", rebuttals=(rebuttal("audit", "auditor", "disputes"),))
    assert check(minimal_project) == []


def test_refuted_by_a_comment_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, status="refuted", rebuttals=(rebuttal("widget-comment", "reader", "disputes"),))
    findings = with_rule(check(minimal_project), "status-evidence")
    assert [f.field for f in findings] == ["status"]
    assert "primary" in findings[0].message


def test_refuted_by_a_primary_source_that_only_qualifies_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, status="refuted", rebuttals=(rebuttal("audit", "auditor", "qualifies"),))
    assert [f.field for f in with_rule(check(minimal_project), "status-evidence")] == ["status"]


# Status evidence: primary-unavailable.


def test_unverifiable_with_an_unavailable_first_appearance_is_accepted(minimal_project: Path) -> None:
    write_claim(minimal_project, status="unverifiable", first_appearance="widget-report")
    assert check(minimal_project) == []


def test_unverifiable_when_the_first_appearance_has_full_text_available_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, status="unverifiable", first_appearance="widget-post")
    findings = with_rule(check(minimal_project), "status-evidence")
    assert [f.field for f in findings] == ["status"]
    assert "widget-post" in findings[0].message


# Status evidence read second-hand: through another source (`via`), it settles nothing.

READ_IN_POST = {"quote": "I do not believe the defect figure.", "via": "widget-post"}


@pytest.mark.parametrize(
    ("status", "stance"), [("disputed", "disputes"), ("corroborated", "supports"), ("refuted", "disputes")]
)
def test_evidence_read_only_through_another_source_settles_no_status(
    minimal_project: Path, status: str, stance: str
) -> None:
    write_claim(minimal_project, status=status, rebuttals=(rebuttal("audit", "auditor", stance, **READ_IN_POST),))
    findings = with_rule(check(minimal_project), "status-evidence")
    assert [f.field for f in findings] == ["status"]
    assert "first-hand" in findings[0].message
    assert "second-hand" in findings[0].hint


def test_second_hand_evidence_beside_first_hand_evidence_leaves_the_status_standing(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        status="refuted",
        rebuttals=(rebuttal("audit", "auditor", "disputes"), rebuttal("audit", "auditor", "disputes", **READ_IN_POST)),
    )
    assert with_rule(check(minimal_project), "status-evidence") == []


# Status evidence: successor.


def test_superseded_without_superseded_by_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, status="superseded")
    findings = with_rule(check(minimal_project), "status-evidence")
    assert [f.field for f in findings] == ["status"]
    assert "superseded_by" in findings[0].message


def test_superseded_with_superseded_by_is_accepted(minimal_project: Path) -> None:
    write_claim(minimal_project, status="superseded", extra="superseded_by: widget-report-exists\n")
    assert check(minimal_project) == []


def test_superseded_by_on_a_status_that_is_not_superseded_is_an_error(minimal_project: Path) -> None:
    path = write_claim(minimal_project, status="unverified", extra="superseded_by: widget-report-exists\n")
    findings = check(minimal_project)
    assert [(f.rule, f.line, f.field) for f in findings] == [
        ("status-evidence", line_of(minimal_project, path, "superseded_by:"), "superseded_by")
    ]


def test_superseded_by_a_claim_that_does_not_exist_is_a_dangling_reference(minimal_project: Path) -> None:
    write_claim(minimal_project, status="superseded", extra="superseded_by: no-such-claim\n")
    assert [(f.rule, f.field) for f in check(minimal_project)] == [("ref-claim", "superseded_by")]


# Status evidence rules are data.

CONTESTED = """\
  - id: contested
    label: Contested
    colour: "#aa5500"
    description: Someone on the record contests the claim.
    evidence: disputing-rebuttal
    rating_value: 2
"""


def add_contested_status(root: Path) -> None:
    with (root / "claims/statuses.yaml").open("a", encoding="utf-8") as statuses:
        statuses.write(CONTESTED)


def test_status_added_by_a_site_owner_has_its_evidence_rule_enforced(minimal_project: Path) -> None:
    add_contested_status(minimal_project)
    write_claim(minimal_project, status="contested", rebuttals=(rebuttal("widget-comment", "reader", "qualifies"),))
    findings = check(minimal_project)
    assert [(f.path, f.rule, f.field) for f in findings] == [(NEW_CLAIM, "status-evidence", "status")]
    assert "'contested'" in findings[0].message


def test_status_added_by_a_site_owner_is_satisfied_by_its_evidence(minimal_project: Path) -> None:
    add_contested_status(minimal_project)
    write_claim(minimal_project, status="contested", rebuttals=(rebuttal("widget-comment", "reader", "disputes"),))
    assert check(minimal_project) == []


def test_status_missing_from_the_scale_is_a_dangling_reference(minimal_project: Path) -> None:
    write_claim(minimal_project, status="contested")
    findings = check(minimal_project)
    assert [(f.rule, f.field) for f in findings] == [("ref-status", "status")]


# Quotes.


def test_quote_differing_from_the_snapshot_only_in_white_space_and_line_breaks_is_accepted(
    minimal_project: Path,
) -> None:
    write_claim(
        minimal_project,
        appearance=(
            "  - source: widget-post\n"
            "    quote: |\n"
            "      Widget defects fell by 12%   in 2020,\n"
            "      said the chief\n"
            "        quality officer.\n"
        ),
    )
    assert check(minimal_project) == []


def test_quote_with_a_changed_word_is_rejected(minimal_project: Path) -> None:
    path = write_claim(
        minimal_project,
        appearance="  - source: widget-post\n    quote: Widget defects rose by 12% in 2020, said the chief\n",
    )
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [
        (
            "quote-not-in-snapshot",
            path,
            line_of(minimal_project, path, "quote: Widget defects rose"),
            "appearances[0].quote",
        )
    ]
    assert "snapshots/widget-post.txt" in findings[0].message


def test_a_quote_not_in_the_snapshot_shows_where_it_departs_from_it(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "quote: Widget defects fell by 12% in 2020\n", "quote: Widget defects fell by 13%\n")
    [finding] = check(minimal_project)
    assert finding.message == (
        "the quote does not appear in the snapshot of widget-post (claims/snapshots/widget-post.txt)"
    )
    assert "quote: “Widget defects fell by 1\u25b63%”" in finding.hint
    assert "Widget defects fell by 1\u25b62%" in finding.hint.partition("snapshot: ")[2]
    assert finding.hint.endswith("only line breaks and spacing may differ")


def test_a_quote_whose_start_is_not_in_the_snapshot_shows_the_closest_passage(minimal_project: Path) -> None:
    edit(
        minimal_project,
        DEFECTS,
        "quote: Widget defects fell by 12% in 2020\n",
        "quote: Gadget faults fell by 12% in 2020\n",
    )
    [finding] = check(minimal_project)
    assert "the closest passage in the snapshot: “" in finding.hint
    assert "fell by 12% in 2020" in finding.hint.partition("closest passage")[2]


def test_a_quote_differing_only_in_straight_and_curly_quotes_says_so_and_marks_where(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = minimal_project / "claims/snapshots/widget-post.txt"
    text = snapshot.read_text(encoding="utf-8") + "\u201cOur best year\u201d \u2014 the officer\u2019s words.\n"
    snapshot.write_text(text, encoding="utf-8")
    edit(
        minimal_project,
        "claims/sources/widget-post.yaml",
        "f3ab04c6ad86d94f4db60e82ef9973653c62c2b06e3c34c1dec67147e210bec0",
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    quote = '"Our best year" - the officer\'s words.'
    edit(
        minimal_project,
        DEFECTS,
        "quote: Widget defects fell by 12% in 2020, said the chief quality officer.",
        "quote: '" + quote.replace("'", "''") + "'",
    )
    [finding] = check(minimal_project)
    assert (finding.rule, finding.path, finding.field) == ("quote-not-in-snapshot", DEFECTS, "appearances[0].quote")
    assert finding.message == (
        "the quote differs from the snapshot of widget-post (claims/snapshots/widget-post.txt) only in its "
        'quotation marks, apostrophes or dashes (" against \u201c)'
    )
    assert (
        "defect figure. \u25b6\u201cOur best year\u201d \u2014 the officer" in finding.hint.partition("snapshot: ")[2]
    )
    assert 'quote: \u201c\u25b6"Our best year' in finding.hint
    assert "closest passage" not in finding.hint
    assert "type each mark as the snapshot has it" in finding.hint
    assert main(["check", "--root", str(minimal_project)]) == 1
    assert "only in its quotation marks, apostrophes or dashes" in capsys.readouterr().out


def test_quote_with_changed_punctuation_is_rejected(minimal_project: Path) -> None:
    write_claim(minimal_project, appearance="  - source: widget-post\n    quote: Widget defects fell by 12 % in 2020\n")
    rules = {f.rule for f in check(minimal_project)}
    assert rules == {"quote-not-in-snapshot"}


def test_claim_quote_is_checked_against_its_first_appearance(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "quote: Widget defects fell by 12% in 2020\n", "quote: Widget defects fell by 13%\n")
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [("quote-not-in-snapshot", DEFECTS, 3, "quote")]


def test_rebuttal_quote_is_checked_against_the_snapshot_of_its_via_source(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        rebuttals=(
            rebuttal("audit", "auditor", "qualifies", quote="The audit found no such fall.", via="widget-post"),
        ),
    )
    findings = check(minimal_project)
    assert [(f.rule, f.field) for f in findings] == [("quote-not-in-snapshot", "rebuttals[0].quote")]
    assert "widget-post" in findings[0].message


def test_rebuttal_quote_found_in_the_snapshot_of_its_via_source_is_accepted(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        rebuttals=(
            rebuttal("audit", "auditor", "qualifies", quote="I do not believe the defect figure.", via="widget-post"),
        ),
    )
    assert check(minimal_project) == []


def test_quote_from_a_comment_is_checked_against_the_snapshot_of_the_post_it_is_part_of(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "quote: I do not believe the defect figure.", "quote: I believe the defect figure.")
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [
        ("quote-not-in-snapshot", DEFECTS, 22, "rebuttals[0].quote")
    ]
    assert "snapshots/widget-post.txt" in findings[0].message


def test_quote_from_a_comment_found_in_its_parent_snapshot_is_accepted(minimal_project: Path) -> None:
    # The fixture's disputing rebuttal quotes the comment, which is part of the snapshotted post.
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert dataset.sources["widget-comment"].snapshot is None
    assert dataset.claims["widget-defects-fell"].rebuttals[0].quote == "I do not believe the defect figure."
    assert findings == []


def test_quote_from_a_source_without_snapshot_is_not_checked(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        rebuttals=(rebuttal("audit", "auditor", "qualifies", quote="Words that appear in no snapshot."),),
    )
    assert check(minimal_project) == []


# Dates.


def test_date_after_today_is_in_the_future(minimal_project: Path) -> None:
    findings = check(minimal_project, today=dt.date(2021, 3, 31))
    assert {(f.rule, f.path, f.field) for f in findings} == {
        ("date-future", DEFECTS, "review.date"),
        ("date-future", REPORT_EXISTS, "review.date"),
    }
    assert all("2021-03-31" in f.message for f in findings)


def test_date_equal_to_today_is_not_in_the_future(minimal_project: Path) -> None:
    assert check(minimal_project, today=dt.date(2021, 4, 1)) == []


def test_partial_date_is_in_the_future_only_from_its_first_day(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "\n  date: 2021-04-01", "\n  date: 2021-04-30")
    edit(minimal_project, DEFECTS, "\ndate: 2021-01-15\n", "\ndate: 2021-05\n")
    today = dt.date(2021, 4, 30)
    assert [f.field for f in check(minimal_project, today=today) if f.rule == "date-future"] == ["date"]
    assert [f for f in check(minimal_project, today=dt.date(2021, 5, 1)) if f.rule == "date-future"] == []


def test_a_period_ending_9999_12_31_is_an_error_at_the_period(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", "period: 2020/9999-12-31")
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    horizon = latest_today().year + PERIOD_HORIZON_YEARS
    assert f"{DEFECTS}:7:1: error: the period 2020/9999-12-31 ends after {horizon}" in out
    assert "[period-future]\n    field: period\n    hint: check the year for a typo" in out


def test_a_baseline_period_beyond_the_horizon_is_an_error_at_the_baseline_period(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "period: 2020\n", "period: 2020\nbaseline: {value: 1, period: 2202}\n")
    edit(minimal_project, DEFECTS, "unit: percent-change", "unit: percent")
    # A share the quote ("fell by 12%", a change) does not give, so that only the baseline's period is wrong.
    edit(minimal_project, DEFECTS, "value: -12", "value: 88")
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [("period-future", DEFECTS, 8, "baseline.period")]


@pytest.mark.parametrize("period", ["2050", "2021/2050", "2030-01/2030-06", "2121", "2022/2121-12-31"])
def test_a_period_may_reach_into_the_future_for_a_target_or_a_forecast(minimal_project: Path, period: str) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", f"period: {period}")
    assert check(minimal_project, today=dt.date(2021, 12, 31)) == []  # the horizon: the end of 2121


@pytest.mark.parametrize("period", ["2122", "2122-01-01", "2020/2122-01"])
def test_a_period_ending_after_the_horizon_is_an_error(minimal_project: Path, period: str) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", f"period: {period}")
    findings = check(minimal_project, today=dt.date(2021, 12, 31))
    assert [(f.rule, f.field) for f in findings] == [("period-future", "period")]


def test_the_claim_date_of_a_forecast_is_still_never_in_the_future(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", "period: 2050")
    edit(minimal_project, DEFECTS, "date: 2021-01-15", "date: 2050-01-15")
    assert [(f.rule, f.field) for f in check(minimal_project)] == [("date-future", "date")]


def test_month_13_is_an_invalid_date(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "date: 2021-01-15", "date: 2021-13")
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [("date-invalid", DEFECTS, 6, "date")]
    assert findings[0].hint


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("date: 2021-01-15", "date: '0000'", 6, "date"),
        ("period: 2020", "period: '0000'", 7, "period"),
        ("period: 2020", "period: 2020/0000", 7, "period"),
        ("period: 2020", "period: 0000/2020", 7, "period"),
    ],
)
def test_year_0_is_an_invalid_date(minimal_project: Path, old: str, new: str, line: int, field: str) -> None:
    edit(minimal_project, DEFECTS, old, new)
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [("date-invalid", DEFECTS, line, field)]
    assert "year 0" in findings[0].message


def test_period_ending_before_it_starts_is_an_invalid_date(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", "period: 2020-06/2020-01")
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [("date-invalid", DEFECTS, 7, "period")]
    assert "ends before it starts" in findings[0].message


def test_period_that_is_a_valid_interval_is_accepted(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", "period: 2020-01-01/2020-12-31")
    assert check(minimal_project) == []


@pytest.mark.parametrize("period", ["2020-06-15/2020-06", "2020-06/2020", "2020/2020-06-30"])
def test_period_whose_end_is_a_coarser_date_containing_the_start_is_accepted(
    minimal_project: Path, period: str
) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", f"period: {period}")
    assert check(minimal_project) == []


def test_period_ending_in_a_month_before_its_start_day_is_an_invalid_date(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "period: 2020", "period: 2020-06-15/2020-05")
    assert [(f.rule, f.field) for f in check(minimal_project)] == [("date-invalid", "period")]


def test_claim_with_an_invalid_date_is_not_reported_again_as_a_dangling_reference(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "date: 2021-01-15", "date: 2021-13")
    edit(minimal_project, REPORT_EXISTS, "status: corroborated", "related: [widget-defects-fell]\nstatus: corroborated")
    assert [(f.rule, f.path) for f in check(minimal_project)] == [("date-invalid", DEFECTS)]


# References and files.


def test_reference_to_a_source_that_failed_the_schema_is_not_reported_as_dangling(minimal_project: Path) -> None:
    edit(minimal_project, "claims/sources/audit.yaml", "kind: government-report", "kind: governmental-report")
    findings = check(minimal_project)
    assert [(f.rule, f.path) for f in findings] == [("schema", "claims/sources/audit.yaml")]


def test_reference_to_a_party_that_failed_the_schema_is_not_reported_as_dangling(minimal_project: Path) -> None:
    edit(minimal_project, "claims/parties/auditor.yaml", "kind: organisation", "kind: organisation\ncolour: red")
    findings = check(minimal_project)
    assert [(f.rule, f.path) for f in findings] == [("schema", "claims/parties/auditor.yaml")]


def test_reference_to_a_missing_source_is_reported_with_a_suggestion(minimal_project: Path) -> None:
    (minimal_project / "claims/sources/audit.yaml").unlink()
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.field) for f in findings] == [("ref-source", REPORT_EXISTS, "rebuttals[0].source")]
    assert "claims/sources/audit.yaml" in findings[0].hint


def test_yml_extension_is_reported(minimal_project: Path) -> None:
    write(minimal_project, "claims/parties/analyst.yml", "name: An analyst\nkind: person\n")
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [("file-extension", "claims/parties/analyst.yml")]
    assert "analyst.yaml" in findings[0].hint
    assert "analyst" not in dataset.parties


def test_reference_to_a_file_with_a_yml_extension_is_not_reported_as_dangling(minimal_project: Path) -> None:
    (minimal_project / REPORT_EXISTS).rename(minimal_project / "claims/claims/widget-report-exists.yml")
    findings = check(minimal_project)
    assert [(f.rule, f.path) for f in findings] == [("file-extension", "claims/claims/widget-report-exists.yml")]


def test_symlink_pointing_outside_the_project_is_reported(minimal_project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_bytes((minimal_project / REPORT_EXISTS).read_bytes())
    (minimal_project / "claims/claims/linked.yaml").symlink_to(outside)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [("unsafe-path", "claims/claims/linked.yaml")]
    assert "linked" not in dataset.claims


def test_kind_folder_that_is_a_link_outside_the_project_is_reported(minimal_project: Path, tmp_path: Path) -> None:
    parties = minimal_project / "claims/parties"
    outside = tmp_path / "parties"
    parties.rename(outside)
    parties.symlink_to(outside, target_is_directory=True)
    dataset, findings = check_project(minimal_project, today=TODAY)
    # The folder is reported once and not walked, so the parties in it are unknown to the references.
    assert [(f.rule, f.path) for f in findings if f.rule != "ref-party"] == [("unsafe-path", "claims/parties")]
    assert str(outside) in next(f.message for f in findings if f.rule == "unsafe-path")
    assert dataset.parties == {}


def test_symlinked_folder_pointing_outside_the_project_is_reported(minimal_project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "linked.yaml").write_bytes((minimal_project / REPORT_EXISTS).read_bytes())
    (minimal_project / "claims/claims/more").symlink_to(outside, target_is_directory=True)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [("unsafe-path", "claims/claims/more")]
    assert "linked" not in dataset.claims


def test_status_scale_linked_from_outside_the_project_is_reported(minimal_project: Path, tmp_path: Path) -> None:
    statuses = minimal_project / "claims/statuses.yaml"
    outside = tmp_path / "statuses.yaml"
    statuses.rename(outside)
    statuses.symlink_to(outside)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [("unsafe-path", "claims/statuses.yaml")]
    assert dataset.scale is None


def test_reference_to_a_file_linked_from_outside_is_not_reported_as_dangling(
    minimal_project: Path, tmp_path: Path
) -> None:
    audit = minimal_project / "claims/sources/audit.yaml"
    outside = tmp_path / "audit.yaml"
    audit.rename(outside)
    audit.symlink_to(outside)
    findings = check(minimal_project)
    assert [(f.rule, f.path) for f in findings] == [("unsafe-path", "claims/sources/audit.yaml")]


def test_symlink_to_a_file_inside_the_project_is_read(minimal_project: Path) -> None:
    elsewhere = minimal_project / "kept" / "analyst.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text("name: An analyst\nkind: person\n", encoding="utf-8")
    (minimal_project / "claims/parties/analyst.yaml").symlink_to(elsewhere)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    assert dataset.parties["analyst"].name == "An analyst"


def test_a_folder_linked_back_into_itself_is_a_loop_reported_and_read_once(minimal_project: Path) -> None:
    claims = minimal_project / "claims/claims"
    (claims / "again").symlink_to(claims, target_is_directory=True)
    (claims / "nested").mkdir()
    (claims / "nested" / "up").symlink_to(claims, target_is_directory=True)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [
        ("broken-symlink", "claims/claims/again"),
        ("broken-symlink", "claims/claims/nested/up"),
    ]
    assert len(dataset.claims) == len(list(claims.glob("*.yaml")))


def test_a_second_link_to_a_folder_reads_its_files_twice_and_says_so(minimal_project: Path) -> None:
    claims = minimal_project / "claims/claims"
    (claims / "filed").mkdir()
    (claims / "widget-defects-fell.yaml").rename(claims / "filed" / "widget-defects-fell.yaml")
    (claims / "shortcut").symlink_to(claims / "filed", target_is_directory=True)
    _, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [("duplicate-id", "claims/claims/shortcut/widget-defects-fell.yaml")]


def _copy_claim(root: Path, folder: str) -> str:
    """A copy of a claim in a sub-folder of the claims: its path."""
    claims = root / "claims/claims"
    (claims / folder).mkdir()
    copy = claims / folder / "widget-defects-fell.yaml"
    copy.write_bytes((claims / "widget-defects-fell.yaml").read_bytes())
    return f"claims/claims/{folder}/widget-defects-fell.yaml"


def test_a_copy_not_in_git_is_blamed_for_a_duplicate_id_though_its_path_sorts_first(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init(minimal_project)
    copy = _copy_claim(minimal_project, "2018")  # read before the committed file: its folder sorts first
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert (
        f"{copy}:1:1: error: this file's id 'widget-defects-fell' is also used by "
        "claims/claims/widget-defects-fell.yaml [duplicate-id]"
    ) in out
    assert "claims/claims/widget-defects-fell.yaml:1:1" not in out


def test_without_git_the_duplicate_id_is_blamed_on_the_path_that_sorts_later(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, later = _copy_claim(minimal_project, "2018"), "claims/claims/widget-defects-fell.yaml"
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert f"{later}:1:1: error: this file's id 'widget-defects-fell' is also used by {first} [duplicate-id]" in out


def test_missing_status_scale_is_reported(minimal_project: Path) -> None:
    (minimal_project / "claims/statuses.yaml").unlink()
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert [(f.rule, f.path) for f in findings] == [("missing-file", "claims/statuses.yaml")]
    assert dataset.scale is None


def test_claim_related_to_itself_is_reported(minimal_project: Path) -> None:
    edit(
        minimal_project,
        DEFECTS,
        "related: [widget-report-exists]",
        "related: [widget-report-exists, widget-defects-fell]",
    )
    findings = check(minimal_project)
    assert [(f.rule, f.path, f.line, f.field) for f in findings] == [("ref-claim", DEFECTS, 16, "related[1]")]
    assert "itself" in findings[0].message


@pytest.mark.parametrize("name", ["widget-defects-fell", "widget-report-exists"])
def test_fixture_claims_load_into_the_model(minimal_project: Path, name: str) -> None:
    dataset, _ = check_project(minimal_project, today=TODAY)
    assert dataset.claims[name].id == name


def test_a_review_dated_today_anywhere_on_earth_is_not_in_the_future(minimal_project: Path) -> None:
    claim = minimal_project / "claims" / "claims" / "widget-defects-fell.yaml"
    claim.write_text(claim.read_text().replace("  date: 2021-04-01", f"  date: {latest_today().isoformat()}"))
    for zone in ("Pacific/Kiritimati", "UTC", "America/New_York", "Pacific/Pago_Pago"):
        result = subprocess.run(
            [sys.executable, "-m", "claimledger", "check", "--root", str(minimal_project)],
            env={**os.environ, "TZ": zone},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (zone, result.stdout)


def test_corroborated_by_a_source_the_claimant_wrote_is_an_error(minimal_project: Path) -> None:
    write_party(minimal_project, "widget-press", kind="organisation", affiliation="widgets-inc")
    write_claim(
        minimal_project, status="corroborated", rebuttals=(rebuttal("widget-report", "widgets-inc", "supports"),)
    )
    assert [f.field for f in with_rule(check(minimal_project), "status-evidence")] == ["status"]


def test_a_rebuttal_credited_to_someone_who_did_not_write_its_source_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, status="disputed", rebuttals=(rebuttal("audit", "reader", "disputes"),))
    findings = with_rule(check(minimal_project), "rebuttal-party")
    assert [f.field for f in findings] == ["rebuttals[0].party"]
    assert "auditor" in findings[0].message


NEWS = "claims/sources/widget-news.yaml"
NEWS_TEXT = "Widgets Inc. newsroom\nBy A blogger\nMarch 14, 2021\n\nWidget defects fell, the company said.\n"


def write_news(root: Path, basis: str, *, published: str = "2021-03-14") -> None:
    """A news item by the blogger, published by Widgets Inc., whose facts rest on ``basis``."""
    text = (
        "title: Widgets Inc. news item\nkind: news-report\nauthor: blogger\npublisher: widgets-inc\n"
        f"published: {published}\nurl: unknown\nfull_text: available\nbasis: {basis}\n"
    )
    write(root, NEWS, text)


def save_news_text(root: Path, tmp_path: Path, text: str = NEWS_TEXT) -> None:
    saved = write(tmp_path, "news.txt", text)
    assert main(["snapshot", "widget-news", str(saved), "--root", str(root), "--today", "2021-03-15"]) == 0


def test_a_dateline_based_on_self_passes_when_the_snapshot_states_the_date(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_news(minimal_project, "{published: self, author: self, publisher: self}")
    save_news_text(minimal_project, tmp_path)
    capsys.readouterr()
    assert main(["check", "--root", str(minimal_project)]) == 0
    assert NEWS not in capsys.readouterr().out


def test_a_month_only_date_based_on_self_is_found_as_month_and_year(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_news(minimal_project, "{published: self, author: self, publisher: self}", published="2021-03")
    save_news_text(minimal_project, tmp_path, NEWS_TEXT.replace("March 14, 2021", "Issue of March 2021"))
    capsys.readouterr()
    assert main(["check", "--root", str(minimal_project)]) == 0


def test_a_date_based_on_self_that_the_snapshot_does_not_state_is_an_error_naming_the_words_looked_for(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_news(minimal_project, "{published: self, author: self, publisher: self}", published="2021-03-15")
    save_news_text(minimal_project, tmp_path)
    capsys.readouterr()
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    line = line_of(minimal_project, NEWS, "basis:")
    assert f"{NEWS}:{line}:" in out
    assert "based on `self`, but its snapshot (snapshots/widget-news.txt) does not state it [fact-basis-self]" in out
    assert "field: basis.published" in out
    assert 'hint: looked for "2021-03-15", "15 March 2021", "March 15, 2021"' in out


def test_a_publisher_based_on_self_whose_name_is_not_in_the_snapshot_is_an_error(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_news(minimal_project, "{published: self, author: self, publisher: self}")
    save_news_text(minimal_project, tmp_path, NEWS_TEXT.replace("Widgets Inc. newsroom", "Newsroom"))
    assert [(f.rule, f.field) for f in check(minimal_project) if f.path == NEWS] == [
        ("fact-basis-self", "basis.publisher")
    ]
    assert 'looked for "Widgets Inc."' in next(f.hint for f in check(minimal_project) if f.path == NEWS)


def test_a_basis_on_self_without_a_snapshot_is_an_error_saying_how_to_save_one(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_news(minimal_project, "{published: self, author: {source: widget-post, quote: A blogger}, publisher: self}")
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert "the record holds no snapshot of its text [fact-basis-self]" in out
    assert "hint: save its text with `claimledger snapshot widget-news FILE`" in out
    assert "field: basis.published" in out and "field: basis.publisher" in out


def test_self_is_no_basis_for_the_availability_of_the_full_text(minimal_project: Path) -> None:
    write_news(minimal_project, "{published: self, full_text: self}")
    assert ("schema", NEWS) in {(f.rule, f.path) for f in check(minimal_project)}


def test_a_snapshot_whose_line_endings_alone_changed_says_so_and_how_to_restore_it(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = minimal_project / "claims" / "snapshots" / "widget-post.txt"
    snapshot.write_bytes(snapshot.read_bytes().replace(b"\n", b"\r\n"))  # as git with core.autocrlf=true
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert "not the recorded one: only its line endings (CRLF) or a byte-order mark differ [snapshot-hash]" in out
    assert "hint: restore the file as it was (`git checkout -- claims/snapshots/widget-post.txt`)" in out
    assert "git config core.autocrlf input" in out


def test_a_snapshot_with_other_words_is_a_hash_error_whose_hint_gives_the_command(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = minimal_project / "claims" / "snapshots" / "widget-post.txt"
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + "A sentence added later.\n", encoding="utf-8")
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert "not the recorded one [snapshot-hash]" in out
    assert "`claimledger snapshot widget-post FILE --force`" in out


def test_the_repository_keeps_snapshots_byte_for_byte_and_data_files_in_lf() -> None:
    attributes = (REPO / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "claims/** text eol=lf" in attributes
    assert "claims/snapshots/** -text" in attributes
