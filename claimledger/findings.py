"""Findings: the one shape every check reports in, and its renderings.

The command line, CI annotations and tests all consume the same
:class:`Finding` objects, in the way doorstop's validators yield issues.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place: file, line, column and field path."""

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    field: str
    message: str
    hint: str = ""
    detail: str = ""  # more for whoever wants it: the YAML parser's own words

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def error(
    path: str, position: tuple[int, int], rule: str, field: str, message: str, hint: str = "", detail: str = ""
) -> Finding:
    return Finding(path, position[0], position[1], Severity.ERROR, rule, field, message, hint, detail)


def warning(path: str, position: tuple[int, int], rule: str, field: str, message: str, hint: str = "") -> Finding:
    return Finding(path, position[0], position[1], Severity.WARNING, rule, field, message, hint)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


# What a terminal or a log must never receive raw, since a file name or a field name can carry it:
# control characters (an escape sequence can rewrite the screen or forge a link; a line break, a
# finding), directional formatting characters (they reorder what is shown) and lone surrogates
# (which cannot be written as UTF-8 at all).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The same, less what JSON escapes itself (the C0 controls, in strings only).
_UNPRINTABLE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


_SHORT_FORMS = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible_form(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    return _SHORT_FORMS.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with every character of ``_UNPRINTABLE`` shown as an escape: ``\\x1b``, ``\\u202e``."""
    return _UNPRINTABLE.sub(_visible_form, text)


def format_text(findings: Sequence[Finding]) -> str:
    """``path:line:col: severity: message [rule]``, then the field and hint indented; nothing unprintable."""
    lines: list[str] = []
    for f in findings:
        lines.append(f"{printable(f.path)}:{f.line}:{f.column}: {f.severity.value}: {printable(f.message)} [{f.rule}]")
        if f.field:
            lines.append(f"    field: {printable(f.field)}")
        if f.hint:
            lines.append(f"    hint: {printable(f.hint)}")
        if f.detail:
            lines.append(f"    detail: {printable(f.detail)}")
    return "\n".join(lines)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def format_json(findings: Sequence[Finding]) -> str:
    """The findings as a JSON list; characters a terminal would act on are ``\\u`` escapes, as JSON reads them."""
    # Only the insides of strings can hold such characters: escaping them keeps the JSON as it was.
    return _UNPRINTABLE_IN_JSON.sub(
        _json_escape, json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)
    )


def _escape_github_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_github_property(value: str) -> str:
    return _escape_github_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    lines: list[str] = []
    for f in findings:
        props = ",".join(
            [
                f"file={_escape_github_property(printable(f.path))}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_github_property(f.rule)}",
            ]
        )
        text = printable(f.message)
        if f.field:
            text += f" (field: {printable(f.field)})"
        if f.hint:
            text += f"\nhint: {printable(f.hint)}"
        if f.detail:
            text += f"\ndetail: {printable(f.detail)}"
        lines.append(f"::{f.severity.value} {props}::{_escape_github_data(text)}")
    return "\n".join(lines)


def summary(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
