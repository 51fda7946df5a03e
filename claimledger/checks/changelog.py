"""A pull request logs what it changes in a claim and never rewrites the record (``check --changed``).

Each changed claim is compared, as the strict loader reads it, with its version at the merge base (found
by id if it moved): a reader-visible field changed with no new log entry (``log-missing``), a base entry
edited or removed (``log-edited``, ``log-removed``), a new entry dated before the claim was on the record
(``log-before-record``), a published claim deleted (``claim-deleted``), and a review added or altered,
which the editor it names must approve (``review-signed``, a warning).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path

from ..findings import Finding, error, warning
from ..record.layout import KIND_FOLDERS
from ..record.loader import claim_from_bytes
from ..record.model import Claim, Dataset, LogEntry, PartialDate, ScaleLogEntry
from ..record.paths import DATA_SUFFIX
from ..record.visible import changed_fields
from ..record.yamlsafe import Document
from . import gitinfo

WITHDRAW_HINT = (
    "a published claim stays on the record: restore the file (`git checkout {base} -- {path}`), set its "
    "`status: withdrawn` and add at the end of its `log:` an entry `kind: retraction` saying when and why"
)
APPEND_ONLY = "the log is append-only: "


class _Base:
    """The claims at the merge base, read from git only once a changed or deleted claim needs them."""

    def __init__(self, root: Path, changes: gitinfo.Changes) -> None:
        self.root, self.changes = root, changes

    @cached_property
    def paths(self) -> dict[str, str]:
        """Each claim id at the base, with its file there."""
        found = gitinfo.files_at(self.root, self.changes.merge_base, KIND_FOLDERS["claim"].rstrip("/"))
        return {path.rpartition("/")[2].removesuffix(DATA_SUFFIX): path for path in found if path.endswith(DATA_SUFFIX)}

    @cached_property
    def published(self) -> dict[str, str]:
        return gitinfo.published_dates(self.root, self.changes.merge_base, KIND_FOLDERS["claim"].rstrip("/"))

    @cached_property
    def date(self) -> str:
        return gitinfo.commit_date(self.root, self.changes.merge_base)

    def claim(self, path: str) -> Claim | None:
        return claim_from_bytes(self.root, path, gitinfo.file_at(self.root, self.changes.merge_base, path))[0]

    def on_record(self, path: str | None) -> tuple[PartialDate, str]:
        """The day the claim at ``path`` (``None``: one the base lacks) went on the record, and why."""
        base = self.changes.base
        day = self.published.get(path) if path is not None else None
        if day is not None:
            reason = f"its file reached {base} on {day}"
        else:
            day, reason = self.date, f"it is not on {base}, which was last changed {self.date}"
        return PartialDate.parse(day), f"before the claim was on the record ({reason})"


def _rewritten(claim: Claim, before: Claim, base: str) -> Iterator[Finding]:
    """An entry of the base's log edited or removed, or the whole log removed."""
    doc = claim.document
    for index, (old, new) in enumerate(zip(before.log, claim.log, strict=False)):
        # a summary reflowed is the same summary
        if (old.date, old.kind, old.summary.split()) == (new.date, new.kind, new.summary.split()):
            continue
        changed = [name for name in ("date", "kind", "summary") if getattr(old, name) != getattr(new, name)]
        field = changed[0] if len(changed) == 1 else None
        message = (
            f"this change edits an entry readers were shown (its {', '.join(changed) or 'wording'}); "
            f"at {base} it reads: {old.date} {old.kind}: {' '.join(old.summary.split())}"
        )
        hint = (
            f"{APPEND_ONLY}put the entry back as it was, and say what was wrong with it in a new entry "
            "at the end of `log:`"
        )
        where = ("log", index, field) if field else ("log", index)
        yield error(
            doc.path, doc.position(where), "log-edited", f"log[{index}]" + (f".{field}" if field else ""), message, hint
        )
    missing = len(before.log) - len(claim.log)
    if missing > 0:
        if claim.log:
            message = f"this change removes {missing} of the {len(before.log)} entries the log has at {base}"
        else:
            message = (
                f"this change removes the claim's whole log ({missing} entr{'y' if missing == 1 else 'ies'} at {base})"
            )
        hint = (
            f"{APPEND_ONLY}restore the removed entries as they are at {base}, and add any new one at the end of `log:`"
        )
        yield error(doc.path, doc.position(("log",)) if claim.log else (1, 1), "log-removed", "log", message, hint)


def before_record(
    log: Sequence[LogEntry | ScaleLogEntry], document: Document, added: range, day: PartialDate, why: str
) -> Iterator[Finding]:
    """An entry this change adds (``added``) that is dated before ``day``; ``why`` ends the message."""
    for index in added:
        if log[index].date.earliest() < day.earliest():
            yield error(
                document.path,
                document.position(("log", index, "date")),
                "log-before-record",
                f"log[{index}].date",
                f"this new entry is dated {log[index].date}, {why}",
                "date a new entry the day the change is published (today), not the day of what it reports",
            )


def _deleted(dataset: Dataset, changes: gitinfo.Changes, base: _Base) -> Iterator[Finding]:
    """A claim file the base has, removed by the change (moved elsewhere under its id is no removal)."""
    present = set(dataset.claims) | set(dataset.broken_ids.get("claim", ()))
    for claim_id, path in sorted(base.paths.items()):
        if claim_id not in present and path in changes.paths:
            message = (
                f"this change deletes the claim '{claim_id}', which is on the record at {changes.base}: its page, "
                "evidence and log would vanish"
            )
            yield error(
                path, (1, 1), "claim-deleted", "status", message, WITHDRAW_HINT.format(base=changes.base, path=path)
            )


def _signed(claim: Claim, before: Claim | None) -> Iterator[Finding]:
    """A warning when the change signs the claim's verdict off: whoever it names must approve it."""
    if claim.review is None or (before is not None and before.review == claim.review):
        return
    names = " and ".join(claim.review.by)
    yield warning(
        claim.document.path,
        claim.document.position(("review", "by")),
        "review-signed",
        "review.by",
        f"this change signs the claim's verdict off in the name of {names}",
        f"{names} must approve this pull request (they own the data folders in .github/CODEOWNERS); "
        "a review is recorded by the editor who reviewed, never on their behalf",
    )


def unlogged(root: Path, changes: gitinfo.Changes, dataset: Dataset) -> Iterator[Finding]:
    """A finding for each change to a claim that its log does not record faithfully."""
    base = _Base(root, changes)
    if changes.deletions:
        yield from _deleted(dataset, changes, base)
    for claim in dataset.claims.values():
        if claim.document.path not in changes.paths:
            continue
        old_path = base.paths.get(claim.id)
        before = base.claim(old_path) if old_path is not None else None
        if old_path is not None and before is None:  # the base version did not load: nothing to compare
            continue
        yield from _signed(claim, before)
        if before is None:
            yield from before_record(claim.log, claim.document, range(len(claim.log)), *base.on_record(None))
            continue
        yield from _rewritten(claim, before, changes.base)
        if len(claim.log) > len(before.log):  # the log is kept oldest first: new entries end it
            added = range(len(before.log), len(claim.log))
            yield from before_record(claim.log, claim.document, added, *base.on_record(old_path))
            continue
        changed = changed_fields(before, claim)
        if changed:
            yield error(
                claim.document.path,
                claim.document.position((changed[0],)),
                "log-missing",
                changed[0],
                f"this change to the claim's {', '.join(changed)} adds no entry to its log "
                f"(compared with {changes.base})",
                "add an entry at the end of `log:` saying what changed and why, for readers: `- date: YYYY-MM-DD`, "
                "`kind:` correction, clarification, status-change, update or retraction, and `summary:`",
            )
