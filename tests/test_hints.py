"""Did-you-mean hints suggest only what was probably meant: never an opposite, never a different status."""

from __future__ import annotations

from pathlib import Path

from claimledger.checks.project import check_project
from claimledger.record.suggest import close_match

CLAIM = "claims/claims/widget-defects-fell.yaml"


def status_hint(project: Path, status: str) -> str:
    path = project / CLAIM
    path.write_text(path.read_text(encoding="utf-8").replace("status: disputed", f"status: {status}"), "utf-8")
    _, findings = check_project(project)
    [finding] = [f for f in findings if f.rule == "ref-status"]
    assert finding.field == "status"
    return finding.hint


def test_an_unknown_status_is_never_answered_with_its_opposite(minimal_project: Path) -> None:
    hint = status_hint(minimal_project, "verified")
    assert "did you mean" not in hint


def test_a_status_hint_lists_the_scale_and_points_to_methodology_not_to_editing_the_scale(
    minimal_project: Path,
) -> None:
    hint = status_hint(minimal_project, "verified")
    assert hint == (
        "the statuses are: corroborated, unverified, unverifiable, disputed, refuted, superseded, withdrawn; "
        "the Rating scale page of the site says what each means and the evidence it needs"
    )
    assert "statuses.yaml" not in hint


def test_a_misspelt_status_is_still_corrected(minimal_project: Path) -> None:
    assert status_hint(minimal_project, "corroborrated").startswith("did you mean 'corroborated'? ")


def test_a_status_with_a_different_ending_is_not_suggested() -> None:
    assert close_match("unverified", ["unverifiable"], typo_only=True) is None
    assert close_match("unverifed", ["unverified", "unverifiable"], typo_only=True) == "unverified"


def test_an_unknown_stance_is_not_answered_with_its_opposite(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    path.write_text(path.read_text(encoding="utf-8").replace("stance: disputes", "stance: undisputes"), "utf-8")
    _, findings = check_project(minimal_project)
    [finding] = findings
    assert "did you mean" not in finding.hint
    assert finding.hint.startswith("allowed: ")
