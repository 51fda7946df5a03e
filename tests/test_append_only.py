"""The record is append-only: ``check --changed`` refuses a change that rewrites a claim's log, back-dates
an entry or deletes a published claim, and says how to withdraw one instead. Every case runs against a
real git repository: the base is ``main``, committed on 1 May 2021."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimledger.cli import main
from claimledger.record.visible import READER_VISIBLE
from claimledger.rules import RULES

from .conftest import REPO
from .gitrepo import git, init

DEFECTS = "claims/claims/widget-defects-fell.yaml"
REPORT = "claims/claims/widget-report-exists.yaml"
FIRST = "  - date: 2021-05-02\n    kind: correction\n    summary: The figure was 12 %, not 21 %.\n"
SECOND = "  - date: 2021-05-03\n    kind: clarification\n    summary: The period is the calendar year 2020.\n"
RETRACTION = (
    "  - date: 2021-06-01\n    kind: retraction\n"
    "    summary: Widgets Inc. never made this claim; it was recorded from a misread press release.\n"
)


@pytest.fixture
def repo(minimal_project: Path) -> Path:
    """The minimal project on ``main``, its defects claim with a two-entry log, and a branch to change it on."""
    init(minimal_project)
    _append(minimal_project / DEFECTS, "log:\n" + FIRST + SECOND)
    git(minimal_project, "commit", "-q", "-am", "Log two changes", date="2021-05-03T12:00:00")
    git(minimal_project, "checkout", "-q", "-b", "feature")
    return minimal_project


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line(path: Path, start: str) -> int:
    """The number of the first line of ``path`` that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(start))


def changed(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str]:
    code = main(["check", "--root", str(root), "--changed", "main"])
    return code, capsys.readouterr().out


# -- the log is never edited or shortened --------------------------------------------------------


def test_an_old_entry_reworded_is_reported_with_what_it_said(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(repo / DEFECTS, "not 21 %.", "not 22 %.")
    _append(repo / DEFECTS, "  - date: 2021-05-04\n    kind: update\n    summary: A new figure.\n")

    code, out = changed(capsys, repo)

    assert code == 1
    line = _line(repo / DEFECTS, "    summary: The figure was")
    assert f"{DEFECTS}:{line}:5: error: this change edits an entry readers were shown (its summary)" in out
    assert "at main it reads: 2021-05-02 correction: The figure was 12 %, not 21 %. [log-edited]" in out
    assert "field: log[0].summary" in out
    assert "hint: the log is append-only: put the entry back as it was" in out


def test_an_old_entry_re_dated_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(repo / DEFECTS, "date: 2021-05-03", "date: 2021-05-02")
    code, out = changed(capsys, repo)
    assert code == 1
    assert f"{DEFECTS}:{_line(repo / DEFECTS, '  - date: 2021-05-02') + 3}:" in out  # the second entry's date
    assert "field: log[1].date" in out
    assert "[log-edited]" in out


def test_a_reflowed_summary_is_the_same_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(
        repo / DEFECTS,
        "summary: The figure was 12 %, not 21 %.",
        "summary: >-\n      The figure was 12 %,\n      not 21 %.",
    )
    code, out = changed(capsys, repo)
    assert code == 0, out


def test_an_old_entry_removed_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(repo / DEFECTS, SECOND, "")
    code, out = changed(capsys, repo)
    assert code == 1
    assert f"{DEFECTS}:{_line(repo / DEFECTS, 'log:')}:1: error: this change removes 1 of the 2 entries" in out
    assert "[log-removed]" in out
    assert "hint: the log is append-only: restore the removed entries as they are at main" in out


def test_the_whole_log_removed_and_the_rationale_rewritten_is_reported_twice(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace(repo / DEFECTS, "log:\n" + FIRST + SECOND, "")
    _replace(repo / DEFECTS, "rationale: A reader disputes", "rationale: Nobody disputes")

    code, out = changed(capsys, repo)

    assert code == 1
    assert f"{DEFECTS}:1:1: error: this change removes the claim's whole log (2 entries at main) [log-removed]" in out
    line = _line(repo / DEFECTS, "rationale:")
    assert f"{DEFECTS}:{line}:1: error: this change to the claim's rationale adds no entry to its log" in out


def test_an_edited_entry_is_reported_even_when_the_count_grows(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Adding an entry does not buy the right to rewrite an old one."""
    _replace(repo / DEFECTS, "kind: clarification", "kind: update")
    _append(repo / DEFECTS, "  - date: 2021-05-04\n    kind: update\n    summary: A new figure.\n")
    code, out = changed(capsys, repo)
    assert code == 1
    assert "field: log[1].kind" in out


# -- log dates: not backwards, not in the future, not before the record ----------------------------


def test_a_new_entry_dated_before_the_last_one_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _append(repo / DEFECTS, "  - date: 2021-05-02\n    kind: update\n    summary: Added later, dated earlier.\n")
    code, out = changed(capsys, repo)
    assert code == 1
    assert "this entry (2021-05-02) comes after one dated 2021-05-03 [log-order]" in out


def test_a_new_entry_dated_in_the_future_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _append(repo / DEFECTS, "  - date: 2999-01-01\n    kind: update\n    summary: From the future.\n")
    code, out = changed(capsys, repo)
    assert code == 1
    assert f"{DEFECTS}:{_line(repo / DEFECTS, '  - date: 2999')}:" in out
    assert "2999-01-01 is in the future" in out
    assert "[date-future]" in out


def test_a_new_entry_back_dated_before_the_claim_was_on_the_record_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The claim reached main on 1 May 2021: nothing can have been corrected on it in 2018."""
    _replace(repo / DEFECTS, "log:\n" + FIRST + SECOND, "")
    git(repo, "commit", "-q", "-am", "A claim with no log", date="2021-05-04T12:00:00")
    git(repo, "branch", "-f", "main", "HEAD")
    _append(repo / DEFECTS, "log:\n  - date: 2018-02-01\n    kind: correction\n    summary: Back-dated.\n")

    code, out = changed(capsys, repo)

    assert code == 1
    line = _line(repo / DEFECTS, "  - date: 2018")
    assert (
        f"{DEFECTS}:{line}:5: error: this new entry is dated 2018-02-01, before the claim was on the record "
        "(its file reached main on 2021-05-01) [log-before-record]"
    ) in out
    assert "field: log[0].date" in out
    assert "hint: date a new entry the day the change is published" in out


def test_the_record_starts_when_a_claim_reached_main_not_when_its_branch_says(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A claim added on a branch whose commit claims 2018 went on the record when the branch was merged."""
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "old-branch")
    text = (repo / REPORT).read_text(encoding="utf-8")
    (repo / "claims/claims/widget-report-again.yaml").write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A claim, dated long ago", date="2018-01-01T12:00:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge", "old-branch", date="2021-06-01T12:00:00")
    git(repo, "checkout", "-q", "-b", "later")
    _append(
        repo / "claims/claims/widget-report-again.yaml",
        "log:\n  - date: 2019-01-01\n    kind: update\n    summary: X.\n",
    )

    code, out = changed(capsys, repo)

    assert code == 1
    assert "before the claim was on the record (its file reached main on 2021-06-01) [log-before-record]" in out


def test_a_new_claim_cannot_log_changes_from_before_the_base(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo / REPORT).read_text(encoding="utf-8")
    (repo / "claims/claims/widget-new.yaml").write_text(
        text + "log:\n  - date: 2020-01-01\n    kind: update\n    summary: Back-dated.\n", encoding="utf-8"
    )
    code, out = changed(capsys, repo)
    assert code == 1
    assert "before the claim was on the record (it is not on main, which was last changed 2021-05-03)" in out


def test_a_new_entry_dated_the_day_of_the_change_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(repo / DEFECTS, "status: disputed", "status: unverified")
    _append(repo / DEFECTS, "  - date: 2021-05-04\n    kind: status-change\n    summary: The doubt is not evidence.\n")
    code, out = changed(capsys, repo)
    assert code == 0, out


# -- a claim is withdrawn, never deleted ---------------------------------------------------------


def test_deleting_a_logged_claim_is_reported_with_how_to_withdraw_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing else refers to the claim: before, its page and log vanished without a word."""
    git(repo, "rm", "-q", DEFECTS)

    code, out = changed(capsys, repo)

    assert code == 1
    assert (
        f"{DEFECTS}:1:1: error: this change deletes the claim 'widget-defects-fell', which is on the record at "
        "main: its page, evidence and log would vanish [claim-deleted]"
    ) in out
    assert "field: status" in out
    assert f"hint: a published claim stays on the record: restore the file (`git checkout main -- {DEFECTS}`)" in out
    assert "`status: withdrawn`" in out
    assert "`kind: retraction`" in out


def test_deleting_a_claim_others_cite_is_reported_as_a_deletion_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", REPORT)
    _replace(repo / DEFECTS, "related: [widget-report-exists]\n", "")
    code, out = changed(capsys, repo)
    assert code == 1
    assert f"{REPORT}:1:1: error: this change deletes the claim 'widget-report-exists'" in out


def test_a_claim_moved_to_a_sub_folder_is_not_deleted(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "claims/claims/2021").mkdir()
    git(repo, "mv", REPORT, "claims/claims/2021/widget-report-exists.yaml")
    code, out = changed(capsys, repo)
    assert code == 0, out


def test_withdrawing_a_claim_with_a_retraction_entry_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(repo / DEFECTS, "status: disputed", "status: withdrawn")
    _replace(repo / DEFECTS, "rationale: A reader disputes the figure", "rationale: Withdrawn, never claimed")
    _append(repo / DEFECTS, RETRACTION)
    code, out = changed(capsys, repo)
    assert code == 0, out


def test_withdrawing_a_claim_without_saying_why_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _replace(repo / DEFECTS, "status: disputed", "status: withdrawn")

    code, out = changed(capsys, repo)

    assert code == 1
    line = _line(repo / DEFECTS, "status:")
    assert (
        f"{DEFECTS}:{line}:1: error: status 'withdrawn' needs a log entry of kind 'retraction' saying when and why "
        "the claim was withdrawn [status-evidence]"
    ) in out
    assert f"{DEFECTS}:{line}:1: error: this change to the claim's status adds no entry to its log" in out


def test_a_withdrawal_logged_as_another_kind_of_change_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace(repo / DEFECTS, "status: disputed", "status: withdrawn")
    _append(repo / DEFECTS, RETRACTION.replace("kind: retraction", "kind: status-change"))
    code, out = changed(capsys, repo)
    assert code == 1
    assert "status 'withdrawn' needs a log entry of kind 'retraction'" in out


# -- every reader-visible change is logged; a change of form is not one ---------------------------

# Each field the record's promise names, changed as a contributor would, the claim still valid.
READER_CHANGES = [
    ("statement", "statement: Widget defects fell by 12 % in 2020.", "statement: Widget defects fell by 13 % in 2020."),
    ("quote", "quote: Widget defects fell by 12% in 2020\n", "quote: Widget defects fell by 12%\n"),
    ("value", "value: -12", "value: -13"),
    ("unit", "unit: percent-change", "unit: ratio"),
    ("qualifier", "unit: percent-change\n", "unit: percent-change\nqualifier: about\n"),
    ("period", "period: 2020", "period: 2020-01/2020-06"),
    ("baseline", "unit: percent-change\n", "unit: percent-change\nbaseline:\n  value: -5\n  period: 2019\n"),
    ("claimant", "claimant: widgets-inc", "claimant: blogger"),
    ("date", "date: 2021-01-15", "date: 2021-01-14"),
    ("status", "status: disputed", "status: unverified"),
    ("rationale", "rationale: A reader disputes the figure", "rationale: One reader disputes the figure"),
    ("rebuttals", "stance: disputes", "stance: qualifies"),  # a piece of evidence's stance
    ("rebuttals", "quote: I do not believe the defect figure.", "quote: I do not believe"),  # its quote
    ("rebuttals", "party: reader", "party: blogger"),  # its party
]


@pytest.mark.parametrize(
    ("field", "old", "new"),
    READER_CHANGES,
    ids=[f"{field}:{old.split(':')[0].strip()}" for field, old, _ in READER_CHANGES],
)
def test_a_reader_visible_change_without_a_new_entry_is_reported_on_its_field(
    repo: Path, capsys: pytest.CaptureFixture[str], field: str, old: str, new: str
) -> None:
    _replace(repo / DEFECTS, old, new)
    code, out = changed(capsys, repo)
    assert code == 1
    line = _line(repo / DEFECTS, f"{field}:")
    assert f"{DEFECTS}:{line}:1: error: this change to the claim's {field} adds no entry to its log" in out
    assert f"field: {field}\n" in out
    assert "hint: add an entry at the end of `log:`" in out


def test_what_fmt_does_to_a_claim_needs_no_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A claim committed in a loose style (fields out of order, quoted, a long line), then formatted."""
    text = (repo / DEFECTS).read_text(encoding="utf-8")
    text = text.replace("statement: Widget defects fell by 12 % in 2020.\n", "")
    text = text.replace("status: disputed\n", 'status: "disputed"\nstatement: "Widget defects fell by 12 % in 2020."\n')
    text = text.replace(
        "rationale: A reader disputes the figure and the report is unpublished.",
        "rationale: A reader disputes the figure and the report is unpublished, so the claim rests on the "
        "company's word alone.",
    )
    (repo / DEFECTS).write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "A claim in a loose style", date="2021-05-04T12:00:00")
    git(repo, "branch", "-f", "main", "HEAD")

    assert main(["fmt", "--root", str(repo)]) == 0
    capsys.readouterr()
    assert git(repo, "diff", "--stat") != ""  # fmt rewrote the file

    code, out = changed(capsys, repo)
    assert code == 0, out


def test_the_reference_names_every_reader_visible_field_in_one_place() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    start = reference.index("- **What readers are told**")
    listed = reference[start : reference.index("\n- ", start + 1)]
    assert "`READER_VISIBLE`" in listed
    assert set(re.findall(r"`([a-z_]+)`", listed)) >= set(READER_VISIBLE)
    for piece in ("stance", "quote", "party"):  # each piece of evidence's
        assert f"`{piece}`" in listed[listed.index("`rebuttals`") :]


def test_the_new_rules_are_explained_in_the_rules_and_the_reference() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    for rule in ("log-edited", "log-removed", "log-before-record", "claim-deleted"):
        assert rule in RULES
        assert f"`{rule}`" in reference


# -- a sign-off made in a pull request is named for the editor it names ----------------------------


def test_a_review_a_change_signs_is_named_for_the_editor_to_approve(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace(repo / DEFECTS, "  date: 2021-04-01\n", "  date: 2021-05-04\n")

    code, out = changed(capsys, repo)

    assert code == 0, out  # a warning: the editor's approval of the pull request is what counts
    line = _line(repo / DEFECTS, "  by:")
    assert f"{DEFECTS}:{line}:" in out
    assert "warning: this change signs the claim's verdict off in the name of ana [review-signed]" in out
    assert "field: review.by" in out
    assert "hint: ana must approve this pull request" in out


def test_a_change_that_leaves_the_review_as_it_was_names_no_sign_off(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace(repo / DEFECTS, "tags: [defects]", "tags: [defects, quality]")
    code, out = changed(capsys, repo)
    assert code == 0, out
    assert "review-signed" not in out
