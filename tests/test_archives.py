"""Archived copies and access dates of web sources: the Wayback address form, and the two warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claimledger.checks.archives import wayback_problem
from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding, Severity

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


def test_a_long_save_address_is_shown_whole_in_the_archive_url_error(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://web.archive.org/save/https://audit.example.org/reports/2018/annual-widget-audit-final.html"
    assert len(url) > 80
    set_field(minimal_project, AUDIT, "archive_url", url)
    assert main(["check", "--root", str(minimal_project)]) == 1
    [line] = [line for line in capsys.readouterr().out.splitlines() if "[archive-url]" in line]
    assert f"{url} is not an archived copy" in line


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


# --- url-host: an address leads where it reads ----------------------------------------------------------------------

POST = "claims/sources/widget-post.yaml"
PUBLISHER = "claims/publisher.yaml"
PARTY = "claims/parties/widgets-inc.yaml"


def _errors(root: Path) -> list[tuple[str, int, int, str, str]]:
    _, findings = check_project(root, TODAY)
    return [(f.path, f.line, f.column, f.rule, f.field) for f in findings if f.severity is Severity.ERROR]


def test_an_archived_copy_whose_real_host_is_not_the_archive_is_an_error(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_field(minimal_project, POST, "archive_url", "https://web.archive.org@evil.example/web/20210202120000/" + PAGE)
    assert main(["check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    line = line_of(minimal_project, POST, "archive_url")
    assert f"{POST}:{line}:1: error: https://web.archive.org@evil.example/web/" in out
    assert "it leads to evil.example: 'web.archive.org@' before the host is user info" in out
    assert "[url-host]\n    field: archive_url\n    hint: write the address as the browser's address bar shows" in out


@pytest.mark.parametrize(
    ("relative", "field"),
    [(POST, "url"), (AUDIT, "archive_url"), (PARTY, "url"), (PUBLISHER, "url"), (PUBLISHER, "logo")],
)
def test_an_address_with_a_user_name_and_password_is_an_error_in_every_address_field(
    minimal_project: Path, relative: str, field: str
) -> None:
    path = minimal_project / relative
    if f"\n{field}:" not in path.read_text(encoding="utf-8"):
        path.write_text(path.read_text(encoding="utf-8") + f"{field}: x\n", encoding="utf-8")
    set_field(minimal_project, relative, field, "https://user:pass@evil.example/")
    assert _errors(minimal_project) == [(relative, line_of(minimal_project, relative, field), 1, "url-host", field)]


@pytest.mark.parametrize(
    "url",
    [
        "https://blog.example.org/widgets@2x",
        "https://blog.example.org/search?q=widgets@example.org",
        "https://blog.example.org/widgets#me@home",
    ],
)
def test_an_at_sign_after_the_host_is_no_user_info(minimal_project: Path, url: str) -> None:
    set_field(minimal_project, POST, "url", url)
    assert _errors(minimal_project) == []


def test_a_wayback_address_is_recognised_by_its_real_host_only() -> None:
    assert wayback_problem("https://web.archive.org@evil.example/save/" + PAGE) is None  # not the archive at all
    assert wayback_problem("https://WEB.ARCHIVE.ORG/save/" + PAGE) is not None


@pytest.mark.parametrize(
    "link", ["[the report](https://user:pass@evil.example/)", "[the copy](https://web.archive.org@evil.example/x)"]
)
def test_a_link_with_user_info_in_a_claim_field_is_an_error(minimal_project: Path, link: str) -> None:
    relative = "claims/claims/widget-defects-fell.yaml"
    path = minimal_project / relative
    path.write_text(path.read_text(encoding="utf-8") + f"notes: See {link}.\n", encoding="utf-8")
    assert _errors(minimal_project) == [(relative, line_of(minimal_project, relative, "notes"), 1, "url-host", "notes")]


def test_a_link_with_user_info_in_a_hand_written_page_is_an_error_at_its_line(minimal_project: Path) -> None:
    (minimal_project / "docs" / "about.md").write_text(
        "# About\n\nRead [the report](https://www.example.org@evil.example/report).\n", encoding="utf-8"
    )
    assert _errors(minimal_project) == [("docs/about.md", 3, 19, "url-host", "")]
