"""``claimledger fmt``: one canonical style for claim, source and party files, comments kept, data unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimledger.cli import main
from claimledger.record.yamlsafe import load_document
from claimledger.tools.fmt import canonical_text

from .conftest import REPO

SHIPPED = sorted(
    (path, kind)
    for kind, folder in (("claim", "claims"), ("source", "sources"), ("party", "parties"))
    for path in (REPO / "claims" / folder).rglob("*.yaml")
)


def data(text: str) -> object:
    return load_document("", text.encode("utf-8")).data


@pytest.mark.parametrize(("path", "kind"), SHIPPED, ids=[p.name for p, _ in SHIPPED])
def test_formatting_a_shipped_file_keeps_its_data_and_comments_and_is_idempotent(path: Path, kind: str) -> None:
    text = path.read_text(encoding="utf-8")
    once = canonical_text(text, kind)
    assert data(once) == data(text)
    assert canonical_text(once, kind) == once
    comments = [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]
    assert [line.strip() for line in once.splitlines() if line.lstrip().startswith("#")] == comments


MESSY = """\
# yaml-language-server: $schema=../../claimledger/schema/claimledger.schema.json#/$defs/claim
review:
    fingerprint: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    by: ana
    date: '2021-04-01'
statement: "Widget defects fell by 12 % in 2020."
# who said it
claimant: widgets-inc
quote: Widget defects fell by 12% in 2020
date: 2021-01-15
first_appearance: widget-report
appearances:
- source: widget-post
  quote: Widget defects fell by 12% in 2020, said the chief quality officer, who also said a great many other things.
status: disputed
rationale: A reader disputes the figure.
"""

CANONICAL = """\
# yaml-language-server: $schema=../../claimledger/schema/claimledger.schema.json#/$defs/claim
statement: Widget defects fell by 12 % in 2020.
# who said it
quote: Widget defects fell by 12% in 2020
claimant: widgets-inc
date: 2021-01-15
first_appearance: widget-report
appearances:
  - source: widget-post
    quote: >-
      Widget defects fell by 12% in 2020, said the chief quality officer, who
      also said a great many other things.
status: disputed
rationale: A reader disputes the figure.
review:
  by: ana
  date: 2021-04-01
  fingerprint: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
"""


def test_fields_follow_the_schema_order_with_indented_lists_and_no_needless_quotes() -> None:
    # A comment on a line of its own travels with the field above it.
    assert canonical_text(MESSY, "claim") == CANONICAL


def test_text_that_does_not_fit_on_its_line_becomes_a_folded_block() -> None:
    assert "    quote: >-\n      Widget defects" in canonical_text(MESSY, "claim")


def test_a_file_that_is_not_yaml_is_left_alone_with_a_reason() -> None:
    with pytest.raises(ValueError, match="run claimledger check"):
        canonical_text('statement: "unclosed\n', "claim")


def test_fmt_check_lists_the_files_to_format_and_fails(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/messy.yaml"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--check", "--root", str(minimal_project)]) == 1
    out, err = capsys.readouterr()
    assert "claims/claims/messy.yaml: not in the canonical style" in out
    assert "run claimledger fmt" in err
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_the_files_and_then_check_passes(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/messy.yaml"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--root", str(minimal_project), str(path)]) == 0
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert main(["fmt", "--check", "--root", str(minimal_project)]) == 0


def test_fmt_rewrites_a_file_whole_keeping_its_permissions(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/messy.yaml"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    assert main(["fmt", "--root", str(minimal_project), str(path)]) == 0
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []  # no temporary file left


def test_fmt_refuses_a_file_outside_the_data_folders(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copyfile(minimal_project / "claims/statuses.yaml", minimal_project / "other.yaml")
    assert main(["fmt", "--root", str(minimal_project), str(minimal_project / "other.yaml")]) == 1
    assert "not a claim, source or party file" in capsys.readouterr().err


def test_fmt_passes_over_the_folder_of_a_kind_the_project_does_not_use(minimal_project: Path) -> None:
    assert not (minimal_project / "claims" / "metrics").exists()
    assert main(["fmt", "--check", "--root", str(minimal_project)]) == 0


def test_fmt_writes_lf_line_endings_and_no_byte_order_mark(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/messy.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MESSY.encode("utf-8").replace(b"\n", b"\r\n"))
    assert main(["fmt", "--root", str(minimal_project), str(path)]) == 0
    assert path.read_bytes() == CANONICAL.encode("utf-8")


def test_fmt_check_prints_a_unified_diff_of_what_it_would_change(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/messy.yaml"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert "--- claims/claims/messy.yaml\n+++ claims/claims/messy.yaml (formatted)\n" in out
    assert '\n-statement: "Widget defects fell by 12 % in 2020."\n' in out
    assert "\n+statement: Widget defects fell by 12 % in 2020.\n" in out
    assert "\n@@ " in out


def test_fmt_check_shows_line_endings_and_a_byte_order_mark_in_its_diff(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/messy.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + CANONICAL.encode("utf-8").replace(b"\n", b"\r\n"))
    assert main(["fmt", "--check", "--root", str(minimal_project)]) == 1
    out = capsys.readouterr().out
    assert "\n-\\ufeff# yaml-language-server:" in out
    assert "\n-statement: Widget defects fell by 12 % in 2020.\\r\n" in out
    assert "\n+statement: Widget defects fell by 12 % in 2020.\n" in out


def test_fmt_check_says_plainly_when_a_file_cannot_be_parsed(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / "claims/claims/broken.yaml"
    path.write_text('statement: "unclosed\nquote: fine\n', encoding="utf-8")
    assert main(["fmt", "--check", "--root", str(minimal_project)]) == 1
    err = capsys.readouterr().err
    assert "claims/claims/broken.yaml:1:12: cannot be formatted: it is not valid YAML:" in err
    assert "0 file(s) to format" not in err
    assert "claimledger: 1 file(s) could not be read or formatted" in err
