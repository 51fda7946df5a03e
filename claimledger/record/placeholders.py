"""Placeholders never pass: what ``claimledger new`` writes for a person to fill in starts with ``TODO``,
and a file that still holds such a value is refused until it is filled in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..findings import Finding, error
from .yamlsafe import Document, FieldPath, format_field

PLACEHOLDER = "TODO: "  # how every value a person must write begins in a new file
PLACEHOLDER_MARK = PLACEHOLDER.strip().rstrip(":").encode()  # a file without these bytes holds none
_PLACEHOLDER = re.compile(r"\s*TODO\b")


def _texts(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, (dict, list)):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _texts(item, (*path, key))


def placeholders(document: Document) -> Iterator[Finding]:
    """A finding for each value of ``document`` that is still a placeholder (starts with ``TODO``)."""
    for path, text in _texts(document.data, ()):
        if _PLACEHOLDER.match(text):
            name, shown = format_field(path), text if len(text) <= 80 else text[:79] + "…"
            message = f"'{name}' is still a placeholder: {shown}"
            hint = "write the real text in its place (the placeholder says what belongs there)"
            yield error(document.path, document.position(path), "placeholder", name, message, hint)
