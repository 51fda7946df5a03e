"""A change to the status scale is a site-wide correction, logged (``claimledger check --changed``).

claims/statuses.yaml is compared, as the strict loader reads it, with its version at the merge base.
What a status shows on every claim that has it (:data:`STATUS_VISIBLE`), a status removed, or the
scale's bounds changed needs a new entry at the end of the scale's append-only ``log:``, which the
Corrections page and its feed list. Adding a status, or reordering them, changes no claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, error
from ..record.layout import DATA_DIR, STATUS_FILE
from ..record.loader import scale_from_bytes
from ..record.model import Dataset, PartialDate, StatusScale
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
    if not (isinstance(old, str) and isinstance(new, str)):
        return old == new
    return old.lower() == new.lower() if name == "colour" else old.split() == new.split()


def alterations(before: StatusScale, after: StatusScale) -> list[Alteration]:
    """What readers see otherwise in ``after`` than in ``before``: per status, its changed fields."""
    found: list[Alteration] = []
    bounds = tuple(name for name in SCALE_VISIBLE if getattr(before, name) != getattr(after, name))
    if bounds:
        found.append(Alteration((bounds[0],), "the scale", bounds, "alters the rating of every reviewed claim"))
    now = {status.id: status for status in after.statuses}
    for old in before.statuses:
        new = now.get(old.id)
        if new is None:
            found.append(Alteration(("statuses",), f"status '{old.id}'", ("removed",)))
            continue
        changed = tuple(name for name in STATUS_VISIBLE if not _same(name, getattr(old, name), getattr(new, name)))
        if changed:
            # An implicit verdict flag (from rating_value) has no line of its own: point at the status.
            data = after.document.data["statuses"][new.index]
            explicit = changed[0] != "verdict" or (isinstance(data, dict) and "verdict" in data)
            found.append(
                Alteration(("statuses", new.index, changed[0] if explicit else "id"), f"status '{old.id}'", changed)
            )
    return found


def rewritten(before: StatusScale, after: StatusScale, base: str) -> Iterator[Finding]:
    """A finding for each entry the base's log had that is gone or reads otherwise now."""
    for index, old in enumerate(before.log):
        gone = index >= len(after.log)
        if not gone and (after.log[index].date, after.log[index].summary.split()) == (old.date, old.summary.split()):
            continue
        yield error(
            after.document.path,
            after.document.position(("log",) if gone else ("log", index)),
            "scale-log-rewritten",
            f"log[{index}]",
            f"the scale's log entry of {old.date} ({'removed' if gone else 'edited'}) is not as {base} has it: "
            "published corrections are never edited or removed",
            f"restore the entry exactly as {base} has it; to correct it, add a new entry at the end of `log:`",
        )


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
        # A new entry dated before the base was last changed would sit among old corrections, unseen.
        last = gitinfo.commit_date(root, changes.merge_base)
        why = (
            f"before {changes.base} was last changed ({last}): readers would find it among old corrections, "
            "not as the news it is"
        )
        yield from before_record(
            after.log, after.document, range(len(before.log), len(after.log)), PartialDate.parse(last), why
        )
        return
    for alteration in alterations(before, after):
        yield error(
            after.document.path,
            after.document.position(alteration.path),
            "scale-log-missing",
            format_field(alteration.path),
            f"this change to {alteration.what} ({', '.join(alteration.fields)}) {alteration.effect}, and adds no "
            f"entry to the scale's log (compared with {changes.base})",
            LOG_HINT,
        )
