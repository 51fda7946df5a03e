"""Findings: the one shape every check reports in, and its renderings (text, JSON, GitHub annotations)."""

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
        return asdict(self) | {"severity": self.severity.value}


def error(
    path: str, position: tuple[int, int], rule: str, field: str, message: str, hint: str = "", detail: str = ""
) -> Finding:
    return Finding(path, *position, Severity.ERROR, rule, field, message, hint, detail)


def warning(path: str, position: tuple[int, int], rule: str, field: str, message: str, hint: str = "") -> Finding:
    return Finding(path, *position, Severity.WARNING, rule, field, message, hint)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


# What a terminal or a log must never receive raw, since a file or field name can carry it: control
# characters (an escape sequence can rewrite the screen or forge a link; a line break, a finding),
# directional formatting characters (they reorder what is shown) and lone surrogates (not UTF-8 at all).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The same, less what JSON escapes itself (the C0 controls, in strings only).
_UNPRINTABLE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT_FORMS = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible_form(match: re.Match[str]) -> str:
    code = ord(match.group())
    return _SHORT_FORMS.get(match.group()) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with every character of ``_UNPRINTABLE`` shown as an escape: ``\\x1b``, ``\\u202e``."""
    return _UNPRINTABLE.sub(_visible_form, text)


def _extras(f: Finding) -> list[tuple[str, str]]:
    """The finding's field, hint and detail that it has, each printable."""
    return [
        (name, printable(value))
        for name, value in (("field", f.field), ("hint", f.hint), ("detail", f.detail))
        if value
    ]


def format_text(findings: Sequence[Finding]) -> str:
    """``path:line:col: severity: message [rule]``, then the field and hint indented; nothing unprintable."""
    lines: list[str] = []
    for f in findings:
        lines.append(f"{printable(f.path)}:{f.line}:{f.column}: {f.severity.value}: {printable(f.message)} [{f.rule}]")
        lines.extend(f"    {name}: {value}" for name, value in _extras(f))
    return "\n".join(lines)


def format_json(findings: Sequence[Finding]) -> str:
    """The findings as a JSON list; characters a terminal would act on are ``\\u`` escapes, as JSON reads them."""
    # Only the insides of strings can hold such characters: escaping them keeps the JSON as it was.
    text = json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)
    return _UNPRINTABLE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _escape_github(value: str, is_property: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if is_property else value


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    lines: list[str] = []
    for f in findings:
        where = f"file={_escape_github(printable(f.path), True)},line={f.line},col={f.column}"
        text = printable(f.message)
        for name, value in _extras(f):
            text += f" (field: {value})" if name == "field" else f"\n{name}: {value}"
        lines.append(f"::{f.severity.value} {where},title={_escape_github(f.rule, True)}::{_escape_github(text)}")
    return "\n".join(lines)


def summary(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
