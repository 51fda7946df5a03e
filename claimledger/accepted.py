"""Known warnings: claims/accepted-warnings.yaml lists warnings the editors have weighed and accepted,
each with its reason, who accepted it and when. An accepted warning is not printed on every run (nor
annotated on every pull request): the summary counts it once. An entry that matches no warning any
more is itself a warning, so the list does not outlive its reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding, Severity, warning
from .layout import DATA_DIR
from .loader import load_file
from .rules import RULES

ACCEPTED_FILE = f"{DATA_DIR}/accepted-warnings.yaml"


@dataclass(frozen=True)
class Accepted:
    """The findings left to report, and how many warnings were accepted."""

    findings: list[Finding]
    count: int


def apply(root: Path, findings: Sequence[Finding]) -> Accepted:
    """``findings`` less the warnings claims/accepted-warnings.yaml accepts, plus findings about that file."""
    document, problems = load_file(root, root / ACCEPTED_FILE, "accepted_warnings")
    if document is None:
        return Accepted([*findings, *problems], 0)
    wanted: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(document.data["accepted"]):
        key = (entry["file"], entry["rule"])
        position = document.position(("accepted", index, "rule"))
        if entry["rule"] not in RULES or key in wanted:
            why = "is not a rule claimledger has" if entry["rule"] not in RULES else "is accepted twice for this file"
            problems.append(
                warning(
                    ACCEPTED_FILE,
                    position,
                    "accepted-warning",
                    f"accepted[{index}].rule",
                    f"'{entry['rule']}' {why}",
                    "use the rule check prints in brackets after the warning, once per file",
                )
            )
            continue
        wanted[key] = index
    used: set[tuple[str, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        key = (finding.path, finding.rule)
        if key in wanted and finding.severity is Severity.WARNING:
            used.add(key)
        else:
            kept.append(finding)
    for key, index in wanted.items():
        if key not in used:
            problems.append(
                warning(
                    ACCEPTED_FILE,
                    document.position(("accepted", index)),
                    "accepted-warning",
                    f"accepted[{index}]",
                    f"no {key[1]} warning on {key[0]} is left to accept (an error cannot be accepted)",
                    "remove this entry: the warning it accepted no longer occurs",
                )
            )
    return Accepted(sorted({*kept, *problems}), len(used))
