"""Property-based: generated claim files, valid and then mutated, never crash the checks; every
problem is a finding with its file and line; every valid dataset builds."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimledger.checks.project import check_project
from claimledger.findings import Severity

from .conftest import MINIMAL, REPO, examples
from .reviews import fingerprint_of
from .sitebuild import build

SOURCES = ["widget-post", "widget-comment", "widget-report", "audit"]
PARTIES = ["widgets-inc", "cqo", "blogger", "reader", "auditor"]
QUOTES = ["Widget defects fell by 12% in 2020", "I do not believe the defect figure.", "Widgets Inc. annual report"]

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60)
words = st.text("abcdefghij klmnop,.-", min_size=1, max_size=60).filter(lambda t: t.strip() != "")
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2020, 12, 31)).map(lambda d: d.isoformat())


@st.composite
def claims(draw: st.DrawFn) -> dict[str, Any]:
    """A claim that passes every check against the minimal fixture project."""
    claim: dict[str, Any] = {
        "statement": draw(words)[:120].strip() or "x",
        "quote": draw(st.sampled_from(QUOTES)),
        "claimant": draw(st.sampled_from(["widgets-inc", "blogger"])),
        "date": draw(st.one_of(dates, st.just("unknown"))),
        "first_appearance": "widget-post",
        "appearances": [{"source": "widget-post", "quote": "Widget defects fell by 12% in 2020"}],
        "status": "unverified",
        "rationale": draw(words),
    }
    if draw(st.booleans()):
        claim["value"] = draw(st.integers(0, 10**9))
        claim["unit"] = draw(st.sampled_from(["count", "percent", "day", "CNY"]))
        if claim["unit"] == "count":
            claim["counted"] = draw(words)
        if claim["unit"] == "percent":
            claim["value"] = claim["value"] % 101
    if draw(st.booleans()):
        claim["tags"] = draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), unique=True, max_size=3))
    if draw(st.booleans()):
        claim["rebuttals"] = [
            {
                "source": "widget-comment",
                "party": "reader",
                "stance": "disputes",
                "summary": draw(words),
                "quote": "I do not believe the defect figure.",
            }
        ]
        claim["status"] = draw(st.sampled_from(["disputed", "unverified"]))
    if claim["status"] != "unverified":  # a verdict, signed off by an editor of the fixture
        claim["review"] = {"by": "ana", "date": draw(dates), "fingerprint": fingerprint_of(dump(claim))}
    return claim


def dump(claim: dict[str, Any]) -> str:
    return yaml.safe_dump(claim, sort_keys=False, allow_unicode=True)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid claim, then broken in one of the ways a contributor or an attacker might."""
    claim = draw(claims())
    how = draw(st.sampled_from(["drop", "retype", "duplicate", "truncate", "unicode", "bytes"]))
    if how == "drop":
        claim.pop(draw(st.sampled_from(sorted(claim))))
        return dump(claim).encode()
    if how == "retype":
        key = draw(st.sampled_from(sorted(claim)))
        claim[key] = draw(
            st.one_of(
                st.none(),
                st.integers(),
                st.floats(allow_nan=False),
                st.booleans(),
                st.lists(st.integers(), max_size=2),
                st.dictionaries(words, words, max_size=2),
                text,
            )
        )
        return dump(claim).encode()
    body = dump(claim)
    if how == "duplicate":
        line = draw(st.sampled_from([ln for ln in body.splitlines() if ln and not ln.startswith(" ")]))
        return (body + line + "\n").encode()
    if how == "truncate":
        return body.encode()[: draw(st.integers(0, len(body.encode())))]
    if how == "unicode":
        at = draw(st.integers(0, len(body)))
        return (body[:at] + draw(text) + body[at:]).encode("utf-8", "surrogatepass")
    raw = body.encode()
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]


def _fresh(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(MINIMAL, root)
    return root


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=mutated())
def test_a_mutated_claim_never_crashes_the_check_and_every_problem_has_a_place(tmp_path: Path, raw: bytes) -> None:
    root = _fresh(tmp_path, "mutated")
    target = root / "claims" / "claims" / "generated.yaml"
    target.write_bytes(raw)
    _, findings = check_project(root)  # must not raise
    lines = raw.count(b"\n") + 1
    for finding in findings:
        assert finding.rule and finding.message
        assert (root / finding.path).exists(), finding
        assert finding.line >= 1 and finding.column >= 1, finding
        if finding.path == "claims/claims/generated.yaml":
            assert finding.line <= lines + 1, finding
            if finding.severity is Severity.ERROR:
                assert finding.hint, finding


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(claim=claims())
def test_a_generated_valid_claim_passes_the_check(tmp_path: Path, claim: dict[str, Any]) -> None:
    root = _fresh(tmp_path, "valid")
    (root / "claims" / "claims" / "generated.yaml").write_text(dump(claim), encoding="utf-8")
    _, findings = check_project(root)
    assert [f for f in findings if f.severity is Severity.ERROR] == [], json.dumps(claim)


@settings(max_examples=examples(4), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(claims(), min_size=1, max_size=4))
def test_every_valid_dataset_builds(tmp_path: Path, batch: list[dict[str, Any]]) -> None:
    root = _fresh(tmp_path, "build")
    for number, claim in enumerate(batch):
        (root / "claims" / "claims" / f"generated-{number}.yaml").write_text(dump(claim), encoding="utf-8")
    result = build(root, tmp_path / "site-build")
    assert result.returncode == 0, result.stdout + result.stderr
    for number in range(len(batch)):
        assert (tmp_path / "site-build" / "claims" / f"generated-{number}" / "index.html").is_file()


def _profile(chosen: str | None) -> dict[str, Any]:
    """The Hypothesis settings a test run gets with HYPOTHESIS_PROFILE set to ``chosen`` (None: unset)."""
    env = {name: value for name, value in os.environ.items() if name != "HYPOTHESIS_PROFILE"}
    if chosen is not None:
        env["HYPOTHESIS_PROFILE"] = chosen
    probe = (
        "import json; from hypothesis import settings; import tests.conftest; s = settings(); "
        "print(json.dumps([s.derandomize, s.database is None, s.deadline is None, s.max_examples]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    derandomize, no_database, no_deadline, max_examples = json.loads(done.stdout)
    return {"derandomize": derandomize, "database": not no_database, "deadline": not no_deadline, "max": max_examples}


def test_property_tests_draw_the_same_examples_on_every_run_unless_asked_to_fuzz() -> None:
    ci = _profile(None)
    assert ci == _profile("ci")
    assert ci == {"derandomize": True, "database": False, "deadline": False, "max": 100}


def test_the_fuzz_profile_draws_many_more_examples_from_a_fresh_seed() -> None:
    assert _profile("fuzz") == {"derandomize": False, "database": False, "deadline": False, "max": 5000}
