"""Each claim page shows its revisions and status changes from git, and degrades gracefully."""

from __future__ import annotations

import subprocess
from pathlib import Path

from claimtrail.gitinfo import load_history

from .gitrepo import git, init
from .sitebuild import build

CLAIM = "claims/claims/widget-defects-fell.yaml"


def _history_section(site: Path) -> str:
    html = (site / "claims" / "widget-defects-fell" / "index.html").read_text(encoding="utf-8")
    return html[html.index('id="history"') : html.index('id="data"')]


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
    assert build(clone, site).returncode == 0
    assert "The history may be incomplete: the site was built from a shallow clone." in _history_section(site)


def test_an_uncommitted_claim_has_no_history_yet(minimal_project: Path, tmp_path: Path) -> None:
    init(minimal_project)
    text = (minimal_project / CLAIM).read_text(encoding="utf-8")
    (minimal_project / "claims" / "claims" / "fresh.yaml").write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    html = (site / "claims" / "fresh" / "index.html").read_text(encoding="utf-8")
    assert "This file has no committed history yet." in html


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
