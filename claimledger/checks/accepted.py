"""Known warnings: claims/accepted-warnings.yaml lists warnings the editors weighed and accepted, each with
its reason, who accepted it and when. An accepted warning is counted once in the summary, not printed;
an entry that matches no warning any more is itself a warning. An entry is accepted on a real date, not
in the future, by an editor on the record (claims/publisher.yaml's ``editors:``), or accepts nothing;
and a change cannot accept a warning it introduces itself (:func:`introduced`, for ``check --changed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..findings import Finding, Severity, error, warning
from ..record.layout import DATA_DIR, PUBLISHER_FILE
from ..record.loader import load_file
from ..record.model import Dataset, PartialDate
from ..record.yamlsafe import Document
from ..rules import RULES
from .project import latest_today

ACCEPTED_FILE = f"{DATA_DIR}/accepted-warnings.yaml"
PUBLISHER = f"{DATA_DIR}/{PUBLISHER_FILE}"


@dataclass(frozen=True)
class Accepted:
    """The findings left to report, and how many warnings were accepted."""

    findings: list[Finding]
    count: int


def _entry_problems(
    document: Document, index: int, entry: dict[str, Any], today: dt.date, editors: frozenset[str]
) -> Iterator[Finding]:
    """What is wrong with one entry as data: its date, and who accepted it."""
    date_at = document.position(("accepted", index, "date"))
    try:
        date = PartialDate.parse(entry["date"])
    except ValueError as exc:
        yield error(
            ACCEPTED_FILE,
            date_at,
            "date-invalid",
            f"accepted[{index}].date",
            f"{entry['date']!r} is not a real date: {exc}",
            "write the real calendar date on which the warning was accepted: YYYY-MM-DD",
        )
    else:
        if date.earliest() > today:
            yield error(
                ACCEPTED_FILE,
                date_at,
                "date-future",
                f"accepted[{index}].date",
                f"{date} is in the future (it is {today.isoformat()} in the earliest time zone)",
                "use the date on which the warning was accepted",
            )
    by = " ".join(str(entry["accepted_by"]).split())
    if by not in editors:
        known = ", ".join(sorted(editors)) or "none"
        yield error(
            ACCEPTED_FILE,
            document.position(("accepted", index, "accepted_by")),
            "accepted-by",
            f"accepted[{index}].accepted_by",
            f"'{by}' is not an editor on the record (the editors of {PUBLISHER}: {known})",
            f"name the editor who accepted the warning by the id {PUBLISHER} gives them under `editors:`"
            if editors
            else f"list the project's editors under `editors:` in {PUBLISHER} (`- id: ID`, "
            "`name: PUBLIC NAME`), then name the one who accepted the warning",
        )


def apply(root: Path, dataset: Dataset, findings: Sequence[Finding], today: dt.date | None = None) -> Accepted:
    """``findings`` less the warnings claims/accepted-warnings.yaml accepts, plus findings about that file."""
    document, problems = load_file(root, root / ACCEPTED_FILE, "accepted_warnings")
    if document is None:
        return Accepted([*findings, *problems], 0)
    editors = frozenset(e.id for e in dataset.publisher.editors) if dataset.publisher is not None else frozenset()
    wanted: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(document.data["accepted"]):
        key = (entry["file"], entry["rule"])
        if entry["rule"] not in RULES or key in wanted:
            problems.append(
                warning(
                    ACCEPTED_FILE,
                    document.position(("accepted", index, "rule")),
                    "accepted-warning",
                    f"accepted[{index}].rule",
                    f"'{entry['rule']}' "
                    + (
                        "is not a rule claimledger has"
                        if entry["rule"] not in RULES
                        else "is accepted twice for this file"
                    ),
                    "use the rule check prints in brackets after the warning, once per file",
                )
            )
            continue
        wrong = list(_entry_problems(document, index, entry, today or latest_today(), editors))
        problems.extend(wrong)
        if not wrong:  # an entry that is wrong as data accepts nothing
            wanted[key] = index
    used = warned(findings) & wanted.keys()
    kept = [f for f in findings if f.severity is not Severity.WARNING or (f.path, f.rule) not in wanted]
    problems.extend(
        warning(
            ACCEPTED_FILE,
            document.position(("accepted", index)),
            "accepted-warning",
            f"accepted[{index}]",
            f"no {key[1]} warning on {key[0]} is left to accept (an error cannot be accepted)",
            "remove this entry: the warning it accepted no longer occurs",
        )
        for key, index in wanted.items()
        if key not in used
    )
    return Accepted(sorted({*kept, *problems}), len(used))


def warned(findings: Sequence[Finding]) -> frozenset[tuple[str, str]]:
    """The (file, rule) of every warning among ``findings``: what an entry could accept."""
    return frozenset((f.path, f.rule) for f in findings if f.severity is Severity.WARNING)


@dataclass(frozen=True)
class Introduced:
    """Warnings a change introduced and accepted at once: shown after all, with an error on each entry."""

    findings: list[Finding]
    count: int  # how many accepted (file, rule) pairs that takes back


def introduced(root: Path, findings: Sequence[Finding], before: Collection[tuple[str, str]], base: str) -> Introduced:
    """For ``check --changed``: the warnings an entry accepts that the base (whose warnings by file and rule
    are ``before``) did not have, and an error on each such entry."""
    document, _ = load_file(root, root / ACCEPTED_FILE, "accepted_warnings")
    if document is None:
        return Introduced([], 0)
    now = warned(findings)
    shown: list[Finding] = []
    count = 0
    for index, entry in enumerate(document.data["accepted"]):
        key = (entry["file"], entry["rule"])
        if key not in now or key in before:
            continue
        count += 1
        shown.extend(f for f in findings if (f.path, f.rule) == key and f.severity is Severity.WARNING)
        shown.append(
            error(
                ACCEPTED_FILE,
                document.position(("accepted", index)),
                "accepted-in-change",
                f"accepted[{index}]",
                f"this entry accepts the {key[1]} warning on {key[0]}, which this change introduces ({base} has "
                "no such warning)",
                "act on the warning; if it cannot be acted on, the editors accept it in a change of its own once "
                "this one is merged",
            )
        )
    return Introduced(shown, count)
