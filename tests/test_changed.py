"""``claimledger check --changed``: findings for the changed files only, references against everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimledger.cli import main

from .gitrepo import git, init

CLAIMS = "claims/claims"


@pytest.fixture
def repo(minimal_project: Path) -> Path:
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    return minimal_project


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _break(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_only_findings_in_changed_files_are_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An error already on main, in a file the branch does not touch ...
    _break(repo / CLAIMS / "widget-report-exists.yaml", "claimant: blogger", "claimant: nobody")
    git(repo, "commit", "-q", "-am", "Old mistake")
    git(repo, "branch", "-f", "main", "HEAD")
    # ... and a new one in the file the branch changes.
    _break(repo / CLAIMS / "widget-defects-fell.yaml", "party: reader", "party: readers")

    code, out, err = run(capsys, "check", "--root", str(repo), "--changed", "main")

    assert code == 1
    assert f"{CLAIMS}/widget-defects-fell.yaml" in out
    assert "widget-report-exists.yaml" not in out
    assert "1 file(s) changed since main" in err


def test_a_clean_change_passes_even_if_other_files_have_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(repo / CLAIMS / "widget-report-exists.yaml", "claimant: blogger", "claimant: nobody")
    git(repo, "commit", "-q", "-am", "Old mistake")
    git(repo, "branch", "-f", "main", "HEAD")
    _break(repo / CLAIMS / "widget-defects-fell.yaml", "tags: [defects]", "tags: [defects, quality]")

    assert run(capsys, "check", "--root", str(repo), "--changed", "main")[0] == 0
    assert run(capsys, "check", "--root", str(repo))[0] == 1


def test_references_in_changed_files_resolve_against_the_whole_dataset(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(repo / CLAIMS / "widget-defects-fell.yaml", "tags: [defects]", "tags: [defects, quality]")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 0, out


def test_untracked_new_files_count_as_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo / CLAIMS / "widget-report-exists.yaml").read_text(encoding="utf-8")
    (repo / CLAIMS / "new-claim.yaml").write_text(text.replace("claimant: blogger", "claimant: ghost"))
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert f"{CLAIMS}/new-claim.yaml:4:1: error: unknown party 'ghost' [ref-party]" in out


def test_deleting_a_source_reports_the_claims_that_still_cite_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", "claims/sources/widget-comment.yaml")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert "unknown source 'widget-comment'" in out
    assert f"{CLAIMS}/widget-defects-fell.yaml" in out


def test_the_default_base_is_main_when_there_is_no_origin(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--root", str(repo), "--changed")
    assert code == 0
    assert "since main" in err


def test_changed_outside_a_git_checkout_is_a_clear_error(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", "--root", str(minimal_project), "--changed")
    assert code == 2
    assert "not a git checkout" in err


def test_a_changed_file_with_a_non_ascii_name_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo / CLAIMS / "widget-report-exists.yaml").read_text(encoding="utf-8")
    (repo / CLAIMS / "widget-r\u00e9port.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert f"{CLAIMS}/widget-r\u00e9port.yaml:1:1: error:" in out


def test_a_duplicate_id_added_in_a_sub_folder_is_reported_on_the_new_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The sub-folder is read before the file it copies, so the full check files the error on the old file.
    (repo / CLAIMS / "2018").mkdir()
    text = (repo / CLAIMS / "widget-defects-fell.yaml").read_text(encoding="utf-8")
    (repo / CLAIMS / "2018" / "widget-defects-fell.yaml").write_text(text, encoding="utf-8")

    code, out, err = run(capsys, "check", "--root", str(repo), "--changed", "main")

    assert code == 1
    assert (
        f"{CLAIMS}/2018/widget-defects-fell.yaml:1:1: error: this file's id 'widget-defects-fell' is also used by "
        f"{CLAIMS}/widget-defects-fell.yaml [duplicate-id]"
    ) in out
    assert "0 errors" not in err


def test_a_change_that_breaks_an_unchanged_file_is_not_reported_clean(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The snapshot changes; the claim quoting it does not, yet its quote is no longer in the snapshot.
    snapshot = repo / "claims/snapshots/widget-post.txt"
    snapshot.write_text("Nothing to see here.\n", encoding="utf-8")

    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")

    assert code == 1
    assert "[quote-not-in-snapshot]" in out or "[snapshot-hash]" in out


def test_errors_the_base_already_had_in_unchanged_files_stay_out(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(repo / CLAIMS / "widget-report-exists.yaml", "claimant: blogger", "claimant: nobody")
    git(repo, "commit", "-q", "-am", "Old mistake")
    git(repo, "branch", "-f", "main", "HEAD")
    git(repo, "rm", "-q", "claims/sources/widget-comment.yaml")

    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")

    assert code == 1
    assert "unknown source 'widget-comment'" in out
    assert "unknown party 'nobody'" not in out


# A change to what a claim says adds an entry to its log.

DEFECTS = f"{CLAIMS}/widget-defects-fell.yaml"
LOG_ENTRY = (
    "log:\n  - date: 2021-05-02\n    kind: status-change\n"
    "    summary: The reader's doubt alone does not show the figure wrong; the status is now unverified.\n"
)


def test_a_status_change_without_a_log_entry_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    git(repo, "commit", "-q", "-am", "Unverified after all")

    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")

    assert code == 1
    assert f"{DEFECTS}:23:1: error: this change to the claim's status adds no entry to its log" in out
    assert "[log-missing]" in out


def test_a_status_change_with_a_new_log_entry_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    (repo / DEFECTS).write_text((repo / DEFECTS).read_text(encoding="utf-8") + LOG_ENTRY, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 0, out


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("value: -12", "value: -13", "value"),
        ("statement: Widget defects fell by 12 % in 2020.", "statement: Widget defects fell in 2020.", "statement"),
        ("quote: Widget defects fell by 12% in 2020\n", "quote: Widget defects fell\n", "quote"),
    ],
)
def test_a_changed_value_statement_or_quote_without_a_log_entry_fails(
    repo: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, field: str
) -> None:
    _break(repo / DEFECTS, old, new)
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert f"this change to the claim's {field} adds no entry to its log" in out


def test_rewrapping_a_quote_is_no_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(
        repo / DEFECTS,
        "quote: Widget defects fell by 12% in 2020\n",
        "quote: >-\n  Widget defects\n  fell by 12% in 2020\n",
    )
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 0, out


def test_an_edited_old_entry_is_not_a_new_one(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / DEFECTS).write_text((repo / DEFECTS).read_text(encoding="utf-8") + LOG_ENTRY, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Log an earlier change")
    git(repo, "branch", "-f", "main", "HEAD")
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    _break(repo / DEFECTS, "the status is now unverified.", "the status is now unverified (reworded).")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert "[log-missing]" in out


def test_a_claim_moved_to_a_sub_folder_is_compared_with_its_old_self(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / CLAIMS / "2021").mkdir()
    git(repo, "mv", DEFECTS, f"{CLAIMS}/2021/widget-defects-fell.yaml")
    _break(repo / CLAIMS / "2021" / "widget-defects-fell.yaml", "status: disputed", "status: unverified")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert f"{CLAIMS}/2021/widget-defects-fell.yaml:23:1: error: this change to the claim's status" in out


def test_a_new_claim_needs_no_log_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo / DEFECTS).read_text(encoding="utf-8")
    (repo / CLAIMS / "widget-defects-fell-again.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 0, out


def test_the_base_version_is_read_by_the_strict_loader_not_by_lines_of_text(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `status:` line inside the notes is text, not the status: editing it changes no status."""
    _break(repo / DEFECTS, "review:\n", "notes: |\n  status: refuted\nreview:\n")
    git(repo, "commit", "-q", "-am", "A note that quotes a status line")
    git(repo, "branch", "-f", "main", "HEAD")
    _break(repo / DEFECTS, "  status: refuted\n", "  status: corroborated\n")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 0, out


def test_a_base_version_git_cannot_read_ends_the_check_with_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blob = git(repo, "rev-parse", f"main:{DEFECTS}").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    code, out, err = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 2, out
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("claimledger: ")] == err.splitlines()[:1]


def test_a_limit_the_change_sets_does_not_keep_the_base_version_from_being_compared(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    padded = (repo / DEFECTS).read_text(encoding="utf-8") + "# " + "x" * 5000 + "\n"
    (repo / DEFECTS).write_text(padded, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "A long comment")
    git(repo, "branch", "-f", "main", "HEAD")
    (repo / "claims" / "limits.yaml").write_text("max_file_size: 4096\n", encoding="utf-8")
    _break(repo / DEFECTS, "x" * 5000, "short")
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "main")
    assert code == 1
    assert "this change to the claim's status adds no entry to its log" in out


# -- --staged: what the pre-commit hook runs ---------------------------------------------------------


def test_staged_counts_only_what_is_staged(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    text = (repo / CLAIMS / "widget-report-exists.yaml").read_text(encoding="utf-8")
    (repo / CLAIMS / "new-claim.yaml").write_text(text.replace("claimant: blogger", "claimant: ghost"))

    code, out, err = run(capsys, "check", "--root", str(repo), "--changed", "--staged")
    assert code == 0, out  # neither the unstaged status change nor the untracked claim is being committed
    assert "0 staged file(s) changed since main" in err

    git(repo, "add", DEFECTS)
    code, out, err = run(capsys, "check", "--root", str(repo), "--changed", "--staged")
    assert code == 1
    assert f"{DEFECTS}:23:1: error: this change to the claim's status adds no entry to its log" in out
    assert "new-claim.yaml" not in out
    assert "1 staged file(s) changed since main" in err


def test_staged_compares_with_the_merge_base_not_the_last_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As CI compares a pull request with its base branch: a change committed earlier on the branch counts."""
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    git(repo, "commit", "-q", "-am", "Unverified after all")
    code, out, _ = run(capsys, "check", "--root", str(repo), "--changed", "--staged")
    assert code == 1
    assert "[log-missing]" in out


def test_staged_without_a_base_branch_compares_with_the_last_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "branch", "-q", "-m", "main", "trunk")
    _break(repo / DEFECTS, "status: disputed", "status: unverified")
    git(repo, "add", DEFECTS)
    code, out, err = run(capsys, "check", "--root", str(repo), "--changed", "--staged")
    assert code == 1
    assert "[log-missing]" in out
    assert "changed since HEAD" in err
    code, _, err = run(capsys, "check", "--root", str(repo), "--changed")
    assert code == 2  # without --staged, no base is guessed
    assert "cannot find a base" in err


def test_staged_before_the_first_commit_checks_every_file(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(minimal_project, "init", "-q", "-b", "main")
    git(minimal_project, "add", "-A")
    code, out, err = run(capsys, "check", "--root", str(minimal_project), "--changed", "--staged")
    assert code == 0, out
    assert "no commit yet: every file is checked" in err


def test_staged_goes_with_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--root", str(repo), "--staged")
    assert code == 2
    assert "--staged goes with --changed" in err


def test_a_base_holding_a_link_out_of_the_repository_is_read_without_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "outside-link").symlink_to("/etc/hostname")
    git(repo, "add", "outside-link")
    git(repo, "commit", "-q", "-m", "A link out of the repository")
    git(repo, "branch", "-f", "main", "HEAD")
    _break(repo / CLAIMS / "widget-defects-fell.yaml", "tags: [defects]", "tags: [defects, quality]")

    code, out = run(capsys, "check", "--root", str(repo), "--changed", "main")[:2]
    assert code == 0, out
