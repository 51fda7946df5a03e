"""A change to the status scale that alters what published claims show is a logged, site-wide
correction: ``check --changed`` refuses it without an entry in the scale's log, the log is
append-only, and the Corrections page and its feed list the entries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding, Severity
from claimledger.site.feed import atom

from .gitrepo import git, init
from .sitebuild import build

SCALE = "claims/statuses.yaml"
ATOM = "{http://www.w3.org/2005/Atom}"
DISPUTED = """\
  - id: disputed
    label: Disputed
    colour: "#bc4c00"
"""
# The attack: every disputed claim would show a green "Corroborated" badge and a ClaimReview of 5/5.
RELABELLED = """\
  - id: disputed
    label: Corroborated
    colour: "#1a7f37"
"""
LOG = """\
log:
  - date: 2021-05-02
    summary: The status *disputed* is now labelled Corroborated, in green, rated 5.
"""


@pytest.fixture
def repo(minimal_project: Path) -> Path:
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    return minimal_project


def edit(root: Path, old: str, new: str) -> None:
    path = root / SCALE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, text: str) -> None:
    path = root / SCALE
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(root: Path, needle: str, after: str = "") -> int:
    """The number of the first line holding ``needle`` from the first holding ``after`` on."""
    lines = (root / SCALE).read_text(encoding="utf-8").splitlines()
    start = next(number for number, line in enumerate(lines) if after in line)
    return next(number for number, line in enumerate(lines, start=1) if number > start and needle in line)


def changed(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--root", str(repo), "--changed", "main", *extra])
    return code, capsys.readouterr().out


def relabel_disputed(root: Path) -> None:
    edit(root, DISPUTED, RELABELLED)
    edit(
        root,
        "    evidence: disputing-rebuttal\n    rating_value: 2\n",
        "    evidence: disputing-rebuttal\n    rating_value: 5\n",
    )


def test_relabelling_a_status_as_another_verdict_without_a_log_entry_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    relabel_disputed(repo)

    code, out = changed(repo, capsys)

    assert code == 1
    line = line_of(repo, "label: Corroborated", after="id: disputed")
    assert (
        f"{SCALE}:{line}:5: error: this change to status 'disputed' (label, colour, rating_value) alters what every "
        "claim with it shows, and adds no entry to the scale's log (compared with main) [scale-log-missing]"
    ) in out
    assert "    field: statuses[3].label\n    hint: add an entry at the end of `log:` in claims/statuses.yaml" in out


def test_the_refusal_is_a_github_annotation_on_the_changed_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    relabel_disputed(repo)
    _, out = changed(repo, capsys, "--format", "github")
    line = line_of(repo, "label: Corroborated", after="id: disputed")
    assert f"::error file={SCALE},line={line},col=5,title=scale-log-missing::" in out


def test_a_weaker_evidence_rule_needs_a_log_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, "    evidence: independent-support\n", "    evidence: none\n")
    code, out = changed(repo, capsys)
    assert code == 1
    assert f"{SCALE}:{line_of(repo, 'evidence: none')}:5: error: this change to status 'corroborated' (evidence)" in out


def test_a_changed_verdict_flag_needs_a_log_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, "    rating_value: 3\n    verdict: false\n", "    rating_value: 3\n")
    code, out = changed(repo, capsys)
    assert code == 1
    assert "this change to status 'unverified' (verdict)" in out
    assert "field: statuses[1].id" in out  # the flag it now takes from its rating has no line: the status's


def test_removing_a_status_needs_a_log_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo / SCALE).read_text(encoding="utf-8")
    start, end = text.index("  - id: refuted"), text.index("  - id: superseded")
    (repo / SCALE).write_text(text[:start] + text[end:], encoding="utf-8")
    code, out = changed(repo, capsys)
    assert code == 1
    assert "this change to status 'refuted' (removed)" in out


def test_changing_the_best_rating_needs_a_log_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, "best_rating: 5\n", "best_rating: 6\n")
    code, out = changed(repo, capsys)
    assert code == 1
    assert (
        f"{SCALE}:{line_of(repo, 'best_rating: 6')}:1: error: this change to the scale (best_rating) alters the rating"
        in out
    )


def test_a_logged_scale_change_passes_and_is_flagged_for_a_maintainer(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    relabel_disputed(repo)
    append(repo, LOG)
    code, out = changed(repo, capsys)
    assert code == 0, out
    assert "[scale-log-missing]" not in out
    assert f"{SCALE}:1:1: warning: this pull request changes how the site is governed or built" in out


def test_a_new_scale_log_entry_back_dated_before_the_base_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    relabel_disputed(repo)
    append(repo, LOG.replace("2021-05-02", "2018-01-01"))
    code, out = changed(repo, capsys)
    assert code == 1, out
    line = line_of(repo, "date: 2018-01-01", after="log:")
    assert f"{SCALE}:{line}:" in out
    assert "error: this new entry is dated 2018-01-01, before main was last changed (2021-05-01)" in out
    assert (
        "[log-before-record]\n    field: log[0].date\n    hint: date a new entry the day the change is published" in out
    )


def test_adding_or_reordering_statuses_or_rewrapping_a_description_needs_no_entry(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (repo / SCALE).read_text(encoding="utf-8")
    start, end = text.index("  - id: refuted"), text.index("  - id: superseded")
    refuted = text[start:end]
    text = text[:start] + text[end:] + refuted  # refuted moved to the end
    text = text.replace(
        "Evidence on the record argues that the claim is wrong, unfounded or\n",
        "Evidence on the record argues\n      that the claim is wrong, unfounded or\n",
    )
    text += '  - id: misleading\n    label: Misleading\n    colour: "#9a6700"\n    description: True but misleading.\n'
    text += "    evidence: disputing-rebuttal\n    rating_value: 2\n"
    (repo / SCALE).write_text(text, encoding="utf-8")
    code, out = changed(repo, capsys)
    assert code == 0, out
    assert "[scale-log-missing]" not in out


def test_a_published_scale_log_entry_cannot_be_rewritten(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    relabel_disputed(repo)
    append(repo, LOG)
    git(repo, "commit", "-q", "-am", "Relabel disputed, logged")
    git(repo, "branch", "-f", "main", "HEAD")
    # The next change hides what the first said, and appends an entry to look logged.
    edit(
        repo, "summary: The status *disputed* is now labelled Corroborated, in green, rated 5.", "summary: Typo fixed."
    )
    append(repo, "  - date: 2021-05-03\n    summary: Wording.\n")

    code, out = changed(repo, capsys)

    assert code == 1
    line = line_of(repo, "- date: 2021-05-02")
    assert (
        f"{SCALE}:{line}:5: error: the scale's log entry of 2021-05-02 (edited) is not as main has it: published "
        "corrections are never edited or removed [scale-log-rewritten]"
    ) in out
    assert "    field: log[0]\n    hint: restore the entry exactly as main has it" in out


def test_removing_the_scale_log_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    append(repo, LOG)
    git(repo, "commit", "-q", "-am", "A logged change")
    git(repo, "branch", "-f", "main", "HEAD")
    text = (repo / SCALE).read_text(encoding="utf-8")
    (repo / SCALE).write_text(text[: text.index("log:\n")], encoding="utf-8")
    code, out = changed(repo, capsys)
    assert code == 1
    assert "the scale's log entry of 2021-05-02 (removed)" in out


def _scale_errors(root: Path) -> list[Finding]:
    _, findings = check_project(root)
    return [f for f in findings if f.path == SCALE and f.severity is Severity.ERROR]


def test_a_scale_log_date_must_be_a_real_date(minimal_project: Path) -> None:
    append(minimal_project, LOG.replace("2021-05-02", "2018-02-30"))
    found = [(f.line, f.rule, f.field) for f in _scale_errors(minimal_project)]
    assert found == [(line_of(minimal_project, "2018-02-30"), "date-invalid", "log[0].date")]


def test_a_scale_log_date_may_not_lie_in_the_future_or_run_backwards(minimal_project: Path) -> None:
    append(
        minimal_project, LOG + "  - date: 2021-01-01\n    summary: Older.\n  - date: 2999-01-01\n    summary: Later.\n"
    )
    found = [(f.line, f.rule, f.field) for f in _scale_errors(minimal_project)]
    assert found == [
        (line_of(minimal_project, "2021-01-01"), "log-order", "log[1].date"),
        (line_of(minimal_project, "2999-01-01"), "date-future", "log[2].date"),
    ]


def test_the_feed_lists_a_scale_change_among_the_claims_by_date(minimal_project: Path) -> None:
    relabel_disputed(minimal_project)
    append(minimal_project, LOG)
    dataset, _ = check_project(minimal_project)
    feed = ET.fromstring(atom(dataset, site_url="https://x.example/", site_name="X").encode())
    entries = feed.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}id") == "https://x.example/corrections/#scale-change-1"
    assert entries[0].findtext(f"{ATOM}updated") == "2021-05-02T00:00:00Z"
    assert entries[0].find(f"{ATOM}category").get("term") == "scale-change"  # type: ignore[union-attr]
    assert "<em>disputed</em> is now labelled Corroborated" in (entries[0].findtext(f"{ATOM}summary") or "")
    assert feed.findtext(f"{ATOM}updated") == "2021-05-02T00:00:00Z"  # newer than any claim's review


def test_the_corrections_page_lists_a_logged_scale_change(minimal_project: Path) -> None:
    relabel_disputed(minimal_project)
    append(minimal_project, LOG)
    site = minimal_project / "site"
    result = build(minimal_project, site)
    assert result.returncode == 0, result.stderr
    html = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    listed = html[html.index('id="scale-changes"') :]
    assert '<li class="ct-change ct-change-scale-change" id="scale-change-1">' in listed
    assert '<time datetime="2021-05-02">2 May 2021</time>' in listed
    assert "<em>disputed</em> is now labelled Corroborated, in green, rated 5." in listed
    assert '<a href="../rating-scale/">verification scale</a>' in listed  # the page that shows the scale
