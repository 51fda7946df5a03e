"""The YAML mistakes contributors make, each explained in plain words: the line where the problem
starts, the field being written, and the fix; the parser's own words kept as a detail."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding
from claimledger.rules import RULES

from .conftest import REPO

CLAIM = "claims/claims/widget-defects-fell.yaml"


def mistake(project: Path, old: str, new: str) -> Finding:
    """The one finding the full check reports once ``old`` is replaced by ``new`` in a valid claim."""
    path = project / CLAIM
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, findings = check_project(project)
    assert len(findings) == 1, findings
    return findings[0]


def test_a_tab_in_the_indentation_says_to_use_spaces(minimal_project: Path) -> None:
    found = mistake(minimal_project, "    party: reader", "\tparty: reader")
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 19, 1)
    assert found.message == "line 19 is indented with a tab: YAML allows only spaces there"
    assert found.field == "rebuttals[0].party"
    assert "spaces" in found.hint
    assert "found character '\\t' that cannot start any token" in found.detail


def test_an_unclosed_quote_is_reported_where_it_opens(minimal_project: Path) -> None:
    found = mistake(minimal_project, "summary: A reader doubts the figure.", 'summary: "A reader doubts the figure.')
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 21, 14)
    assert found.message == 'the quote (") that opens this text on line 21 is never closed'
    assert found.field == "rebuttals[0].summary"
    assert 'end the text with "' in found.hint
    assert "found unexpected end of stream (line 29" in found.detail


def test_an_unclosed_quote_running_into_a_later_quote_is_reported_where_it_opens(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The quote opened on line 2 is never closed there: YAML reads on, across lines, to the next '"' (on line
    # 21), and stops at the text after it; the mistake is on line 2.
    path = minimal_project / CLAIM
    text = path.read_text(encoding="utf-8")
    text = text.replace("statement: Widget", 'statement: "Widget', 1)
    text = text.replace("summary: A reader doubts the figure.", 'summary: "A reader" doubts it.', 1)
    path.write_text(text, encoding="utf-8")
    _, findings = check_project(minimal_project)
    [found] = findings
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 2, 12)
    assert found.field == "statement"
    assert found.message == (
        'the quote (") that opens this text on line 2 is never closed on its line: '
        'YAML reads on to the next " on line 21'
    )
    assert 'end the text with " on line 2' in found.hint
    assert "(line 21, column 15)" in found.detail  # where the parser gave up
    assert main(["check", "--root", str(minimal_project)]) == 1
    assert f"{CLAIM}:2:12: error: the quote" in capsys.readouterr().out


def test_a_colon_and_space_inside_a_value_asks_for_quotes(minimal_project: Path) -> None:
    found = mistake(minimal_project, "summary: A reader doubts the figure.", "summary: A reader: doubts the figure.")
    assert (found.rule, found.line) == ("yaml-syntax", 21)
    assert "holds ': '" in found.message
    assert found.field == "rebuttals[0].summary"
    assert found.hint == "put the whole text in quotes: summary: 'A reader: doubts the figure.'"
    assert "mapping values are not allowed here" in found.detail


def test_text_going_on_after_its_closing_quote_asks_for_single_quotes(minimal_project: Path) -> None:
    found = mistake(minimal_project, "summary: A reader doubts the figure.", 'summary: "A reader" doubts it.')
    assert (found.rule, found.line) == ("yaml-syntax", 21)
    assert "after its closing quote" in found.message
    assert found.field == "rebuttals[0].summary"
    assert found.hint == "put the whole text between single quotes: summary: '\"A reader\" doubts it.'"


def test_a_hash_inside_a_value_is_not_silently_cut_off(minimal_project: Path) -> None:
    found = mistake(minimal_project, "summary: A reader doubts the figure.", "summary: A reader doubts figure #2.")
    assert (found.rule, found.line, found.column) == ("yaml-comment", 21, 14)
    assert "stops before the '#'" in found.message
    assert found.field == "rebuttals[0].summary"
    assert "summary: 'A reader doubts figure #2.'" in found.hint


def test_a_field_indented_more_than_the_one_above_is_named_with_its_fix(minimal_project: Path) -> None:
    found = mistake(minimal_project, "\nclaimant: widgets-inc", "\n  claimant: widgets-inc")
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 4, 3)
    assert "indented more than the field above it" in found.message
    assert found.field == "claimant"
    assert found.hint == "indent 'claimant' like the field above it (on line 3 it starts in column 1)"


def test_a_field_that_lines_up_with_nothing_is_reported_on_its_own_line(minimal_project: Path) -> None:
    found = mistake(minimal_project, "    party: reader", "   party: reader")
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 19, 4)
    assert found.message == "line 19 does not line up with the lines above it"
    assert found.field == "rebuttals[0].party"
    assert found.hint == "indent it exactly as the fields it belongs with (column 1 or 5 here)"
    assert "expected <block end>" in found.detail


def test_a_list_item_at_the_wrong_depth_names_the_list_and_the_column(minimal_project: Path) -> None:
    found = mistake(minimal_project, "    locator: paragraph 2", "    locator: paragraph 2\n - source: widget-report")
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 15, 2)
    assert found.message == "the list item on line 15 is not at the depth of the list it belongs to"
    assert found.field == "appearances"
    assert found.hint == "start the item's '-' in the same column as the '-' of the items above it (column 3 here)"


def test_a_comment_after_a_value_with_a_space_after_the_hash_is_a_comment(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    text = path.read_text(encoding="utf-8").replace("status: disputed", "status: disputed  # since the comment")
    path.write_text(text, encoding="utf-8")
    _, findings = check_project(minimal_project)
    assert findings == []


# -- files saved on Windows ----------------------------------------------------------------------


def check_output(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--root", str(project)])
    return code, capsys.readouterr().out


def test_crlf_line_endings_are_a_warning_at_the_first_such_line_with_a_count(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / CLAIM
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:4]) + b"\n" + b"\r\n".join(lines[4:]))  # from line 5 on
    crlf = len(lines) - 5  # lines 5 to the end (the split leaves an empty piece after the last)
    code, out = check_output(minimal_project, capsys)
    assert code == 0
    assert (
        f"{CLAIM}:5:" in out
        and f"warning: {crlf} lines end in a Windows line ending (CRLF), the first on line 5;" in out
    )
    assert f"hint: run `claimledger fmt {CLAIM}`" in out


def test_a_byte_order_mark_is_a_warning_on_line_one(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = minimal_project / CLAIM
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, out = check_output(minimal_project, capsys)
    assert code == 0
    assert f"{CLAIM}:1:1: warning: the file starts with a byte-order mark (BOM)" in out
    assert "[byte-order-mark]" in out
    assert f"hint: run `claimledger fmt {CLAIM}`" in out


def test_crlf_in_a_settings_file_under_claims_is_a_warning_with_an_editor_hint(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/statuses.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    code, out = check_output(minimal_project, capsys)
    assert code == 0
    assert "claims/statuses.yaml:1:" in out and "the first on line 1;" in out
    assert "save the file with LF (Unix) line endings" in out


@pytest.mark.parametrize("rule", ["line-ending", "byte-order-mark"])
def test_the_rules_for_files_saved_on_windows_are_registered_and_documented(rule: str) -> None:
    assert rule in RULES
    assert f"`{rule}`" in (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
