"""The pre-commit hook and CI give the same verdict on the same change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .gitrepo import GIT_ENV, git, init

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "claimledger" / "data" / "project" / "pre-commit-config.yaml"
DEFECTS = "claims/claims/widget-defects-fell.yaml"
LOG_ENTRY = (
    "log:\n  - date: 2021-05-02\n    kind: status-change\n"
    "    summary: The reader's doubt alone does not show the figure wrong; the status is now unverified.\n"
)


@pytest.fixture
def repo(minimal_project: Path, tmp_path: Path) -> Path:
    """The small project with the pre-commit configuration `claimledger init` writes, on a branch off main."""
    shutil.copyfile(TEMPLATE, minimal_project / ".pre-commit-config.yaml")
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    return minimal_project


def _env(tmp_path: Path) -> dict[str, str]:
    # The hook runs `claimledger` from PATH (language: system), here this environment's; pre-commit
    # keeps its own files in the test's folder and, the hooks being local, needs no network.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, **GIT_ENV, "PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}


def pre_commit(root: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``pre-commit run`` on what is staged, as ``git commit`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run"], cwd=root, capture_output=True, text=True, env=_env(tmp_path)
    )


def ci(root: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """What CI runs on the pull request once the change is committed."""
    return subprocess.run(
        [sys.executable, "-m", "claimledger", "check", "--changed", "main"],
        cwd=root,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
    )


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_status_change_without_a_log_entry_fails_at_commit_as_in_ci(repo: Path, tmp_path: Path) -> None:
    _edit(repo / DEFECTS, "status: disputed", "status: unverified")
    git(repo, "add", DEFECTS)

    hook = pre_commit(repo, tmp_path)
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert f"{DEFECTS}:23:1: error: this change to the claim's status adds no entry to its log" in hook.stdout
    assert "[log-missing]" in hook.stdout

    git(repo, "commit", "-q", "--no-verify", "-m", "Unverified after all")
    checked = ci(repo, tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"{DEFECTS}:23:1: error: this change to the claim's status adds no entry to its log" in checked.stdout
    assert "[log-missing]" in checked.stdout


def test_with_the_log_entry_both_pass(repo: Path, tmp_path: Path) -> None:
    _edit(repo / DEFECTS, "status: disputed", "status: unverified")
    (repo / DEFECTS).write_text((repo / DEFECTS).read_text(encoding="utf-8") + LOG_ENTRY, encoding="utf-8")
    git(repo, "add", DEFECTS)

    hook = pre_commit(repo, tmp_path)
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert "claimledger check --changed --staged" in hook.stdout and "Passed" in hook.stdout

    git(repo, "commit", "-q", "--no-verify", "-m", "Unverified after all, logged")
    checked = ci(repo, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_log_entry_left_unstaged_does_not_pass_the_commit(repo: Path, tmp_path: Path) -> None:
    """pre-commit sets unstaged changes aside while hooks run: the hook sees what is committed."""
    _edit(repo / DEFECTS, "status: disputed", "status: unverified")
    git(repo, "add", DEFECTS)
    (repo / DEFECTS).write_text((repo / DEFECTS).read_text(encoding="utf-8") + LOG_ENTRY, encoding="utf-8")

    hook = pre_commit(repo, tmp_path)
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert "[log-missing]" in hook.stdout
    assert (repo / DEFECTS).read_text(encoding="utf-8").endswith(LOG_ENTRY)  # given back afterwards
