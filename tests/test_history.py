"""Each claim page shows its revisions and status changes from git, and degrades gracefully."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from claimledger.checks.gitinfo import load_history

from .gitrepo import git, init
from .sitebuild import build

CLAIM = "claims/claims/widget-defects-fell.yaml"


def _history_section(site: Path) -> str:
    html = (site / "claims" / "widget-defects-fell" / "index.html").read_text(encoding="utf-8")
    return html[html.index('id="history"') : html.index('id="data"')]


def _one_line_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "revision history" in line]


def _two_revisions(root: Path) -> None:
    path = root / CLAIM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: disputed", "status: unverified"), encoding="utf-8")
    init(root)
    path.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "Mark the defects claim disputed <after review>", date="2021-06-02T10:00:00")


def test_history_lists_revisions_and_status_changes(minimal_project: Path) -> None:
    _two_revisions(minimal_project)
    history = load_history(minimal_project)
    assert history.available and not history.shallow
    assert [r.subject for r in history.revisions[CLAIM]] == [
        "Mark the defects claim disputed <after review>",
        "Initial dataset",
    ]
    assert [(s.date, s.status) for s in history.statuses[CLAIM]] == [
        ("2021-06-02", "disputed"),
        ("2021-05-01", "unverified"),
    ]


def test_claim_page_shows_status_history_oldest_first_and_links_the_files_history(
    minimal_project: Path, tmp_path: Path
) -> None:
    _two_revisions(minimal_project)
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    section = _history_section(site)
    assert section.index("Unverified") < section.index("Disputed")
    assert "1 May 2021" in section and "2 June 2021" in section
    assert f'href="https://github.com/example/widget-claims/commits/main/{CLAIM}"' in section


def test_no_page_shows_a_commit_subject_as_editorial_history(minimal_project: Path, tmp_path: Path) -> None:
    """Commit subjects say how the files were edited, not what changed for readers: the log does that."""
    _two_revisions(minimal_project)
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    pages = {page: page.read_text(encoding="utf-8") for page in site.rglob("*.html")}
    for subject in ("Mark the defects claim disputed", "Initial dataset"):
        assert [page for page, html in pages.items() if subject in html] == []


def test_outside_a_git_checkout_the_page_says_history_is_unavailable(minimal_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    assert "Revision history is not available: the site was built outside a git checkout." in _history_section(site)


def test_a_shallow_clone_marks_the_history_as_incomplete(minimal_project: Path, tmp_path: Path) -> None:
    _two_revisions(minimal_project)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{minimal_project}", str(clone)], check=True)
    history = load_history(clone)
    assert history.shallow
    assert [r.subject for r in history.revisions[CLAIM]] == ["Mark the defects claim disputed <after review>"]
    site = tmp_path / "site"
    result = build(clone, site)
    assert result.returncode == 0, result.stderr
    assert "The history may be incomplete: the site was built from a shallow clone." in _history_section(site)
    assert _one_line_warnings(result.stderr) == [
        "claimledger: warning: the revision history may be incomplete: the site was built from a shallow clone"
    ]


def test_an_uncommitted_claim_has_no_history_yet(minimal_project: Path, tmp_path: Path) -> None:
    init(minimal_project)
    text = (minimal_project / CLAIM).read_text(encoding="utf-8")
    (minimal_project / "claims" / "claims" / "fresh.yaml").write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    html = (site / "claims" / "fresh" / "index.html").read_text(encoding="utf-8")
    assert "No earlier version of this claim is recorded yet." in html


def test_a_claim_moved_to_a_sub_folder_keeps_its_history(minimal_project: Path) -> None:
    _two_revisions(minimal_project)
    moved = "claims/claims/2021/widget-defects-fell.yaml"
    (minimal_project / "claims/claims/2021").mkdir()
    git(minimal_project, "mv", CLAIM, moved)
    git(minimal_project, "commit", "-q", "-m", "File the claim under its year", date="2021-07-01T10:00:00")
    history = load_history(minimal_project)
    assert [r.subject for r in history.revisions[moved]] == [
        "File the claim under its year",
        "Mark the defects claim disputed <after review>",
        "Initial dataset",
    ]
    assert [(s.date, s.status) for s in history.statuses[moved]] == [
        ("2021-06-02", "disputed"),
        ("2021-05-01", "unverified"),
    ]
    assert CLAIM not in history.revisions and CLAIM not in history.statuses


# -- hostile commits, hostile files, and git going wrong ------------------------


def _commit(root: Path, replace: tuple[str, str], message: str, date: str = "2021-06-02T10:00:00") -> None:
    path = root / CLAIM
    path.write_text(path.read_text(encoding="utf-8").replace(*replace), encoding="utf-8")
    git(root, "commit", "-q", "-am", message, date=date)


def test_a_subject_with_a_record_separator_builds_and_adds_no_revision(minimal_project: Path, tmp_path: Path) -> None:
    init(minimal_project)
    _commit(minimal_project, ("  date: 2021-04-01", "  date: 2021-04-02"), "x\x1ey")
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 0, result.stderr
    section = _history_section(site)
    assert "1 May 2021 to 2 June 2021" in section  # the two revisions, and none made up from the subject
    assert "x\ufffdy" not in section and "x\x1ey" not in section  # and no subject is shown at all


def test_a_subject_with_separated_fields_cannot_forge_a_revision(minimal_project: Path) -> None:
    init(minimal_project)
    forged = f"Fix a typo\x1e{'0' * 40}\x1f0000000\x1f2001-09-11\x1fApproved by the board\x1f\x1e"
    _commit(minimal_project, ("  date: 2021-04-01", "  date: 2021-04-02"), forged)
    history = load_history(minimal_project)
    head, first = git(minimal_project, "rev-list", "HEAD").split()
    assert [(r.commit, r.date) for r in history.revisions[CLAIM]] == [(head, "2021-06-02"), (first, "2021-05-01")]
    subject = history.revisions[CLAIM][0].subject
    assert subject.startswith("Fix a typo\ufffd") and subject.endswith("Approved by the board\ufffd\ufffd")
    assert history.warning == ""


def test_a_status_line_inside_a_multi_line_string_is_not_a_status_change(minimal_project: Path) -> None:
    init(minimal_project)
    path = minimal_project / CLAIM
    note = 'notes: "Reviewers asked about the earlier wording,\nstatus: corroborated #"\n'
    path.write_text(path.read_text(encoding="utf-8") + note, encoding="utf-8")
    git(minimal_project, "commit", "-q", "-am", "Add a reviewer note", date="2021-06-02T10:00:00")
    history = load_history(minimal_project)
    assert len(history.revisions[CLAIM]) == 2
    assert [(s.date, s.status) for s in history.statuses[CLAIM]] == [("2021-05-01", "disputed")]


def test_a_status_change_is_read_from_the_file_not_its_lines(minimal_project: Path) -> None:
    init(minimal_project)
    _commit(minimal_project, ("status: disputed", "status:\n  refuted  # on its own line"), "Refute the claim")
    history = load_history(minimal_project)
    assert [(s.date, s.status) for s in history.statuses[CLAIM]] == [
        ("2021-06-02", "refuted"),
        ("2021-05-01", "disputed"),
    ]


def test_a_revision_that_does_not_parse_is_skipped(minimal_project: Path) -> None:
    init(minimal_project)
    _commit(minimal_project, ("status: disputed", "status: [refuted"), "Break the file", date="2021-06-02T10:00:00")
    _commit(minimal_project, ("status: [refuted", "status: refuted"), "Mend the file", date="2021-06-03T10:00:00")
    history = load_history(minimal_project)
    assert [r.subject for r in history.revisions[CLAIM]] == ["Mend the file", "Break the file", "Initial dataset"]
    assert [(s.date, s.status) for s in history.statuses[CLAIM]] == [
        ("2021-06-03", "refuted"),
        ("2021-05-01", "disputed"),
    ]


def test_an_uncommitted_edit_does_not_stand_for_the_committed_status(minimal_project: Path) -> None:
    init(minimal_project)
    path = minimal_project / CLAIM
    path.write_text(path.read_text(encoding="utf-8").replace("status: disputed", "status: refuted"), encoding="utf-8")
    history = load_history(minimal_project, known={CLAIM: "refuted"})  # the status the dataset has now
    assert [(s.date, s.status) for s in history.statuses[CLAIM]] == [("2021-05-01", "disputed")]


def test_before_the_first_commit_there_is_no_history_yet_and_nothing_to_warn_of(minimal_project: Path) -> None:
    git(minimal_project, "init", "-q", "-b", "main")
    history = load_history(minimal_project)
    assert history.available and not history.revisions and history.warning == ""


def test_a_commit_git_cannot_date_is_left_out_with_a_warning(minimal_project: Path) -> None:
    init(minimal_project)
    path = minimal_project / CLAIM
    path.write_text(path.read_text(encoding="utf-8").replace("status: disputed", "status: refuted"), encoding="utf-8")
    git(minimal_project, "add", CLAIM)
    tree, parent = git(minimal_project, "write-tree").strip(), git(minimal_project, "rev-parse", "HEAD").strip()
    text = f"tree {tree}\nparent {parent}\nauthor A <a@example.org> 1622628000 +0000\n"
    (minimal_project.parent / "commit").write_text(f"{text}committer A <a@example.org> -5 +0000\n\nUndated\n")
    undated = git(minimal_project, "hash-object", "-t", "commit", "--literally", "-w", "../commit").strip()
    git(minimal_project, "update-ref", "HEAD", undated)
    history = load_history(minimal_project)
    assert history.available
    assert [r.subject for r in history.revisions[CLAIM]] == ["Initial dataset"]
    assert [s.status for s in history.statuses[CLAIM]] == ["disputed"]
    assert history.warning == (
        "the revision history is incomplete: 1 part(s) of git log's output could not be read and are left out"
    )


def _fake_git(tmp_path: Path, when_log: str) -> str:
    """A PATH on which `git log` does what ``when_log`` says and every other git command is git's."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "git"
    real = shutil.which("git")
    script.write_text(
        f'#!/bin/sh\nfor arg in "$@"; do\n  if [ "$arg" = log ]; then\n    {when_log}\n  fi\ndone\nexec {real} "$@"\n'
    )
    script.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


FAILURES = {
    "git missing": lambda root, tmp_path: {"PATH": str(tmp_path)},
    "git log failing": lambda root, tmp_path: {"PATH": _fake_git(tmp_path, "echo 'fatal: it broke' >&2; exit 128")},
    "git log giving garbage": lambda root, tmp_path: {"PATH": _fake_git(tmp_path, r"printf 'no\0such\0log\0'; exit 0")},
    "a missing object": lambda root, tmp_path: _remove_object(root, f"HEAD~1:{CLAIM}"),
    "a missing commit": lambda root, tmp_path: _remove_object(root, "HEAD~1"),
}


def _remove_object(root: Path, name: str) -> dict[str, str]:
    sha = git(root, "rev-parse", name).strip()
    (root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    return {}


@pytest.mark.parametrize("failure", FAILURES)
def test_git_going_wrong_leaves_no_history_and_one_warning(
    failure: str, minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_revisions(minimal_project)
    env = FAILURES[failure](minimal_project, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    history = load_history(minimal_project)
    assert not history.available and not history.revisions and not history.statuses
    assert history.warning.startswith("the claim pages show no revision history: ")
    assert "\n" not in history.warning


def test_a_build_where_git_fails_succeeds_without_history_and_says_so_once(
    minimal_project: Path, tmp_path: Path
) -> None:
    _two_revisions(minimal_project)
    env = {"PATH": _fake_git(tmp_path, "echo 'fatal: it broke' >&2; exit 128")}
    site = tmp_path / "site"
    result = build(minimal_project, site, env=env)
    assert result.returncode == 0, result.stderr
    assert _one_line_warnings(result.stderr) == [
        "claimledger: warning: the claim pages show no revision history: git could not read the history "
        "(fatal: it broke)"
    ]
    assert "Revision history is not available: git could not read the history." in _history_section(site)


def test_a_build_outside_a_git_checkout_says_so_once(minimal_project: Path, tmp_path: Path) -> None:
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert _one_line_warnings(result.stderr) == [
        "claimledger: warning: the claim pages show no revision history: the site was built outside a git checkout"
    ]
