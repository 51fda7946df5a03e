"""Editing fixture YAML files in tests."""

from __future__ import annotations

import re
from pathlib import Path


def set_field(root: Path, relative: str, field: str, value: str | None) -> None:
    """Set the top-level ``field:`` of a YAML file to ``value``; ``None`` removes the line."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{field}:.*\n", re.MULTILINE)
    assert pattern.search(text), f"no {field}: in {relative}"
    path.write_text(pattern.sub("" if value is None else f"{field}: {value}\n", text, count=1), encoding="utf-8")


def line_of(root: Path, relative: str, field: str) -> int:
    """The line on which the top-level ``field:`` of a YAML file stands."""
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(f"{field}:"))
