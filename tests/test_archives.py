"""Archived copies and access dates of web sources: the Wayback address form, and the two warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claimledger.checks.archives import wayback_problem
from claimledger.cli import main
from claimledger.findings import Finding, Severity
from claimledger.project import check_project

from .yamledit import line_of, set_field

TODAY = dt.date(2022, 1, 1)
AUDIT = "claims/sources/audit.yaml"  # a web source with archive_url and accessed
REPORT = "claims/sources/widget-report.yaml"  # url: unknown, no archive_url, no accessed
ARCHIVE_RULES = frozenset({"archive-url", "archive-missing", "accessed-missing"})
PAGE = "https://example.org/x"


def archive_findings(root: Path) -> list[Finding]:
    _, findings = check_project(root, TODAY)
    return [f for f in findings if f.rule in ARCHIVE_RULES]


# --- wayback_problem ----------------------------------------------------------------------------------------------


def test_a_wayback_snapshot_with_a_14_digit_timestamp_is_fine() -> None:
    assert wayback_problem(f"https://web.archive.org/web/20180112000000/{PAGE}") is None


def test_a_wayback_snapshot_with_a_raw_content_flag_is_fine() -> None:
    assert wayback_problem(f"https://web.archive.org/web/20180112000000id_/{PAGE}") is None


@pytest.mark.parametrize(
    "url",
    [
        f"https://web.archive.org/save/{PAGE}",
        f"https://web.archive.org/save/_embed/{PAGE}",
        f"https://archive.org/save/{PAGE}",
    ],
)
def test_a_save_address_is_a_problem(url: str) -> None:
    problem = wayback_problem(url)
    assert problem is not None
    assert "/save/" in problem


def test_a_snapshot_of_a_page_whose_own_path_contains_save_is_fine() -> None:
    assert wayback_problem("https://web.archive.org/web/20180112000000/https://example.org/save/x") is None


@pytest.mark.parametrize(
    "url",
    [
        f"https://web.archive.org/web/*/{PAGE}",
        f"https://web.archive.org/web/2018*/{PAGE}",
        "https://web.archive.org/web/20180112000000/https://example.org/*",
    ],
)
def test_a_wildcard_address_is_a_problem(url: str) -> None:
    assert wayback_problem(url) is not None


def test_a_12_digit_timestamp_is_a_problem() -> None:
    problem = wayback_problem(f"https://web.archive.org/web/201801120000/{PAGE}")
    assert problem is not None
    assert "14 digits" in problem


@pytest.mark.parametrize("timestamp", ["20181301000000", "20180230000000", "20180112250000", "20180112006100"])
def test_a_14_digit_timestamp_that_is_no_real_moment_is_a_problem(timestamp: str) -> None:
    assert wayback_problem(f"https://web.archive.org/web/{timestamp}/{PAGE}") == f"{timestamp} is not a valid timestamp"


@pytest.mark.parametrize(
    "url",
    [
        "https://archive.ph/AbC12",
        "https://archive.today/20180112000000/https://example.org/x",
        "https://archive.is/2018*/example.org",
        "https://perma.cc/ABCD-1234",
    ],
)
def test_archives_other_than_the_wayback_machine_are_not_judged(url: str) -> None:
    assert wayback_problem(url) is None


def test_an_internet_archive_item_page_is_not_judged_as_a_wayback_address() -> None:
    assert wayback_problem("https://archive.org/details/widgets-annual-report-2020") is None


# --- the check, on the minimal project ----------------------------------------------------------------------------


def test_the_minimal_project_has_no_archive_findings(minimal_project: Path) -> None:
    assert archive_findings(minimal_project) == []


def test_a_save_address_as_archive_url_is_an_archive_url_error_at_that_line(minimal_project: Path) -> None:
    set_field(minimal_project, AUDIT, "archive_url", "https://web.archive.org/save/https://audit.example.org/report")
    [finding] = archive_findings(minimal_project)
    assert (finding.rule, finding.severity) == ("archive-url", Severity.ERROR)
    assert (finding.path, finding.line, finding.field) == (
        AUDIT,
        line_of(minimal_project, AUDIT, "archive_url"),
        "archive_url",
    )


def test_check_exits_1_on_an_archive_url_error(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_field(minimal_project, AUDIT, "archive_url", "https://web.archive.org/save/https://audit.example.org/report")
    assert main(["check", "--root", str(minimal_project)]) == 1
    assert "[archive-url]" in capsys.readouterr().out


def test_a_web_source_without_archive_url_gets_an_archive_missing_warning_at_its_url(minimal_project: Path) -> None:
    set_field(minimal_project, AUDIT, "archive_url", None)
    [finding] = archive_findings(minimal_project)
    assert (finding.rule, finding.severity) == ("archive-missing", Severity.WARNING)
    assert (finding.path, finding.line) == (AUDIT, line_of(minimal_project, AUDIT, "url"))


def test_a_web_source_without_accessed_gets_an_accessed_missing_warning_at_its_url(minimal_project: Path) -> None:
    set_field(minimal_project, AUDIT, "accessed", None)
    [finding] = archive_findings(minimal_project)
    assert (finding.rule, finding.severity) == ("accessed-missing", Severity.WARNING)
    assert (finding.path, finding.line) == (AUDIT, line_of(minimal_project, AUDIT, "url"))


def test_archive_warnings_do_not_make_check_exit_non_zero(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_field(minimal_project, AUDIT, "archive_url", None)
    set_field(minimal_project, AUDIT, "accessed", None)
    assert main(["check", "--root", str(minimal_project)]) == 0
    out = capsys.readouterr().out
    assert "warning:" in out
    assert "[archive-missing]" in out
    assert "[accessed-missing]" in out


def test_a_source_with_url_unknown_gets_neither_warning(minimal_project: Path) -> None:
    text = (minimal_project / REPORT).read_text(encoding="utf-8")
    assert "url: unknown\n" in text
    assert "archive_url:" not in text
    assert "accessed:" not in text
    assert [f for f in archive_findings(minimal_project) if f.path == REPORT] == []


def test_a_web_source_changed_to_url_unknown_loses_both_warnings(minimal_project: Path) -> None:
    set_field(minimal_project, AUDIT, "archive_url", None)
    set_field(minimal_project, AUDIT, "accessed", None)
    assert {f.rule for f in archive_findings(minimal_project)} == {"archive-missing", "accessed-missing"}
    set_field(minimal_project, AUDIT, "url", "unknown")
    assert archive_findings(minimal_project) == []
