"""What a claim tells a reader, named once: the fields whose change alters it.

A change to any of them is an editorial change: ``check --changed`` asks for a log entry
(claimledger.checks.changelog), and a review's fingerprint is taken over them, so that a verdict whose
claim changed since its review can be told apart. They are compared as the strict loader reads
them into the model, never as text: reflowing a paragraph or reordering keys (what ``fmt`` does)
changes none of them, and runs of white space in a text count as one space.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from .model import Claim, Dataset, Editor, PartialDate, Status

# Each is a field of claimledger.record.model.Claim; a piece of evidence (a rebuttal) counts whole: its
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
    "basis",  # where its date comes from, if a source other than its appearances says it
)
# Fields readers were first shown after reviews had been signed: each counts only when the claim has
# it, so that the fingerprints taken before stay true for claims that do not.
LATER = frozenset({"basis"})


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
    return {name: _plain(getattr(claim, name)) for name in READER_VISIBLE if name not in LATER or getattr(claim, name)}


def changed_fields(before: Claim, after: Claim) -> list[str]:
    """The reader-visible fields that differ between two versions of a claim, in READER_VISIBLE order."""
    old, new = reader_view(before), reader_view(after)
    return [name for name in READER_VISIBLE if old.get(name) != new.get(name)]


def fingerprint(claim: Claim) -> str:
    """A SHA-256 of the reader-visible fields: equal for two versions a reader cannot tell apart."""
    text = json.dumps(reader_view(claim), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Review sign-off tied to content.
# Review sign-off tied to content: who reviewed a claim's verdict, and whether it still holds.
#
# A review (``review:`` in a claim file) names the editors who reviewed the claim (ids from
# ``editors`` in claims/publisher.yaml), the day, and the fingerprint of what the claim told readers
# then (:func:`claimledger.record.visible.fingerprint`). When a reader-visible field changes afterwards, the
# fingerprints differ and the review is *stale*: ``check`` warns, the site shows "changed since
# review" instead of the verdict, and no ClaimReview is published until an editor reviews it again
# (``claimledger review``), as doorstop marks an item changed since its review.


def stale(claim: Claim) -> bool:
    """Whether ``claim`` has a review whose fingerprint is no longer that of its reader-visible fields."""
    return claim.review is not None and claim.review.fingerprint != fingerprint(claim)


def status_of(claim: Claim, dataset: Dataset) -> Status | None:
    return dataset.scale.get(claim.status) if dataset.scale is not None else None


def awaits_review(claim: Claim, dataset: Dataset) -> bool:
    """Whether ``claim`` states a verdict its review no longer covers: its status is a verdict and its
    review is stale. A claim whose status is no verdict (unverified, withdrawn) shows that status,
    whatever an earlier review of it says."""
    status = status_of(claim, dataset)
    return status is not None and status.verdict and stale(claim)


def standing_verdict(claim: Claim, dataset: Dataset) -> bool:
    """Whether ``claim`` states a verdict that its review still covers: its status is a verdict and
    it has a review that is not stale. Only such a claim shows its verdict and carries a ClaimReview."""
    status = status_of(claim, dataset)
    return status is not None and status.verdict and claim.review is not None and not stale(claim)


def editor(dataset: Dataset, editor_id: str) -> Editor | None:
    return dataset.publisher.editor(editor_id) if dataset.publisher is not None else None


def reviewers(claim: Claim, dataset: Dataset) -> tuple[Editor, ...]:
    """The editors named by ``claim``'s review that are on the publisher's list, in the review's order."""
    if claim.review is None:
        return ()
    found = (editor(dataset, editor_id) for editor_id in claim.review.by)
    return tuple(e for e in found if e is not None)


def edited(claim: Claim) -> tuple[PartialDate, ...]:
    """The days the record says the claim was worked on: its review and its logged changes."""
    return (*((claim.review.date,) if claim.review is not None else ()), *(entry.date for entry in claim.log))
