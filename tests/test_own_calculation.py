"""The publisher's own calculations: a derived figure credited to the publisher's party, with no one
quoted, its working checked by `check` and shown on its page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimledger.cli import main

from .sitebuild import build
from .test_checks import check, edit, line_of, with_rule, write
from .test_figures import write_figure

CALCULATION = "claims/claims/stores-change.yaml"


def own_calculation(value: str = "33", *operands: str) -> str:
    """The site's own percent change of the two store counts (or of ``operands``)."""
    operands = operands or ("{claim: stores-2017}", "{claim: stores-2016}")
    return (
        "statement: The stores closed rose by a third from 2016 to 2017.\n"
        "claimant: widget-watch\n"
        "date: 2021-02-01\n"
        f"value: {value}\n"
        "unit: percent-change\n"
        "derivation:\n"
        "  formula: percent-change\n"
        "  from:\n" + "".join(f"    - {operand}\n" for operand in operands) + "status: unverified\n"
        "rationale: Computed here from the two figures the report states.\n"
    )


@pytest.fixture
def project(minimal_project: Path) -> Path:
    """The minimal project, its publisher credited with a party, and two figures to compute from."""
    write(minimal_project, "claims/parties/widget-watch.yaml", "name: Widget Watch\nkind: organisation\n")
    edit(minimal_project, "claims/publisher.yaml", "editors:", "party: widget-watch\neditors:")
    write_figure(minimal_project, "stores-2016", "180000")
    write_figure(minimal_project, "stores-2017", "240000")
    return minimal_project


def test_the_publishers_calculation_needs_no_quote_nor_appearance(project: Path) -> None:
    write(project, CALCULATION, own_calculation())
    assert check(project) == []


def test_its_arithmetic_is_checked_like_any_derived_figure(project: Path) -> None:
    write(project, CALCULATION, own_calculation("35"))
    (finding,) = with_rule(check(project), "derived-figure")
    assert finding.path == CALCULATION


def test_a_claim_with_no_quote_by_anyone_else_is_an_error_naming_the_claimant(project: Path) -> None:
    write(project, CALCULATION, own_calculation().replace("claimant: widget-watch", "claimant: widgets-inc"))
    (finding,) = with_rule(check(project), "own-calculation")
    assert (finding.path, finding.line, finding.field) == (CALCULATION, 2, "claimant")
    assert "widgets-inc is not the publisher's party" in finding.message
    assert "quote:" in finding.hint and "claims/publisher.yaml" in finding.hint


def test_without_a_publishers_party_no_claim_goes_without_a_quote(project: Path) -> None:
    edit(project, "claims/publisher.yaml", "party: widget-watch\n", "")
    write(project, CALCULATION, own_calculation())
    (finding,) = with_rule(check(project), "own-calculation")
    assert "claimed for no publisher's party" in finding.message


def test_a_claim_with_neither_words_nor_a_derivation_is_asked_for_the_claimants_words(project: Path) -> None:
    text = own_calculation().split("derivation:")[0] + "status: unverified\nrationale: Test.\n"
    write(project, CALCULATION, text.replace("value: 33\nunit: percent-change\n", ""))
    findings = check(project)
    # Without a derivation it is no calculation: the schema asks for the claimant's words first.
    assert next((f.rule, f.field) for f in findings if f.path == CALCULATION) == ("schema", "quote")


def test_a_quoted_claim_by_the_publishers_party_still_needs_a_derivation(project: Path) -> None:
    write(
        project,
        CALCULATION,
        "statement: Widgets are good.\nquote: Widget defects fell by 12% in 2020\nclaimant: widget-watch\n"
        "date: 2021-01-15\nfirst_appearance: widget-report\nappearances:\n  - source: widget-post\n"
        "    quote: Widget defects fell by 12% in 2020\nstatus: unverified\nrationale: Test.\n",
    )
    (finding,) = with_rule(check(project), "own-calculation")
    assert (finding.line, finding.field) == (line_of(project, CALCULATION, "claimant:"), "derivation")


def test_its_figures_come_from_claims_on_the_record_not_from_a_text_of_its_own(project: Path) -> None:
    write(project, CALCULATION, own_calculation("33", "{claim: stores-2017}", "{value: 180000}"))
    (finding,) = with_rule(check(project), "own-calculation")
    assert finding.field == "derivation.from[1]"
    assert finding.line == line_of(project, CALCULATION, "- {value: 180000}")
    assert "claim:" in finding.hint


def test_a_quoted_claim_still_needs_its_first_appearance(project: Path) -> None:
    edit(project, "claims/claims/widget-defects-fell.yaml", "first_appearance: widget-report\n", "")
    findings = [f for f in check(project) if f.rule == "schema"]
    assert [(f.field, f.message) for f in findings] == [
        ("first_appearance", "missing required field 'first_appearance'")
    ]


def test_the_publishers_party_must_exist(project: Path) -> None:
    edit(project, "claims/publisher.yaml", "party: widget-watch", "party: widget-wotch")
    (finding,) = with_rule(check(project), "ref-party")
    assert (finding.path, finding.field) == ("claims/publisher.yaml", "party")
    assert "widget-watch" in finding.hint


def test_its_page_shows_who_calculated_it_and_its_working_and_carries_no_claimreview(
    project: Path, tmp_path: Path
) -> None:
    write(project, CALCULATION, own_calculation())
    site = tmp_path / "site"
    assert build(project, site).returncode == 0

    page = (site / "claims" / "stores-change" / "index.html").read_text(encoding="utf-8")
    assert "Calculated by</dt>" in page and "Widget Watch" in page
    assert "no one is quoted" in page
    assert "First made in" not in page
    assert 'id="appearances"' not in page and 'id="sources"' not in page  # no empty sections
    assert "percent-change of 240,000 and 180,000 is 33.3333" in page
    assert 'claims/stores-2017/">' in page and 'claims/stores-2016/">' in page
    assert "ClaimReview" not in page


def test_its_export_has_no_first_appearance(project: Path, tmp_path: Path) -> None:
    write(project, CALCULATION, own_calculation())
    site = tmp_path / "site"
    assert build(project, site).returncode == 0

    claims = json.loads((site / "claims.json").read_text(encoding="utf-8"))
    (record,) = [c for c in claims["claims"] if c["id"] == "stores-change"]
    assert record["first_appearance"] is None and record["appearances"] == []
    assert record["claimant"] == "widget-watch"


def test_a_paraphrased_claim_with_a_derivation_still_needs_its_first_appearance(project: Path) -> None:
    write(
        project,
        CALCULATION,
        own_calculation().replace(
            "claimant: widget-watch\n",
            "claimant: widgets-inc\nparaphrase:\n  text: Widget defects fell by 12% in 2020\n"
            "  source: widget-post\n  by: blogger\n",
        ),
    )
    findings = [f for f in check(project) if f.rule == "schema"]
    assert sorted((f.field, f.message) for f in findings) == [
        ("appearances", "missing required field 'appearances'"),
        ("first_appearance", "missing required field 'first_appearance'"),
    ]


def test_its_status_meets_the_scale_s_rules_like_any_claim(project: Path) -> None:
    write(project, CALCULATION, own_calculation().replace("status: unverified", "status: unverifiable"))
    (finding,) = with_rule(check(project), "status-evidence")
    assert "the site's own calculation has none" in finding.message and "inconclusive" in finding.hint


def test_a_reviewed_calculation_is_in_no_claimreview_feed(project: Path, tmp_path: Path) -> None:
    disputed = own_calculation().replace(
        "status: unverified\n",
        "rebuttals:\n  - source: widget-comment\n    party: reader\n    stance: disputes\n"
        "    summary: A reader doubts the counts.\nstatus: disputed\n",
    )
    write(project, CALCULATION, disputed)
    assert main(["review", "--root", str(project), "--by", "ana", "stores-change", "--today", "2021-03-01"]) == 0
    assert check(project) == []
    site = tmp_path / "site"
    assert build(project, site).returncode == 0

    feed = json.loads((site / "claimreview.json").read_text(encoding="utf-8"))
    reviewed = [item["item"]["url"] if "url" in item["item"] else item["item"] for item in feed["dataFeedElement"]]
    assert reviewed and not any("stores-change" in json.dumps(item) for item in reviewed)
