"""Every file in tests/data/broken is rejected with its rule, at its line, in its file.

Each corpus file says what it expects in its header::

    # expect: <rule> line <N>
    # target: <path in the project>     (default: claims/claims/<file name>)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.findings import Severity

from .conftest import TESTS

CORPUS = sorted((TESTS / "data" / "broken").iterdir())


def _expectation(raw: bytes) -> tuple[str, int, str | None]:
    header = raw.split(b"\n", 4)
    text = b"\n".join(header[:4]).decode("ascii", "replace")
    rule, line = re.search(r"# expect: (\S+) line (\d+)", text).groups()  # type: ignore[union-attr]
    target = re.search(r"# target: (\S+)", text)
    return rule, int(line), target.group(1) if target else None


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_broken_file_is_rejected_with_rule_and_line(case: Path, minimal_project: Path) -> None:
    raw = case.read_bytes()
    rule, line, target = _expectation(raw)
    relative = target or f"claims/claims/{case.name}"
    destination = minimal_project / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case, destination)

    _, findings = check_project(minimal_project)

    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert (relative, rule, line) in {(f.path, f.rule, f.line) for f in errors}, errors
    assert all(f.path == relative for f in errors), "the broken file must not cause findings elsewhere"
    assert all(f.hint for f in errors), "every error carries a hint"
