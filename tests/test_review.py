"""Review sign-off tied to content: who reviewed a verdict, and whether the claim changed since.

Each test works on a copy of the minimal fixture, whose two claims are verdicts reviewed by the
editor ``ana`` (the fixture's publisher lists ``ana`` and ``ben``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding, Severity
from claimledger.record.visible import fingerprint

from .reviews import signed
from .sitebuild import build

TODAY = dt.date(2022, 1, 1)
DEFECTS = "claims/claims/widget-defects-fell.yaml"
STATUSES = "claims/statuses.yaml"
PUBLISHER = "claims/publisher.yaml"
RATIONALE = "rationale: A reader disputes the figure and the report is unpublished."
CHANGED = "rationale: A reader disputes the figure, and the report was never published."


def findings(root: Path) -> list[Finding]:
    return check_project(root, today=TODAY)[1]


def review_findings(root: Path) -> list[Finding]:
    return [f for f in findings(root) if f.rule.startswith("review-")]


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, relative: str, start: str) -> int:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.lstrip().startswith(start))


def review(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["review", *args, "--root", str(root), "--today", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def page(site: Path, claim_id: str) -> str:
    return (site / "claims" / claim_id / "index.html").read_text(encoding="utf-8")


def claim_reviews(html: str) -> list[dict[str, object]]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(text) for text in found]


# -- a stale review -----------------------------------------------------------------------------------


def test_a_claim_changed_since_its_review_is_stale_with_where_and_how_to_review_it_again(
    minimal_project: Path,
) -> None:
    edit(minimal_project, DEFECTS, RATIONALE, CHANGED)
    [finding] = review_findings(minimal_project)
    assert finding.severity is Severity.WARNING
    assert (finding.path, finding.rule, finding.field) == (DEFECTS, "review-stale", "review.fingerprint")
    assert finding.line == line_of(minimal_project, DEFECTS, "fingerprint:")
    assert "changed since ana reviewed it on 2021-04-01" in finding.message
    assert "claimledger review widget-defects-fell --by EDITOR" in finding.hint
    dataset, _ = check_project(minimal_project, today=TODAY)
    assert fingerprint(dataset.claims["widget-defects-fell"]) in finding.hint  # to record it by hand


def test_a_change_of_form_alone_leaves_the_review_standing(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, RATIONALE, RATIONALE.replace("rationale: ", "rationale: >-  # reflowed\n  "))
    edit(minimal_project, DEFECTS, "tags: [defects]", "tags: [defects]  # a comment\nnotes: Not shown as verdict.")
    assert review_findings(minimal_project) == []


def test_a_stale_claim_shows_changed_since_review_instead_of_its_verdict_and_has_no_claim_review(
    minimal_project: Path, tmp_path: Path
) -> None:
    edit(minimal_project, DEFECTS, RATIONALE, CHANGED)
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 0, result.stderr  # a warning: the site is still built
    html = page(site, "widget-defects-fell")
    verdict = html.partition('<section class="ct-verdict"')[2].partition("</section>")[0]
    assert '<span class="ct-badge ct-badge-stale">Changed since review</span>' in verdict
    assert "ct-status-disputed" not in verdict  # the verdict's colour is not shown
    assert "has changed since it was last reviewed" in verdict
    assert "<dt>Last reviewed</dt>" in verdict and "; changed since</dd>" in verdict
    assert claim_reviews(html) == []
    assert "<title>Changed since review — " in html
    # Listed elsewhere (the claims table, the other claim's related claims), it shows the same badge.
    index = (site / "claims" / "index.html").read_text(encoding="utf-8")
    row = index.partition('href="../claims/widget-defects-fell/"')[2].partition("</tr>")[0]
    assert "Changed since review" in row and "ct-status-disputed" not in row
    # The other claim, still as reviewed, keeps its verdict and its ClaimReview.
    other = page(site, "widget-report-exists")
    assert "ct-status-corroborated" in other and len(claim_reviews(other)) == 1
    exported = json.loads((site / "claims.json").read_text(encoding="utf-8"))
    stale = {c["id"]: c["review"]["stale"] for c in exported["claims"]}
    assert stale == {"widget-defects-fell": True, "widget-report-exists": False}


def test_a_new_review_clears_it_and_keeps_the_files_comments(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(minimal_project, DEFECTS, RATIONALE, CHANGED + "  # reworded")
    before = (minimal_project / DEFECTS).read_text(encoding="utf-8")
    code, out, _ = review(minimal_project, capsys, "widget-defects-fell", "--by", "ben", "--date", "2021-12-30")
    assert code == 0
    assert out.startswith(f"Recorded in {DEFECTS}: reviewed by Ben Example on 2021-12-30")
    after = (minimal_project / DEFECTS).read_text(encoding="utf-8")
    dataset, found = check_project(minimal_project, today=TODAY)
    assert found == []
    claim = dataset.claims["widget-defects-fell"]
    assert after == re.sub(
        r"review:\n.*\Z",
        f"review:\n  by: ben\n  date: 2021-12-30\n  fingerprint: {fingerprint(claim)}\n",
        before,
        flags=re.S,
    )
    assert "  # reworded" in after
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    html = page(site, "widget-defects-fell")
    assert "Changed since review" not in html and "ct-status-disputed" in html
    [claim_review] = claim_reviews(html)
    assert claim_review["editor"] == [{"@type": "Person", "name": "Ben Example"}]
    assert claim_review["dateModified"] == "2021-12-30"


def test_a_review_by_several_editors_is_written_as_a_list_and_named_on_the_page(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = review(minimal_project, capsys, "widget-defects-fell", "--by", "ben", "--by", "ana")
    assert code == 0
    assert "  by: [ben, ana]\n  date: 2022-01-01\n" in (minimal_project / DEFECTS).read_text(encoding="utf-8")
    assert findings(minimal_project) == []
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    verdict = page(site, "widget-defects-fell").partition('<section class="ct-verdict"')[2].partition("</section>")[0]
    assert (
        '<dt>Reviewed</dt>\n  <dd class="ct-review">by <a href="../../team/#team">Ben Example and Ana Example</a>, '
        '<time datetime="2022-01-01">1 January 2022</time></dd>'
    ) in verdict


# -- who may review -----------------------------------------------------------------------------------


def test_a_reviewer_who_is_not_an_editor_on_the_record_is_an_error(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "  by: ana", "  by: anna")
    [finding] = review_findings(minimal_project)
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line, finding.rule, finding.field) == (
        DEFECTS,
        line_of(minimal_project, DEFECTS, "by: anna"),
        "review-editor",
        "review.by",
    )
    assert "did you mean 'ana'?" in finding.hint and "claims/publisher.yaml" in finding.hint


def test_the_review_command_refuses_a_reviewer_who_is_not_an_editor(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (minimal_project / DEFECTS).read_text(encoding="utf-8")
    code, _, err = review(minimal_project, capsys, "widget-defects-fell", "--by", "mallory")
    assert code == 1
    assert "'mallory' is not on the editors' list" in err and "listed: ana, ben" in err
    assert (minimal_project / DEFECTS).read_text(encoding="utf-8") == before


def test_an_editor_listed_twice_is_an_error(minimal_project: Path) -> None:
    edit(minimal_project, PUBLISHER, "  - id: ben", "  - id: ana")
    [finding] = review_findings(minimal_project)
    assert (finding.path, finding.rule, finding.field) == (PUBLISHER, "review-editor", "editors[1].id")


def test_a_verdict_without_a_review_is_an_error_and_an_unverified_claim_needs_none(minimal_project: Path) -> None:
    path = minimal_project / DEFECTS
    path.write_text(path.read_text(encoding="utf-8").partition("review:\n")[0], encoding="utf-8")
    [finding] = review_findings(minimal_project)
    assert (finding.severity, finding.rule, finding.field) == (Severity.ERROR, "review-missing", "review")
    assert finding.line == line_of(minimal_project, DEFECTS, "status:")
    assert "claimledger review widget-defects-fell --by EDITOR" in finding.hint
    edit(minimal_project, DEFECTS, "status: disputed", "status: unverified")
    assert findings(minimal_project) == []


def test_a_review_dated_after_today_is_in_the_future(minimal_project: Path) -> None:
    edit(minimal_project, DEFECTS, "  date: 2021-04-01", "  date: 2022-01-02")
    assert [(f.rule, f.field) for f in findings(minimal_project)] == [("date-future", "review.date")]


# -- two reviewers --------------------------------------------------------------------------------------


def _two_reviewers_for_disputed(root: Path) -> None:
    edit(root, STATUSES, "evidence: disputing-rebuttal", "evidence: disputing-rebuttal\n    reviewers: 2")


def test_a_status_that_asks_for_two_reviewers_refuses_a_review_by_one(minimal_project: Path) -> None:
    _two_reviewers_for_disputed(minimal_project)
    [finding] = review_findings(minimal_project)
    assert (finding.severity, finding.path, finding.rule, finding.field) == (
        Severity.ERROR,
        DEFECTS,
        "review-reviewers",
        "review.by",
    )
    assert "needs 2 different editors" in finding.message
    assert "--by FIRST --by SECOND" in finding.hint
    edit(minimal_project, DEFECTS, "  by: ana", "  by: [ana, ben]")
    assert review_findings(minimal_project) == []


def test_the_review_command_refuses_one_reviewer_where_two_are_asked_for(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_reviewers_for_disputed(minimal_project)
    code, _, err = review(minimal_project, capsys, "widget-defects-fell", "--by", "ben")
    assert code == 1 and "needs 2 different editors" in err
    code, _, err = review(minimal_project, capsys, "widget-defects-fell", "--by", "ben", "--by", "ben")
    assert code == 1, "the same editor twice is one reviewer"
    code, _, _ = review(minimal_project, capsys, "widget-defects-fell", "--by", "ben", "--by", "ana")
    assert code == 0
    assert findings(minimal_project) == []


# -- what the command refuses ---------------------------------------------------------------------------


def test_the_review_command_refuses_a_claim_with_errors_and_a_date_in_the_future(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = review(minimal_project, capsys, "widget-defects-fell", "--by", "ana", "--date", "2022-01-02")
    assert code == 1 and "in the future" in err
    edit(minimal_project, DEFECTS, "    stance: disputes", "    stance: qualifies")  # disputed, on no evidence
    code, _, err = review(minimal_project, capsys, "widget-defects-fell", "--by", "ana")
    assert code == 1 and "[status-evidence]" in err and "fix them first" in err
    code, _, err = review(minimal_project, capsys, "no-such-claim", "--by", "ana")
    assert code == 1 and "no claim 'no-such-claim'" in err


def test_a_test_helper_signs_claims_as_the_command_does(minimal_project: Path) -> None:
    """tests/reviews.py, which other tests use to write reviewed claims, agrees with the command."""
    path = minimal_project / DEFECTS
    text = path.read_text(encoding="utf-8").partition("review:\n")[0]
    path.write_text(signed(text, claim_id="widget-defects-fell"), encoding="utf-8")
    assert findings(minimal_project) == []
