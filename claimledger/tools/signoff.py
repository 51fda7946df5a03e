"""``claimledger review``: an editor signs off a claim's verdict, tied to what the claim says.

The block ``review: {by, date, fingerprint}`` is written into the claim's file, the rest of it (comments
included) as it was; the fingerprint is that of the claim's reader-visible fields as they load now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..checks.project import check_project, latest_today
from ..findings import Finding, Severity
from ..record.model import Editor
from ..record.paths import write_whole
from ..record.visible import fingerprint
from ..record.yamlsafe import YamlProblem
from ..settings import Settings
from .fmt import set_fields

# What a review itself settles: a claim that has only these wrong may be reviewed.
REVIEW_RULES = frozenset({"review-missing", "review-editor", "review-reviewers", "review-stale"})


class ReviewError(Exception):
    """The review cannot be recorded; the message says why and what to do."""

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


@dataclass(frozen=True)
class Recorded:
    path: Path
    editors: tuple[Editor, ...]
    date: dt.date
    fingerprint: str


def record(
    root: Path,
    claim_id: str,
    by: Sequence[str],
    date: dt.date | None = None,
    today: dt.date | None = None,
    settings: Settings | None = None,
) -> Recorded:
    """Record a review of ``claim_id`` by the editors ``by`` on ``date`` (default: today)."""
    today = today or latest_today()
    date = date or min(dt.date.today(), today)
    if date > today:
        raise ReviewError(f"{date.isoformat()} is in the future: give the day of the review")
    editors_given = list(dict.fromkeys(by))
    dataset, findings = check_project(root, today, settings)
    claim = dataset.claims.get(claim_id)
    if claim is None:
        raise ReviewError(
            f"no claim '{claim_id}' that loads: check that claims/claims/{claim_id}.yaml exists and that "
            "claimledger check reads it",
            [f for f in findings if f.path.endswith(f"/{claim_id}.yaml") and f.severity is Severity.ERROR],
        )
    publisher = dataset.publisher
    known = {e.id: e for e in publisher.editors} if publisher is not None else {}
    unknown = [editor_id for editor_id in editors_given if editor_id not in known]
    if unknown:
        listed = ", ".join(known) if known else "none yet"
        raise ReviewError(
            f"{', '.join(repr(u) for u in unknown)} {'is' if len(unknown) == 1 else 'are'} not on the editors' "
            f"list (`editors` in claims/publisher.yaml; listed: {listed}): add an editor there, with their "
            "public name, before they sign a review"
        )
    errors = [
        f
        for f in findings
        if f.path == claim.document.path and f.severity is Severity.ERROR and f.rule not in REVIEW_RULES
    ]
    if errors:
        raise ReviewError(
            f"{claim.document.path} has errors: a review signs off a claim that checks; fix them first", errors
        )
    status = dataset.scale.get(claim.status) if dataset.scale is not None else None
    if status is not None and status.verdict and len(editors_given) < status.reviewers:
        raise ReviewError(
            f"status '{claim.status}' needs {status.reviewers} different editors to review it; "
            f"give each with --by (this review names {len(editors_given)})"
        )
    path = root.resolve() / claim.document.path
    print_ = fingerprint(claim)
    names = CommentedSeq(editors_given)
    names.fa.set_flow_style()
    block = CommentedMap(by=names if len(names) > 1 else names[0], date=date.isoformat(), fingerprint=print_)
    try:
        text = path.read_bytes().decode("utf-8")
        result = set_fields(text, "claim", {"review": block})
    except (OSError, UnicodeDecodeError, ValueError, YamlProblem) as exc:
        raise ReviewError(f"{claim.document.path} cannot be updated: {exc}") from None
    write_whole(path, result)
    return Recorded(path, tuple(known[e] for e in editors_given), date, print_)
