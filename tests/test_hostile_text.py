"""Hostile text, numbers and sizes: what the loader refuses never reaches the schema validator, the
model, an export, a page or a terminal; files and lists beyond the project's limits are findings."""

from __future__ import annotations

import functools
import json
import os
import tracemalloc
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding, Severity, error, format_github, format_json, format_text
from claimledger.record.model import Dataset, LogEntry, PartialDate
from claimledger.record.schema import validate
from claimledger.record.yamlsafe import Document, YamlProblem, load_document
from claimledger.site.feed import ATOM, atom

from .conftest import MINIMAL, examples

CLAIM = "claims/claims/widget-defects-fell.yaml"
LIMITS = "claims/limits.yaml"
NEVER_RAW = ("\x00", "\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\ud800")


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_line(root: Path, relative: str, line: str) -> int:
    """Append ``line`` to the file; return its line number."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def errors(root: Path) -> list[Finding]:
    _, findings = check_project(root)
    return [f for f in findings if f.severity is Severity.ERROR]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_no_raw_control(text: str) -> None:
    assert not any(character in text for character in NEVER_RAW), ascii(text)


# -- text --------------------------------------------------------------------------------------


def test_a_lone_surrogate_is_a_finding_not_a_crash(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = add_line(minimal_project, CLAIM, 'notes: "\\ud800"')
    code, out, _ = run(capsys, "check", "--root", str(minimal_project))
    assert code == 1
    assert f"{CLAIM}:{line}:8: error: the text holds U+D800" in out
    assert "[text-control]" in out


@pytest.mark.parametrize(
    "escaped", ["\\0", "\\e", "\\e]8;;http://x\\e\\\\link\\e]8;;\\e\\\\", "\\u202e", "\\u2066", "\u202e", "\u2066"]
)
def test_a_control_or_directional_character_in_a_value_is_a_finding_at_the_value(
    minimal_project: Path, escaped: str
) -> None:
    line = add_line(minimal_project, CLAIM, f'notes: "see {escaped}here"')
    assert [(f.path, f.line, f.column, f.rule, f.field) for f in errors(minimal_project)] == [
        (CLAIM, line, 8, "text-control", "notes")
    ]


@pytest.mark.parametrize("escaped", ["\\0", "\\e", "\\e]8;;http://x\\e\\\\", "\\u202e", "\\u2066", "\u202e"])
def test_a_control_or_directional_character_in_a_field_name_is_a_finding_at_the_key(
    minimal_project: Path, escaped: str
) -> None:
    line = add_line(minimal_project, CLAIM, f'"no{escaped}tes": x')
    found = errors(minimal_project)
    assert [(f.path, f.line, f.column, f.rule) for f in found] == [(CLAIM, line, 1, "text-control")]
    assert "field name" in found[0].message


def test_hostile_text_in_a_rationale_never_reaches_an_export_or_a_page(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        minimal_project,
        CLAIM,
        "rationale: A reader disputes the figure and the report is unpublished.",
        'rationale: "\\e]8;;https://evil.example\\e\\\\A reader\\e]8;;\\e\\\\ \\u202edisputes the figure."',
    )
    for command in (("export", "--format", "csv"), ("export", "--format", "json")):
        code, out, err = run(capsys, *command, "--root", str(minimal_project))
        assert (code, out) == (1, "")
        assert_no_raw_control(err)
    site = tmp_path / "site"
    code, out, err = run(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 1
    assert not site.exists()
    assert_no_raw_control(out + err)


NONCHARACTERS = ["\\uFFFF", "\\uFFFE", "\\uFDD0", "\\uFDEF", "\\U0001FFFE", "\\U0010FFFF"]
STATEMENT = "statement: Widget defects fell by 12 % in 2020."


@pytest.mark.parametrize("escaped", NONCHARACTERS)
def test_a_noncharacter_in_a_statement_is_a_finding_at_the_statement(minimal_project: Path, escaped: str) -> None:
    edit(minimal_project, CLAIM, STATEMENT, f'statement: "Widget defects fell by 12 % in 2020. {escaped}"')
    found = errors(minimal_project)
    assert [(f.path, f.line, f.column, f.rule, f.field) for f in found] == [(CLAIM, 2, 12, "text-control", "statement")]
    assert "noncharacter" in found[0].message
    assert found[0].hint


@pytest.mark.parametrize("written", ["\ufdd0", "\U0001fffe", "\U0010ffff"])
def test_a_noncharacter_written_out_is_a_finding_too(minimal_project: Path, written: str) -> None:
    edit(minimal_project, CLAIM, STATEMENT, f"statement: Widget defects fell by 12 % in 2020. {written}")
    assert [(f.path, f.line, f.rule, f.field) for f in errors(minimal_project)] == [
        (CLAIM, 2, "text-control", "statement")
    ]


@pytest.mark.parametrize("written", ["\uffff", "\ufffe"])
def test_u_ffff_written_out_is_refused_by_the_reader_at_its_column(minimal_project: Path, written: str) -> None:
    edit(minimal_project, CLAIM, STATEMENT, f"statement: Widget defects {written}fell.")
    found = errors(minimal_project)
    assert [(f.path, f.line, f.column, f.rule) for f in found] == [(CLAIM, 2, 27, "encoding")]
    assert "U+FF" in found[0].message


def test_a_noncharacter_never_reaches_the_feed(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(minimal_project, CLAIM, STATEMENT, 'statement: "x \\uFFFF"')
    add_line(minimal_project, CLAIM, 'log:\n  - date: 2021-05-01\n    kind: correction\n    summary: "y \\uFFFE"')
    site = tmp_path / "site"
    code, out, err = run(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 1
    assert f"{CLAIM}:2:12: error: the text holds U+FFFF, a noncharacter" in out
    assert "not built" in err
    assert not site.exists()


@pytest.mark.parametrize(
    ("written", "message"),
    [("\uffff", "U+FFFF, a noncharacter"), ("\x1b[2J", "the control character U+001B"), ("\u202e", "U+202E")],
)
def test_a_refused_character_in_a_hand_written_page_is_a_finding_at_its_line_and_column(
    minimal_project: Path, written: str, message: str
) -> None:
    page = minimal_project / "docs" / "about.md"
    page.write_text(f"# About\n\nThis site checks\nwhat a report {written}says.\n", encoding="utf-8")
    found = errors(minimal_project)
    assert [(f.path, f.line, f.column, f.rule) for f in found] == [("docs/about.md", 4, 15, "text-control")]
    assert f"the page holds {message}" in found[0].message


@pytest.mark.parametrize("escaped", ["\\uFFFF", "\\e[2J"])
def test_a_refused_character_in_the_site_name_is_a_finding_and_nothing_is_built(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], escaped: str
) -> None:
    config = minimal_project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("site_name:"))
    config.write_text(text.replace("site_name: Widget claims\n", f'site_name: "Widget claims {escaped}"\n'))
    assert [(f.path, f.line, f.column, f.rule, f.field) for f in errors(minimal_project)] == [
        ("mkdocs.yml", line, 12, "text-control", "site_name")
    ]
    site = tmp_path / "site"
    code, _, err = run(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 1 and "not built" in err
    assert not site.exists()


# What the feed must carry whatever the loader lets through: XML 1.0's own limits (U+FFFE, U+FFFF,
# the controls, surrogates), the other noncharacters, and text XML escapes.
FEED_EDGES = [*"\ufffe\uffff\ufdd0\U0001fffe\U0010ffff\x00\x1b\x85\ud800&<]>"]


def _yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted string, every character beyond printable ASCII as an escape."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


@functools.cache
def _feed_dataset() -> Dataset:
    dataset, _ = check_project(MINIMAL)
    return dataset


@settings(max_examples=examples(100))
@given(text=st.text(st.characters() | st.sampled_from(FEED_EDGES), min_size=1, max_size=12))
@example(text="x \uffff")
@example(text="\ufffe")
@example(text="\U0010fffe")
def test_whatever_text_the_loader_accepts_the_corrections_feed_carries_as_xml(text: str) -> None:
    try:
        loaded = load_document("claims/claims/x.yaml", f"statement: {_yaml_string(text)}\n".encode()).data["statement"]
    except YamlProblem as problem:
        assert problem.rule == "text-control"
        return
    dataset = _feed_dataset()
    claim = dataset.claims["widget-defects-fell"]
    changed = replace(claim, statement=loaded, log=(LogEntry(PartialDate.parse("2021-05-01"), "correction", loaded),))
    feed = atom(replace(dataset, claims={**dataset.claims, claim.id: changed}), site_url="", site_name=loaded)
    entry = ET.fromstring(feed.encode("utf-8")).find(f"{{{ATOM}}}entry")  # expat refuses what XML 1.0 forbids
    assert entry is not None
    assert entry.findtext(f"{{{ATOM}}}title") == f"Correction — Widgets Inc., 15 January 2021: {loaded}"


# -- numbers -----------------------------------------------------------------------------------


def _count_claim(root: Path, value: str) -> None:
    edit(root, CLAIM, "value: -12\nunit: percent-change", f"value: {value}\nunit: count\ncounted: widget defects")


def test_a_400_digit_integer_is_a_finding_and_export_and_build_never_see_it(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _count_claim(minimal_project, "1" * 400)
    assert [(f.path, f.line, f.rule, f.field) for f in errors(minimal_project)] == [(CLAIM, 8, "number-range", "value")]
    for command in (("export", "--format", "json"), ("export", "--format", "csv")):
        code, out, err = run(capsys, *command, "--root", str(minimal_project))
        assert (code, out) == (1, "")
        assert "number-range" in err
        assert "Traceback" not in err
    site = tmp_path / "site"
    code, _, err = run(capsys, "build", "--root", str(minimal_project), "--site-dir", str(site))
    assert code == 1
    assert "not built" in err
    assert not site.exists()


@pytest.mark.parametrize("value", [str(2**53 + 1), str(-(2**53 + 1)), "1e400", "-1e400"])
def test_a_number_beyond_what_readers_take_is_a_finding(minimal_project: Path, value: str) -> None:
    _count_claim(minimal_project, value)
    assert [(f.path, f.line, f.column, f.rule) for f in errors(minimal_project)] == [(CLAIM, 8, 8, "number-range")]


def test_the_largest_exact_whole_number_is_accepted(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _count_claim(minimal_project, str(2**53 - 1))
    code, out, _ = run(capsys, "export", "--root", str(minimal_project))
    assert code == 0
    assert 2**53 - 1 in [claim["value"] for claim in json.loads(out)["claims"]]


# -- what the terminal shows -------------------------------------------------------------------


def test_a_finding_about_a_bad_field_name_shows_no_raw_escape(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_line(minimal_project, CLAIM, '"\\e]8;;http://x\\e\\\\notes\\e]8;;\\e\\\\": x')
    for fmt in ("text", "github", "json"):
        code, out, _ = run(capsys, "check", "--root", str(minimal_project), "--format", fmt)
        assert code == 1
        assert_no_raw_control(out)
        assert "\\x1b]8;;http://x" in out if fmt != "json" else "\\u001b]8;;http://x" in out


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (b"\x1b[2J\x1b]8;;x\x07widget\xe2\x80\xae.yaml", "\\x1b[2J\\x1b]8;;x\\x07widget\\u202e.yaml"),
        (b"widget\xff.yaml", "widget\\xff.yaml"),  # not UTF-8: the byte is shown as it is
    ],
)
def test_a_file_name_with_control_characters_is_reported_without_them(
    minimal_project: Path, capsys: pytest.CaptureFixture[str], name: bytes, shown: str
) -> None:
    folder = os.fsencode(minimal_project / "claims" / "claims")
    with open(os.path.join(folder, name), "wb") as handle:  # noqa: PTH118, PTH123 (a name that is no str)
        handle.write(b"statement: x\n")
    code, out, _ = run(capsys, "check", "--root", str(minimal_project))
    assert code == 1
    assert_no_raw_control(out)
    assert f"claims/claims/{shown}:1:1: error:" in out


def test_every_output_format_escapes_what_a_terminal_would_act_on() -> None:
    finding = error("claims/claims/a\x1b[31m.yaml", (1, 1), "schema", "no\u202etes\n", "unknown field '\ud800'", "x")
    for rendered in (format_text([finding]), format_github([finding])):
        assert_no_raw_control(rendered)
        assert "a\\x1b[31m.yaml" in rendered
        assert "no\\u202etes\\n" in rendered
        assert "'\\ud800'" in rendered
    rendered = format_json([finding])
    assert_no_raw_control(rendered)
    assert json.loads(rendered)[0]["field"] == "no\u202etes\n"
    rendered.encode("utf-8")  # a lone surrogate could not be printed


def test_the_schema_fast_path_takes_a_lone_surrogate_without_crashing() -> None:
    document = Document("claims/parties/x.yaml", {"name": "x\ud800", "kind": "no such kind"})
    assert {f.rule for f in validate(document, "party")} == {"schema"}


# -- limits ------------------------------------------------------------------------------------


def test_a_file_of_3_million_tags_is_refused_unread(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    path.write_bytes(path.read_bytes() + b"notes: x\ntags:\n" + b"  - tag-123\n" * 3_000_000)
    tracemalloc.start()
    try:
        found = errors(minimal_project)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(f.path, f.line, f.rule) for f in found] == [(CLAIM, 1, "file-size")]
    assert "34.3 MiB, where the limit is 1 MiB" in found[0].message
    assert peak < 10_000_000  # bytes: reading the file alone would take 36 MB, parsing it over a gigabyte


def _pad_to(path: Path, size: int) -> None:
    raw = path.read_bytes() + b"# padding\n"
    path.write_bytes(raw + b"#" * (size - len(raw) - 1) + b"\n")
    assert path.stat().st_size == size


def test_a_file_of_exactly_1_mib_is_read(minimal_project: Path) -> None:
    _pad_to(minimal_project / CLAIM, 1024 * 1024)
    assert errors(minimal_project) == []


def test_a_file_one_byte_over_1_mib_is_a_finding(minimal_project: Path) -> None:
    _pad_to(minimal_project / CLAIM, 1024 * 1024 + 1)
    found = errors(minimal_project)
    assert [(f.path, f.line, f.rule) for f in found] == [(CLAIM, 1, "file-size")]
    assert "1,048,577 bytes, where the limit is 1,048,576 bytes" in found[0].message
    assert "max_file_size" in found[0].hint


def test_the_status_scale_is_held_to_the_size_limit_too(minimal_project: Path) -> None:
    (minimal_project / LIMITS).write_text("max_file_size: 100\n", encoding="utf-8")
    rules = {(f.path, f.rule) for f in errors(minimal_project)}
    assert ("claims/statuses.yaml", "file-size") in rules


def _many_tags(root: Path, count: int) -> int:
    """Give the claim ``count`` tags, on one line; return its number."""
    edit(root, CLAIM, "tags: [defects]\n", "")
    return add_line(root, CLAIM, "tags: [" + ", ".join(f"t{index}" for index in range(count)) + "]")


def test_more_tags_than_the_limit_is_a_finding_at_the_list(minimal_project: Path) -> None:
    line = _many_tags(minimal_project, 1001)
    found = errors(minimal_project)
    assert [(f.path, f.line, f.column, f.rule, f.field) for f in found] == [(CLAIM, line, 7, "list-length", "tags")]


def test_the_limits_are_set_in_claims_limits_yaml(minimal_project: Path) -> None:
    _many_tags(minimal_project, 1001)
    (minimal_project / LIMITS).write_text("max_list_items: 2000\n", encoding="utf-8")
    assert errors(minimal_project) == []
    (minimal_project / LIMITS).write_text("max_list_items: 2000\nmax_file_size: 1000\n", encoding="utf-8")
    assert (CLAIM, "file-size") in {(f.path, f.rule) for f in errors(minimal_project)}


def test_a_lower_limit_applies_to_a_file_checked_before_under_a_higher_one(minimal_project: Path) -> None:
    _many_tags(minimal_project, 1001)
    (minimal_project / LIMITS).write_text("max_list_items: 2000\n", encoding="utf-8")
    assert errors(minimal_project) == []  # the claim is now in the item cache
    (minimal_project / LIMITS).unlink()
    assert [(f.path, f.rule) for f in errors(minimal_project)] == [(CLAIM, "list-length")]


def test_a_limits_file_with_problems_is_reported_and_the_defaults_hold(minimal_project: Path) -> None:
    line = _many_tags(minimal_project, 1001)
    (minimal_project / LIMITS).write_text("max_list_items: 2000\nmax_tags: 5\n", encoding="utf-8")
    assert sorted((f.path, f.rule, f.line) for f in errors(minimal_project)) == [
        (CLAIM, "list-length", line),
        (LIMITS, "schema", 2),
    ]
