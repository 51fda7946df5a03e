"""What a claim tells a reader, named once: the fields whose change alters it.

A change to any of them is an editorial change: ``check --changed`` asks for a log entry
(claimledger.changelog), and a review's fingerprint is taken over them, so that a verdict whose
claim changed since its review can be told apart. They are compared as the strict loader reads
them into the model, never as text: reflowing a paragraph or reordering keys (what ``fmt`` does)
changes none of them, and runs of white space in a text count as one space.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from .model import Claim

# Each is a field of claimledger.model.Claim; a piece of evidence (a rebuttal) counts whole: its
# stance, quote, party, source, summary, locator and the source it was read through.
READER_VISIBLE: tuple[str, ...] = (
    "statement",
    "quote",
    "paraphrase",
    "value",
    "unit",
    "qualifier",
    "counted",
    "period",
    "baseline",
    "conversions",
    "derivation",
    "metric",
    "claimant",
    "spokesperson",
    "date",
    "first_appearance",
    "appearances",
    "provenance",
    "rebuttals",
    "status",
    "rationale",
    "superseded_by",
)


def _plain(value: object) -> Any:
    """``value`` as JSON data: dataclasses as mappings, texts with their white space collapsed."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)
    return value


def reader_view(claim: Claim) -> dict[str, Any]:
    """The reader-visible fields of ``claim``, as plain data."""
    return {name: _plain(getattr(claim, name)) for name in READER_VISIBLE}


def changed_fields(before: Claim, after: Claim) -> list[str]:
    """The reader-visible fields that differ between two versions of a claim, in READER_VISIBLE order."""
    old, new = reader_view(before), reader_view(after)
    return [name for name in READER_VISIBLE if old[name] != new[name]]


def fingerprint(claim: Claim) -> str:
    """A SHA-256 of the reader-visible fields: equal for two versions a reader cannot tell apart."""
    text = json.dumps(reader_view(claim), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
