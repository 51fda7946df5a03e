"""A change to the status scale is a site-wide correction, logged: ``claimledger check --changed``.

claims/statuses.yaml is compared with its version at the merge base, both read by the strict loader
into the model (never as lines of text). What a status shows on every claim that has it (its label,
colour, description, rating, evidence rule and verdict flag, :data:`STATUS_VISIBLE`), a status
removed, or the scale's best or worst rating changed, alters what readers are told of published
claims without touching a claim file: such a change needs a new entry at the end of the scale's
``log:``, which the Corrections page and its feed list. The log is append-only: the entries the base
had stay, as they were, in their order. Adding a status, or reordering them, changes no claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, error
from ..record.layout import DATA_DIR, STATUS_FILE
from ..record.loader import scale_from_bytes
from ..record.model import Dataset, PartialDate, ScaleLogEntry, Status, StatusScale
from ..record.yamlsafe import FieldPath, format_field
from . import gitinfo
from .changelog import before_record

SCALE_PATH = f"{DATA_DIR}/{STATUS_FILE}"
# The fields of a status that every claim with it shows: on its badge, its page, in its ClaimReview
# (rating and verdict) or in what the check demands of it (evidence).
STATUS_VISIBLE: tuple[str, ...] = ("label", "colour", "description", "rating_value", "evidence", "verdict")
SCALE_VISIBLE: tuple[str, ...] = ("best_rating", "worst_rating")  # every ClaimReview's bounds
LOG_HINT = (
    f"add an entry at the end of `log:` in {SCALE_PATH}: `- date: YYYY-MM-DD` and `summary:` saying, for "
    "readers, what changed and how the claims that have the status now read; the Corrections page and its "
    "feed list it"
)


@dataclass(frozen=True)
class Alteration:
    """One status (or the scale's bounds) that reads otherwise than at the base."""

    path: FieldPath  # where, in the scale as it is now, the first changed field is
    what: str  # "status 'disputed'", or "the scale"
    fields: tuple[str, ...]
    effect: str = "alters what every claim with it shows"


def _same(name: str, old: object, new: object) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        if name == "colour":
            return old.lower() == new.lower()
        return " ".join(old.split()) == " ".join(new.split())
    return old == new


def alterations(before: StatusScale, after: StatusScale) -> list[Alteration]:
    """What readers see otherwise in ``after`` than in ``before``: per status, its changed fields."""
    found: list[Alteration] = []
    bounds = tuple(name for name in SCALE_VISIBLE if getattr(before, name) != getattr(after, name))
    if bounds:
        found.append(Alteration((bounds[0],), "the scale", bounds, "alters the rating of every reviewed claim"))
    now: dict[str, Status] = {status.id: status for status in after.statuses}
    for old in before.statuses:
        new = now.get(old.id)
        if new is None:
            found.append(Alteration(("statuses",), f"status '{old.id}'", ("removed",)))
            continue
        changed = tuple(name for name in STATUS_VISIBLE if not _same(name, getattr(old, name), getattr(new, name)))
        if changed:
            # An implicit verdict flag (from rating_value) has no line of its own: point at the status.
            first = changed[0] if changed[0] != "verdict" or "verdict" in _keys(after, new) else "id"
            found.append(Alteration(("statuses", new.index, first), f"status '{old.id}'", changed))
    return found


def _keys(scale: StatusScale, status: Status) -> set[str]:
    data = scale.document.data["statuses"][status.index]
    return set(data) if isinstance(data, dict) else set()


def _entry_text(entry: ScaleLogEntry) -> tuple[str, str]:
    return str(entry.date), " ".join(entry.summary.split())


def rewritten(before: StatusScale, after: StatusScale, base: str) -> Iterator[Finding]:
    """A finding for each entry the base's log had that is gone or reads otherwise now."""
    doc = after.document
    for index, old in enumerate(before.log):
        if index < len(after.log) and _entry_text(after.log[index]) == _entry_text(old):
            continue
        gone = index >= len(after.log)
        yield error(
            doc.path,
            doc.position(("log",) if gone else ("log", index)),
            "scale-log-rewritten",
            f"log[{index}]",
            f"the scale's log entry of {old.date} ({'removed' if gone else 'edited'}) is not as {base} has it: "
            "published corrections are never edited or removed",
            f"restore the entry exactly as {base} has it; to correct it, add a new entry at the end of `log:`",
        )


def _backdated(root: Path, changes: gitinfo.Changes, after: StatusScale, added: range) -> Iterator[Finding]:
    """A new entry dated before the base was last changed: it would sit among old corrections, unseen."""
    last = gitinfo.commit_date(root, changes.merge_base)
    why = (
        f"before {changes.base} was last changed ({last}): readers would find it among old corrections, "
        "not as the news it is"
    )
    return before_record(after.log, after.document, added, PartialDate.parse(last), why)


def scale_unlogged(root: Path, changes: gitinfo.Changes, dataset: Dataset) -> Iterator[Finding]:
    """Findings for a changed scale: alterations with no new log entry, and log entries rewritten."""
    after = dataset.scale
    if after is None or SCALE_PATH not in changes.paths:
        return
    if SCALE_PATH not in gitinfo.files_at(root, changes.merge_base, SCALE_PATH):
        return  # a new scale: nothing published to compare with
    before = scale_from_bytes(root, SCALE_PATH, gitinfo.file_at(root, changes.merge_base, SCALE_PATH))
    if before is None:
        return
    yield from rewritten(before, after, changes.base)
    if len(after.log) > len(before.log):
        yield from _backdated(root, changes, after, range(len(before.log), len(after.log)))
        return
    for alteration in alterations(before, after):
        fields = ", ".join(alteration.fields)
        yield error(
            after.document.path,
            after.document.position(alteration.path),
            "scale-log-missing",
            format_field(alteration.path),
            f"this change to {alteration.what} ({fields}) {alteration.effect}, and adds no entry to the scale's "
            f"log (compared with {changes.base})",
            LOG_HINT,
        )
