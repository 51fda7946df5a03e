"""The command line: ``claimledger check`` and ``claimledger export``."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.cli import main
from claimledger.exports.formats import CSV_COLUMNS

from .conftest import REPO
from .reviews import resign

DEFECTS = "claims/claims/widget-defects-fell.yaml"


def break_status(root: Path) -> None:
    """Give the first fixture claim a misspelt status: one error, with a field and a hint."""
    path = root / DEFECTS
    path.write_text(path.read_text(encoding="utf-8").replace("status: disputed", "status: disputd"), encoding="utf-8")
    resign(path)  # signed off as it now is: the one finding is the status's


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# check


def test_check_on_a_valid_project_exits_0_and_prints_no_findings(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", "--root", str(minimal_project))
    assert code == 0
    assert out == ""
    assert "0 errors" in err


def test_check_on_a_project_with_an_error_exits_1(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_status(minimal_project)
    code, _, err = run(capsys, "check", "--root", str(minimal_project))
    assert code == 1
    assert "1 error" in err


def test_check_prints_each_finding_as_path_line_column_message_rule_then_field_and_hint(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_status(minimal_project)
    _, out, _ = run(capsys, "check", "--root", str(minimal_project))
    assert out.splitlines() == [
        f"{DEFECTS}:23:1: error: unknown status 'disputd' [ref-status]",
        "    field: status",
        "    hint: did you mean 'disputed'? the statuses are: corroborated, unverified, unverifiable, disputed, "
        "refuted, superseded, withdrawn; the Rating scale page of the site says what each means and the evidence "
        "it needs",
    ]


def test_check_text_output_has_only_finding_field_hint_and_detail_lines(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (minimal_project / "claims/claims/broken.yaml").write_text("statement: [unclosed\n", encoding="utf-8")
    break_status(minimal_project)
    _, out, _ = run(capsys, "check", "--root", str(minimal_project))
    finding = re.compile(r"^[^\s:]+:\d+:\d+: error: .+ \[[a-z0-9-]+\]$")
    detail = re.compile(r"^    (field|hint|detail): .+$")
    lines = out.splitlines()
    assert sum(bool(finding.match(line)) for line in lines) == 2
    assert all(finding.match(line) or detail.match(line) for line in lines), out


def test_check_json_prints_a_list_of_findings_with_every_key(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_status(minimal_project)
    code, out, _ = run(capsys, "check", "--root", str(minimal_project), "--format", "json")
    assert code == 1
    findings = json.loads(out)
    assert isinstance(findings, list)
    assert len(findings) == 1
    assert set(findings[0]) == {
        "severity",
        "path",
        "line",
        "column",
        "field",
        "message",
        "hint",
        "detail",
        "rule",
    }
    assert findings[0]["severity"] == "error"
    assert (findings[0]["path"], findings[0]["line"], findings[0]["column"]) == (DEFECTS, 23, 1)
    assert findings[0]["rule"] == "ref-status"


def test_check_json_on_a_valid_project_prints_an_empty_list(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", "--root", str(minimal_project), "--format", "json")
    assert code == 0
    assert json.loads(out) == []


def test_check_github_prints_workflow_error_commands(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_status(minimal_project)
    code, out, _ = run(capsys, "check", "--root", str(minimal_project), "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"::error file={DEFECTS},line=23,col=1,title=ref-status::unknown status 'disputd'")
    assert "%0Ahint: did you mean 'disputed'?" in lines[0]


def test_check_github_output_has_one_command_per_finding(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (minimal_project / "claims/claims/broken.yaml").write_text("statement: [unclosed\n", encoding="utf-8")
    break_status(minimal_project)
    _, out, _ = run(capsys, "check", "--root", str(minimal_project), "--format", "github")
    command = re.compile(r"^::error file=[^,:]+,line=\d+,col=\d+,title=[a-z0-9-]+::\S.*$")
    lines = out.splitlines()
    assert len(lines) == 2
    assert all(command.match(line) for line in lines), out


def test_check_root_lets_it_run_from_another_directory(
    minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    break_status(minimal_project)
    code, out, _ = run(capsys, "check", "--root", str(minimal_project))
    assert code == 1
    assert out.startswith(f"{DEFECTS}:23:1:")


def test_check_accepts_a_relative_root(
    minimal_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(minimal_project.parent)
    code, _, _ = run(capsys, "check", "--root", minimal_project.name)
    assert code == 0


def test_check_defaults_to_the_current_directory(
    minimal_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(minimal_project)
    break_status(minimal_project)
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert out.startswith(f"{DEFECTS}:23:1:")


def test_check_without_a_claims_folder_exits_2_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--root", str(tmp_path))
    assert code == 2
    assert out == ""
    assert "no claims/ folder" in err
    assert "hint:" in err
    assert "--root" in err


def test_export_without_a_claims_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--root", str(tmp_path))
    assert code == 2
    assert out == ""


# export


def test_export_json_has_claims_sources_parties_and_statuses(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "export", "--root", str(minimal_project), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"claims", "sources", "parties", "statuses"} <= set(data)
    assert [c["id"] for c in data["claims"]] == ["widget-defects-fell", "widget-report-exists"]
    assert {s["id"] for s in data["sources"]} == {"audit", "widget-comment", "widget-post", "widget-report"}
    assert {p["id"] for p in data["parties"]} == {"auditor", "blogger", "cqo", "reader", "widgets-inc"}
    assert [s["id"] for s in data["statuses"]][:2] == ["corroborated", "unverified"]


def test_export_is_json_by_default(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project))
    assert isinstance(json.loads(out)["claims"], list)


def test_export_json_claim_has_its_documented_fields(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project))
    claims = json.loads(out)["claims"]
    required = {
        "id",
        "statement",
        "value",
        "unit",
        "baseline",
        "status",
        "claimant",
        "date",
        "appearances",
        "rebuttals",
        "related",
        "tags",
    }
    for claim in claims:
        assert required <= set(claim), required - set(claim)
        assert all({"source", "quote"} <= set(a) for a in claim["appearances"])
        assert all({"source", "party", "stance", "summary", "quote"} <= set(r) for r in claim["rebuttals"])


def test_export_json_claim_values(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project))
    claim = json.loads(out)["claims"][0]
    assert claim["id"] == "widget-defects-fell"
    assert claim["statement"] == "Widget defects fell by 12 % in 2020."
    assert claim["value"] == -12
    assert claim["unit"] == "percent-change"
    assert claim["baseline"] is None
    assert claim["status"] == "disputed"
    assert claim["claimant"] == "widgets-inc"
    assert claim["date"] == "2021-01-15"
    assert claim["appearances"][0]["source"] == "widget-post"
    assert claim["rebuttals"][0] == {
        "source": "widget-comment",
        "party": "reader",
        "stance": "disputes",
        "summary": "A reader doubts the figure.",
        "quote": "I do not believe the defect figure.",
        "via": None,
        "locator": None,
    }
    assert claim["related"] == ["widget-report-exists"]
    assert claim["tags"] == ["defects"]


def test_export_json_says_unknown_for_a_date_recorded_as_unknown(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project))
    sources = {s["id"]: s for s in json.loads(out)["sources"]}
    assert sources["widget-comment"]["published"] == "unknown"  # `published: unknown` in its file


def test_export_json_gives_null_for_a_date_that_is_not_given(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project))
    sources = {s["id"]: s for s in json.loads(out)["sources"]}
    assert "accessed" not in (minimal_project / "claims/sources/widget-report.yaml").read_text(encoding="utf-8")
    assert sources["widget-report"]["accessed"] is None


def test_export_csv_tells_an_unknown_date_from_one_not_given(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / DEFECTS
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2021-01-15", "date: unknown"), encoding="utf-8")
    _, out, _ = run(capsys, "export", "--root", str(minimal_project), "--format", "csv")
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in csv_rows(out)[1:]]
    assert rows[0]["date"] == "unknown"
    assert rows[1]["baseline_period"] == ""  # no baseline: not applicable, an empty cell


def test_export_csv_carries_the_spokesperson_conversions_baseline_quote_and_rebuttal_parties(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project), "--format", "csv")
    row = dict(zip(CSV_COLUMNS, csv_rows(out)[1], strict=True))
    assert row["page"] == "claims/widget-defects-fell/"
    assert row["spokesperson"] == "cqo"
    assert row["rebuttal_parties"] == "reader"
    assert {"conversions", "baseline_quote"} <= set(row)


def test_export_json_gives_each_item_its_page_and_keeps_its_own_url(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "export", "--root", str(minimal_project))
    data = json.loads(out)
    assert data["claims"][0]["page"] == "claims/widget-defects-fell/"
    post = next(s for s in data["sources"] if s["id"] == "widget-post")
    assert post["page"] == "sources/widget-post/"
    assert post["url"] == "https://blog.example.org/widgets"


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_export_csv_has_a_header_row_and_one_row_per_claim(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "export", "--root", str(minimal_project), "--format", "csv")
    assert code == 0
    rows = csv_rows(out)
    assert rows[0] == list(CSV_COLUMNS)
    assert [row[0] for row in rows[1:]] == ["widget-defects-fell", "widget-report-exists"]
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)


def test_export_csv_neutralises_a_formula_but_keeps_a_negative_number(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / DEFECTS
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "statement: Widget defects fell by 12 % in 2020.",
            """statement: '=HYPERLINK("https://evil.example","click")'""",
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "export", "--root", str(minimal_project), "--format", "csv")
    assert code == 0
    row = dict(zip(CSV_COLUMNS, csv_rows(out)[1], strict=True))
    assert row["statement"] == """'=HYPERLINK("https://evil.example","click")"""
    assert row["value"] == "-12"


def test_export_refuses_a_dataset_with_errors(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    break_status(minimal_project)
    code, out, err = run(capsys, "export", "--root", str(minimal_project))
    assert code == 1
    assert out == ""
    assert "not exported" in err
    assert f"{DEFECTS}:23:1:" in err


def test_export_refuses_to_write_the_output_file_when_the_dataset_has_errors(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_status(minimal_project)
    target = tmp_path / "out.json"
    code, _, _ = run(capsys, "export", "--root", str(minimal_project), "--output", str(target))
    assert code == 1
    assert not target.exists()


def test_export_output_writes_the_file_and_nothing_to_stdout(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dataset.json"
    code, out, _ = run(capsys, "export", "--root", str(minimal_project), "--output", str(target))
    assert code == 0
    assert out == ""
    assert [c["id"] for c in json.loads(target.read_text(encoding="utf-8"))["claims"]] == [
        "widget-defects-fell",
        "widget-report-exists",
    ]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_output_never_writes_through_a_link_planted_at_a_temporary_name(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("untouched", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / ".dataset.json.tmp").symlink_to(elsewhere)  # the name a former version wrote through
    code, _, _ = run(capsys, "export", "--root", str(minimal_project), "--output", str(out_dir / "dataset.json"))
    assert code == 0
    assert elsewhere.read_text(encoding="utf-8") == "untouched"
    assert json.loads((out_dir / "dataset.json").read_text(encoding="utf-8"))["claims"]
    assert not (out_dir / "dataset.json").is_symlink()
    mask = os.umask(0)
    os.umask(mask)
    assert (out_dir / "dataset.json").stat().st_mode & 0o777 == 0o666 & ~mask  # as any new file, not owner-only


def test_export_output_writes_csv_to_a_file(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "claims.csv"
    code, _, _ = run(capsys, "export", "--root", str(minimal_project), "--format", "csv", "-o", str(target))
    assert code == 0
    assert csv_rows(target.read_text(encoding="utf-8"))[0] == list(CSV_COLUMNS)


def test_export_output_replaces_an_existing_file(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dataset.json"
    target.write_text("old", encoding="utf-8")
    run(capsys, "export", "--root", str(minimal_project), "--output", str(target))
    assert "claims" in json.loads(target.read_text(encoding="utf-8"))


def test_export_output_into_a_missing_folder_fails_with_a_message(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "dataset.json"
    code, out, err = run(capsys, "export", "--root", str(minimal_project), "--output", str(target))
    assert code != 0
    assert out == ""
    assert "no-such-folder" in err


# The real entry point, in a separate process.


def claimledger(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimledger", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_module_entry_point_checks_a_valid_project(minimal_project: Path, tmp_path: Path) -> None:
    result = claimledger("check", "--root", str(minimal_project), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "0 errors" in result.stderr


def test_module_entry_point_reports_a_broken_project_and_exits_1(minimal_project: Path) -> None:
    break_status(minimal_project)
    result = claimledger("check", cwd=minimal_project)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{DEFECTS}:23:1: error: unknown status 'disputd' [ref-status]\n")


def test_module_entry_point_without_a_project_exits_2(tmp_path: Path) -> None:
    result = claimledger("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "hint:" in result.stderr


def test_module_entry_point_exports_csv(minimal_project: Path, tmp_path: Path) -> None:
    result = claimledger("export", "--root", str(minimal_project), "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert csv_rows(result.stdout)[0] == list(CSV_COLUMNS)


def test_a_conversion_by_someone_the_source_does_not_name_reads_unknown_in_csv(tmp_path: Path) -> None:
    out = tmp_path / "claims.csv"
    assert main(["export", "--root", str(REPO), "--format", "csv", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "54000000 EUR by unknown in ipkat-2018-01-12-alibaba-2017-ip-report" in text
    assert "by None" not in text


def _program(root: Path, *argv: str, before: str = "") -> subprocess.CompletedProcess[str]:
    """``claimledger ARGV`` as the installed program runs it (:func:`claimledger.cli.run`), after ``before``."""
    code = f"import sys\n{before}\nfrom claimledger.cli import run\nsys.argv = ['claimledger', *sys.argv[1:]]\nrun()\n"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=root, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_program_exits_with_the_commands_status_its_output_whole(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = _program(minimal_project, "export", "--format", "csv")
    in_process = run(capsys, "export", "--format", "csv", "--root", str(minimal_project))
    assert (exported.returncode, exported.stdout) == in_process[:2]
    break_status(minimal_project)
    checked = _program(minimal_project, "check")
    assert checked.returncode == 1 and "error" in checked.stderr


def test_the_program_runs_what_was_registered_to_run_at_exit(minimal_project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    before = f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)"
    assert _program(minimal_project, "check", before=before).returncode == 0
    assert marker.is_file()
