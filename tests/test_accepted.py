"""Known warnings: accepted once, with a reason, who and when; counted in the summary, not repeated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.cli import main

from .conftest import REPO

POST = "claims/sources/widget-post.yaml"
ENTRY = """\
  - file: {file}
    rule: {rule}
    reason: No archived copy could be made.
    accepted_by: ana
    date: 2026-11-30
"""


def accept(project: Path, *entries: tuple[str, str]) -> None:
    text = "accepted:\n" + "".join(ENTRY.format(file=file, rule=rule) for file, rule in entries)
    (project / "claims/accepted-warnings.yaml").write_text(text, encoding="utf-8")


def drop_archive(project: Path) -> None:
    path = project / POST
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("archive_")), encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    code = main(["check", "--root", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_accepted_warning_is_counted_in_the_summary_and_not_printed(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, (POST, "archive-missing"))
    code, out, err = run(capsys, minimal_project)
    assert code == 0
    assert out == ""
    assert "claimledger: 0 errors, 0 warnings (1 accepted, listed in claims/accepted-warnings.yaml)" in err


def test_an_accepted_warning_is_not_annotated_on_a_pull_request(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, (POST, "archive-missing"))
    assert "archive-missing" not in run(capsys, minimal_project, "--format", "github")[1]


def test_a_warning_not_accepted_is_still_printed(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, ("claims/sources/audit.yaml", "archive-missing"))
    _, out, _ = run(capsys, minimal_project)
    assert f"{POST}:" in out and "[archive-missing]" in out


def test_an_entry_whose_warning_no_longer_occurs_is_reported(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accept(minimal_project, (POST, "archive-missing"))
    code, out, _ = run(capsys, minimal_project)
    assert code == 0
    assert "claims/accepted-warnings.yaml:2:5: warning: no archive-missing warning on" in out
    assert "[accepted-warning]" in out
    assert "hint: remove this entry" in out


def test_an_error_cannot_be_accepted(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = minimal_project / "claims/claims/widget-defects-fell.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("party: reader", "party: nobody"), encoding="utf-8")
    accept(minimal_project, ("claims/claims/widget-defects-fell.yaml", "ref-party"))
    code, out, _ = run(capsys, minimal_project)
    assert code == 1
    assert "[ref-party]" in out
    assert "an error cannot be accepted" in out


def test_an_acceptance_without_a_reason_is_refused(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accept(minimal_project, (POST, "archive-missing"))
    path = minimal_project / "claims/accepted-warnings.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    reason: No archived copy could be made.\n", ""))
    code, out, _ = run(capsys, minimal_project)
    assert code == 1
    assert "claims/accepted-warnings.yaml:" in out and "'reason'" in out


def test_the_shipped_data_prints_no_warning_nobody_can_act_on() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "claimledger", "check"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout == ""
    assert "0 errors, 0 warnings (2 accepted, listed in claims/accepted-warnings.yaml)" in done.stderr
