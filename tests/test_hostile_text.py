"""Hostile text: what a terminal or a CI log would act on (escape sequences, directional formatting
characters, lone surrogates) never reaches it raw from a finding."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from claimtrail.cli import main
from claimtrail.findings import error, format_github, format_json, format_text

CLAIM = "claims/claims/widget-defects-fell.yaml"
NEVER_RAW = ("\x00", "\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\ud800")


def add_line(root: Path, relative: str, line: str) -> int:
    """Append ``line`` to the file; return its line number."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_no_raw_control(text: str) -> None:
    assert not any(character in text for character in NEVER_RAW), ascii(text)


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
        (b"widget\xff.yaml", "widget\\udcff.yaml"),  # not UTF-8: Python names it with a lone surrogate
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
