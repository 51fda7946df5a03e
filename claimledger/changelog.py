"""A pull request that changes what a claim says logs it: ``claimledger check --changed``.

Each changed claim is compared with its version at the merge base, both read
by the strict loader into the model (never by matching lines of text): if any
field a reader is told (claimledger.visible.READER_VISIBLE) differs, its log must
have gained an entry at its end (rewording an old entry is no new one).  A claim
moved to another folder is found at the base by its id; a new claim, or one
whose base version did not load, has nothing to be compared with.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from . import gitinfo
from .findings import Finding, error
from .layout import KIND_FOLDERS
from .loader import claim_from_bytes
from .model import Dataset
from .paths import DATA_SUFFIX
from .visible import changed_fields


def unlogged(root: Path, changes: gitinfo.Changes, dataset: Dataset) -> Iterator[Finding]:
    """A finding for each changed claim whose watched fields changed since the merge base with no new log entry."""
    folder = KIND_FOLDERS["claim"].rstrip("/")
    at_base: dict[str, str] | None = None
    for claim in dataset.claims.values():
        if claim.document.path not in changes.paths:
            continue
        if at_base is None:  # listed once, and only if a claim changed
            at_base = {
                path.rpartition("/")[2].removesuffix(DATA_SUFFIX): path
                for path in gitinfo.files_at(root, changes.merge_base, folder)
                if path.endswith(DATA_SUFFIX)
            }
        old_path = at_base.get(claim.id)
        if old_path is None:
            continue
        before, _ = claim_from_bytes(root, old_path, gitinfo.file_at(root, changes.merge_base, old_path))
        if before is None:
            continue
        changed = changed_fields(before, claim)
        if not changed or len(claim.log) > len(before.log):  # the log is kept oldest first: new entries end it
            continue
        fields = ", ".join(changed)
        yield error(
            claim.document.path,
            claim.document.position((changed[0],)),
            "log-missing",
            changed[0],
            f"this change to the claim's {fields} adds no entry to its log (compared with {changes.base})",
            "add an entry at the end of `log:` saying what changed and why, for readers: `- date: YYYY-MM-DD`, "
            "`kind:` correction, clarification, status-change or update, and `summary:`",
        )
