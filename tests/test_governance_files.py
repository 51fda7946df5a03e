"""The files that govern the checks are checked like data: accepted warnings (real dates, not in the
future, accepted by an editor on the record, never in the change that causes them) and limits (under
ceilings set in code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding, Severity
from claimledger.record.loader import CEILINGS

from .gitrepo import git, init

ACCEPTED = "claims/accepted-warnings.yaml"
LIMITS = "claims/limits.yaml"
POST = "claims/sources/widget-post.yaml"
PUBLISHER = "claims/publisher.yaml"


def accept(root: Path, *, date: str = "2021-01-01", by: str = "ana", file: str = POST) -> None:
    (root / ACCEPTED).write_text(
        f"accepted:\n  - file: {file}\n    rule: archive-missing\n    reason: No copy could be made.\n"
        f"    accepted_by: {by}\n    date: {date}\n",
        encoding="utf-8",
    )


def drop_archive(root: Path) -> None:
    path = root / POST
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("archive_")), encoding="utf-8")


def drop_editors(root: Path) -> None:
    """The publisher file with no editors on the record (a new project's, before its first verdict)."""
    text = (root / PUBLISHER).read_text(encoding="utf-8")
    (root / PUBLISHER).write_text(text[: text.index("editors:")], encoding="utf-8")


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--root", str(root), "--today", "2021-06-01", *args])
    return code, capsys.readouterr().out


def test_an_impossible_acceptance_date_is_an_error_and_accepts_nothing(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, date="2018-02-30")
    code, out = check(minimal_project, capsys)
    assert code == 1
    assert (
        f"{ACCEPTED}:6:5: error: '2018-02-30' is not a real date: day is out of range for month [date-invalid]" in out
    )
    assert "    field: accepted[0].date\n    hint: write the real calendar date" in out
    assert f"{POST}:" in out and "[archive-missing]" in out  # still reported


def test_an_acceptance_date_in_the_future_is_an_error(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, date="2021-06-03")
    code, out = check(minimal_project, capsys)
    assert code == 1
    assert f"{ACCEPTED}:6:5: error: 2021-06-03 is in the future (it is 2021-06-01 in the earliest time zone)" in out


def test_with_editors_on_the_record_an_entry_names_one_of_them(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, by="former editors")
    _, out = check(minimal_project, capsys)
    assert (
        f"{ACCEPTED}:5:5: error: 'former editors' is not an editor on the record (the editors of "
        f"{PUBLISHER}: ana, ben) [accepted-by]"
    ) in out
    assert "    field: accepted[0].accepted_by\n    hint: name the editor who accepted the warning by the id" in out
    assert "[archive-missing]" in out


def test_an_editor_on_the_record_accepts_a_warning(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_archive(minimal_project)
    accept(minimal_project, by="ana")
    _, out = check(minimal_project, capsys)
    assert "[accepted-by]" not in out
    assert "[archive-missing]" not in out


def test_while_no_editors_are_on_the_record_no_entry_accepts_a_warning(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(minimal_project)
    drop_editors(minimal_project)
    accept(minimal_project, by="claimledger editors")
    code, out = check(minimal_project, capsys)
    assert code == 1
    assert (
        f"{ACCEPTED}:5:5: error: 'claimledger editors' is not an editor on the record (the editors of "
        f"{PUBLISHER}: none) [accepted-by]"
    ) in out
    assert "[archive-missing]" in out


# -- accepting a warning in the change that introduces it ------------------------------------------


@pytest.fixture
def repo(minimal_project: Path) -> Path:
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    return minimal_project


def test_a_change_cannot_accept_the_warning_it_introduces(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_archive(repo)
    accept(repo)

    code, out = check(repo, capsys, "--changed", "main")

    assert code == 1
    assert (
        f"{ACCEPTED}:2:5: error: this entry accepts the archive-missing warning on {POST}, which this change "
        "introduces (main has no such warning) [accepted-in-change]"
    ) in out
    assert "    field: accepted[0]\n    hint: act on the warning;" in out
    assert f"{POST}:" in out and "[archive-missing]" in out  # shown after all


def test_an_entry_already_on_main_does_not_hide_a_warning_the_change_introduces(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accept(repo)  # an entry whose warning does not occur on main
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "An entry ahead of its warning")
    git(repo, "branch", "-f", "main", "HEAD")
    drop_archive(repo)

    code, out = check(repo, capsys, "--changed", "main")

    assert code == 1
    assert "[accepted-in-change]" in out
    assert "[archive-missing]" in out


def test_accepting_a_warning_main_already_has_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_archive(repo)
    git(repo, "commit", "-q", "-am", "A source without an archived copy")
    git(repo, "branch", "-f", "main", "HEAD")
    accept(repo)

    code, out = check(repo, capsys, "--changed", "main")

    assert code == 0, out
    assert "[accepted-in-change]" not in out
    assert "[archive-missing]" not in out


# -- limits ---------------------------------------------------------------------------------------


def limit_errors(root: Path) -> list[Finding]:
    _, findings = check_project(root)
    return [f for f in findings if f.severity is Severity.ERROR]


def test_a_limit_above_its_ceiling_is_an_error_naming_the_ceiling(minimal_project: Path) -> None:
    (minimal_project / LIMITS).write_text("max_list_items: 2000\nmax_file_size: 1000000000\n", encoding="utf-8")
    [found] = limit_errors(minimal_project)
    assert (found.path, found.line, found.column, found.rule, found.field) == (
        LIMITS,
        2,
        1,
        "limit-ceiling",
        "max_file_size",
    )
    assert found.message == "max_file_size is 1,000,000,000, above the ceiling of 67,108,864 that claimledger allows"
    assert found.hint.startswith("set max_file_size to at most 67,108,864")


def test_a_list_limit_above_its_ceiling_is_an_error(minimal_project: Path) -> None:
    (minimal_project / LIMITS).write_text(f"max_list_items: {CEILINGS.max_list_items + 1}\n", encoding="utf-8")
    assert [(f.rule, f.field) for f in limit_errors(minimal_project)] == [("limit-ceiling", "max_list_items")]


def test_a_limit_at_its_ceiling_is_allowed(minimal_project: Path) -> None:
    (minimal_project / LIMITS).write_text(
        f"max_file_size: {CEILINGS.max_file_size}\nmax_list_items: {CEILINGS.max_list_items}\n", encoding="utf-8"
    )
    assert limit_errors(minimal_project) == []


def test_an_entry_wrong_as_data_and_new_with_its_warning_takes_back_no_count(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_archive(repo)
    accept(repo, date="2018-02-30")
    code = main(["check", "--root", str(repo), "--today", "2021-06-01", "--changed", "main"])
    err = capsys.readouterr().err
    assert code == 1
    assert "accepted" not in err.splitlines()[-1]
