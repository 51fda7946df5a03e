"""Findings: the one shape every check reports in, and its renderings.

The command line, CI annotations and tests all consume the same
:class:`Finding` objects, in the way doorstop's validators yield issues.
"""

from __future__ import annotations

import enum
import json
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

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def error(path: str, position: tuple[int, int], rule: str, field: str, message: str, hint: str = "") -> Finding:
    return Finding(path, position[0], position[1], Severity.ERROR, rule, field, message, hint)


def warning(path: str, position: tuple[int, int], rule: str, field: str, message: str, hint: str = "") -> Finding:
    return Finding(path, position[0], position[1], Severity.WARNING, rule, field, message, hint)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def format_text(findings: Sequence[Finding]) -> str:
    """``path:line:col: severity: message [rule]``, then the field and hint indented."""
    lines: list[str] = []
    for f in findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.severity.value}: {f.message} [{f.rule}]")
        if f.field:
            lines.append(f"    field: {f.field}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    return "\n".join(lines)


def format_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)


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
                f"file={_escape_github_property(f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_github_property(f.rule)}",
            ]
        )
        text = f.message
        if f.field:
            text += f" (field: {f.field})"
        if f.hint:
            text += f"\nhint: {f.hint}"
        lines.append(f"::{f.severity.value} {props}::{_escape_github_data(text)}")
    return "\n".join(lines)


def summary(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
