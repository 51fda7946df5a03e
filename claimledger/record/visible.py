"""What a claim tells a reader, named once: the fields whose change is an editorial change.

``check --changed`` asks a log entry for such a change, and a review's fingerprint is taken over them.
They are compared as the loader reads them into the model, never as text: reflowing a paragraph or
reordering keys (what ``fmt`` does) changes none of them; runs of white space count as one space.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cache import ItemCache, modules_key
from .model import Claim, Dataset, Editor, PartialDate, Status

# Each is a field of claimledger.record.model.Claim; a piece of evidence (a rebuttal) counts whole: its
# stance, quote, party, source, summary, locator and the source it was read through.
READER_VISIBLE: tuple[str, ...] = (
    *("statement", "quote", "paraphrase", "value", "unit", "qualifier", "counted", "period", "baseline"),
    *("conversions", "derivation", "metric", "claimant", "spokesperson", "date", "first_appearance", "appearances"),
    *("provenance", "rebuttals", "status", "rationale", "superseded_by"),
    "basis",  # where its date comes from, if a source other than its appearances says it
)
# Fields readers were first shown after reviews had been signed: each counts only when the claim has
# it, so that the fingerprints taken before stay true for claims that do not.
LATER = frozenset({"basis"})


@functools.cache
def _field_names(kind: Any) -> tuple[str, ...] | None:
    """A dataclass's field names; None for any other type (asked once per type: a check asks per value)."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def _plain(value: object) -> Any:
    """``value`` as JSON data: dataclasses as mappings, texts with their white space collapsed."""
    kind: Any = type(value)  # the common types first, by identity: a claim holds some eighty values
    if kind is str:
        return " ".join(value.split())  # type: ignore[attr-defined]  # a str
    if value is None or kind is int or kind is float or kind is bool:
        return value
    if kind is tuple:
        return [_plain(item) for item in value]  # type: ignore[attr-defined]  # a tuple
    names = _field_names(kind)  # a model's dataclasses: none is also a text, a number or a sequence
    if names is not None:
        return _fields(value, names)
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)
    if value is None or isinstance(value, (int, float)):
        return value
    names = _field_names(type(value))  # type: ignore[arg-type]  # every class is hashable
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return value


def _fields(value: object, names: tuple[str, ...]) -> dict[str, Any]:
    """A dataclass's fields, as :func:`_plain` makes them: its texts and numbers (most of them) made here, not
    by a call each."""
    plain: dict[str, Any] = {}
    for name in names:
        field = getattr(value, name)
        kind = type(field)
        if kind is str:
            plain[name] = " ".join(field.split())
        elif field is None or kind is int or kind is float or kind is bool:
            plain[name] = field
        else:
            plain[name] = _plain(field)
    return plain


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


def stale(claim: Claim, fingerprint_of: Callable[[Claim], str] = fingerprint) -> bool:
    """Whether ``claim`` has a review whose fingerprint is no longer that of its reader-visible fields (worked out by
    ``fingerprint_of``): then check warns, the site shows "changed since review" instead of the verdict, and no
    ClaimReview is published."""
    return claim.review is not None and claim.review.fingerprint != fingerprint_of(claim)


class Fingerprints:
    """The claims' fingerprints, kept from one build to the next in ``cache`` (:func:`fingerprint_cache`, None: not
    kept) by the bytes of each claim's file: a build after an edit works out only the edited claims'. What
    :meth:`of` worked out is kept once :meth:`save` is called."""

    def __init__(self, dataset: Dataset, cache: ItemCache | None) -> None:
        self.digests = dataset.digests
        self.cache = cache

    def of(self, claim: Claim) -> str:
        """:func:`fingerprint` of ``claim``."""
        path = claim.document.path
        key = self.digests.get(path)
        if self.cache is None or key is None:
            return fingerprint(claim)
        found = self.cache.get(path, key)
        if not isinstance(found, str):
            found = fingerprint(claim)
            self.cache.put(path, key, found)
        return found

    def save(self) -> None:
        """Keep the fingerprints asked for, for the next build."""
        if self.cache is not None:
            self.cache.save()


def fingerprint_cache(root: Path, folder: Path) -> ItemCache:
    """The cache of the claims' fingerprints of the project at ``root``, in ``folder`` (the item cache's)."""
    return ItemCache(root.resolve(), folder, code=modules_key(("record",)), suffix=".fingerprints.pickle")


def status_of(claim: Claim, dataset: Dataset) -> Status | None:
    return dataset.scale.get(claim.status) if dataset.scale is not None else None


def awaits_review(claim: Claim, dataset: Dataset, fingerprint_of: Callable[[Claim], str] = fingerprint) -> bool:
    """Whether ``claim``'s status is a verdict and its review is stale (its fingerprint worked out by
    ``fingerprint_of``). A status that is no verdict (unverified, withdrawn) is shown whatever an earlier review
    of the claim says."""
    status = status_of(claim, dataset)
    return status is not None and status.verdict and stale(claim, fingerprint_of)


def reviewers(claim: Claim, dataset: Dataset) -> tuple[Editor, ...]:
    """The editors named by ``claim``'s review that are on the publisher's list, in the review's order."""
    if claim.review is None or dataset.publisher is None:
        return ()
    found = (dataset.publisher.editor(editor_id) for editor_id in claim.review.by)
    return tuple(e for e in found if e is not None)


def edited(claim: Claim) -> tuple[PartialDate, ...]:
    """The days the record says the claim was worked on: its review and its logged changes."""
    return (*((claim.review.date,) if claim.review is not None else ()), *(entry.date for entry in claim.log))
