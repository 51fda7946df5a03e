"""``check --changed``: the findings a change is responsible for, and only those.

A finding is the change's if it is on a changed file, or on an unchanged file and new since the merge
base (a reference into a deleted file, say). One that links an unchanged file to a changed one (a shared
id) is shown on the changed file too, which is never reported clean while the full check fails for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, error
from ..record.layout import KIND_DIRS
from ..settings import Settings
from .accepted import apply, warned
from .gitinfo import Changes, GitError, git_output
from .project import check_project


@dataclass(frozen=True)
class BaseCheck:
    """What the full check reports on the project as it was at the base, and which warnings (by file and
    rule) it found there before claims/accepted-warnings.yaml accepted any."""

    findings: list[Finding]
    warned: frozenset[tuple[str, str]] = frozenset()


def _inside(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """``member`` as the "data" filter allows it, or ``None`` (left out) for a link out of the folder
    or another member it refuses: the base's files are read, never followed outside the project."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def base_check(root: Path, base: str, today: dt.date | None, settings: Settings) -> BaseCheck:
    """The full check of the project as it was at ``base`` (a commit)."""
    root = root.resolve()
    try:
        prefix = git_output(root, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape").strip()
        archive = git_output(root, "archive", "--format=tar", f"{base}:{prefix}")
    except GitError as exc:
        raise GitError(f"cannot read the project as it was at {base}") from exc
    with tempfile.TemporaryDirectory(prefix="claimledger-base-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter=_inside)
        if not (Path(folder) / "claims").is_dir():
            return BaseCheck([])
        dataset, findings = check_project(Path(folder), today, dataclasses.replace(settings, cache_dir=None))
        return BaseCheck(apply(Path(folder), dataset, findings, today).findings, warned(findings))


def _mirrored(finding: Finding, changed: frozenset[str]) -> list[Finding]:
    """The finding shown on the changed file it involves, for one that links two files (a shared id)."""
    if finding.rule != "duplicate-id":
        return []
    name = finding.path.rpartition("/")[2]
    folders = (f"claims/{folder}/" for folder in KIND_DIRS.values())
    kind_folder = next((folder for folder in folders if finding.path.startswith(folder)), None)
    if kind_folder is None:
        return []
    return [
        error(
            path,
            (finding.line, finding.column),
            finding.rule,
            finding.field,
            f"this file's id '{name.removesuffix('.yaml')}' is also used by {finding.path}",
            finding.hint,
        )
        for path in sorted(changed)
        if path != finding.path and path.startswith(kind_folder) and path.rpartition("/")[2] == name
    ]


def findings_of_change(findings: Sequence[Finding], changes: Changes, before: Sequence[Finding]) -> list[Finding]:
    """The findings ``changes`` is responsible for: on a changed file, or new since the base (``before``)."""
    known = {(f.path, f.rule, f.field, f.message) for f in before}
    kept: list[Finding] = []
    for finding in findings:
        if finding.path in changes.paths:
            kept.append(finding)
        elif (finding.path, finding.rule, finding.field, finding.message) not in known:
            kept.append(finding)
            kept.extend(_mirrored(finding, changes.paths))
    return sorted(set(kept))
