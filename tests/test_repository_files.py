"""The contributor tooling shipped with the repository is well-formed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO
from .gitrepo import GIT_ENV, git, init

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def test_pre_commit_hook_manifest_is_valid() -> None:
    result = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_config_is_valid() -> None:
    result = subprocess.run(
        [*PRE_COMMIT, "validate-config", str(REPO / ".pre-commit-config.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_published_hook_runs_claimledger_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"]: h["entry"] for h in hooks}["claimledger-check"] == "claimledger check"


@pytest.fixture(scope="module")
def workflow() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    return data


def test_ci_workflow_runs_on_pull_requests_weekly_and_deploys_main(workflow: dict[str, object]) -> None:
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert isinstance(triggers, dict)
    assert "pull_request" in triggers
    assert triggers["schedule"]
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    assert set(jobs) == {"data", "check", "deploy", "links", "fuzz"}


def test_ci_workflow_check_job_runs_what_ci_runs(workflow: dict[str, object]) -> None:
    steps = workflow["jobs"]["check"]["steps"]  # type: ignore[index]
    commands = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert "bash .ci/run" in commands
    assert "lychee --offline --include-fragments" in commands
    assert any(u.startswith("actions/upload-artifact") for u in uses)


def test_a_first_fast_job_checks_and_builds_before_the_test_suite(workflow: dict[str, object]) -> None:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    commands = "\n".join(step.get("run", "") for step in jobs["data"]["steps"])
    assert 'scripts/venv ""' in commands  # what the site needs, not the test tools
    assert "claimledger check --format github --changed" in commands
    assert "claimledger fmt --check" in commands
    assert "claimledger build" in commands
    assert jobs["check"]["needs"] == "data"


def test_a_pull_request_annotates_each_finding_once(workflow: dict[str, object]) -> None:
    steps = [step for job in ("data", "check") for step in workflow["jobs"][job]["steps"]]  # type: ignore[index]
    annotating = [step for step in steps if "--format github" in step.get("run", "")]
    # The changed files' findings on a pull request; the full check's only on other events.
    assert [step.get("if", "") for step in annotating] == ["github.event_name == 'pull_request'", ""]
    assert 'if [ "$EVENT" = pull_request ]; then .venv/bin/claimledger check;' in annotating[1]["run"]


def test_no_cache_key_changes_with_every_run() -> None:
    text = (REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    keys = [line.strip() for line in text.splitlines() if line.strip().startswith("key:")]
    assert [key for key in keys if "run_id" in key and "links-" not in key] == []
    assert any("hashFiles('pyproject.toml', 'constraints.txt'" in key for key in keys)


def test_scripts_venv_installs_the_pinned_tools() -> None:
    script = (REPO / "scripts" / "venv").read_text(encoding="utf-8")
    assert "-c constraints.txt" in script
    pinned = (REPO / "constraints.txt").read_text(encoding="utf-8")
    for tool in ("ruff", "mypy", "pytest", "zizmor", "check-jsonschema"):
        assert re.search(rf"^{tool}==\S+$", pinned, re.MULTILINE), tool


def test_ci_workflow_builds_the_shipped_dataset_with_every_engine_and_checks_its_links(
    workflow: dict[str, object],
) -> None:
    from claimledger.engines import ENGINES

    steps = workflow["jobs"]["check"]["steps"]  # type: ignore[index]
    commands = "\n".join(step.get("run", "") for step in steps)
    for name in {*list(ENGINES)[1:], "properdocs", "zensical"}:  # the default engine's build is .ci/run's
        assert f"claimledger build --engine {name} --site-dir site-{name}" in commands
        assert f'--root-dir "$PWD/site-{name}"' in commands


def test_weekly_job_checks_external_links_online(workflow: dict[str, object]) -> None:
    steps = workflow["jobs"]["links"]["steps"]  # type: ignore[index]
    assert any("claimledger links --online" in step.get("run", "") for step in steps)


def test_weekly_job_runs_the_property_tests_with_fresh_examples(workflow: dict[str, object]) -> None:
    job = workflow["jobs"]["fuzz"]  # type: ignore[index]
    assert job["env"]["HYPOTHESIS_PROFILE"] == "fuzz"
    assert "schedule" in job["if"] and "workflow_dispatch" in job["if"]
    commands = "\n".join(step.get("run", "") for step in job["steps"])
    assert "tests/test_markup.py" in commands and "tests/test_properties.py" in commands


def _steps(workflow: dict[str, object]) -> list[dict[str, object]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    return [step for job in jobs.values() for step in job.get("steps", [])]


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_every_action_is_pinned_to_a_full_commit_with_its_release_in_a_comment(name: str) -> None:
    text = (REPO / ".github" / "workflows" / name).read_text(encoding="utf-8")
    uses = [line.strip() for line in text.splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert uses
    for line in uses:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line


def test_no_run_script_expands_a_template(workflow: dict[str, object]) -> None:
    """Values reach scripts through env:, never pasted into the script's text."""
    scripts = [str(step["run"]) for step in _steps(workflow) if "run" in step]
    assert scripts
    assert [script for script in scripts if "${{" in script] == []


def test_every_checkout_leaves_no_credentials_behind(workflow: dict[str, object]) -> None:
    checkouts = [step for step in _steps(workflow) if str(step.get("uses", "")).startswith("actions/checkout@")]
    assert len(checkouts) == 4
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False  # type: ignore[index]


def test_the_published_build_restores_no_cache(workflow: dict[str, object]) -> None:
    steps = workflow["jobs"]["check"]["steps"]  # type: ignore[index]
    restores = [step for step in steps if "cache" in step.get("uses", "") and "save" not in step["uses"]]
    assert [step["if"] for step in restores] == ["github.event_name == 'pull_request'"]


def test_pull_request_template_has_the_new_claim_checklist() -> None:
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert text.count("- [ ]") >= 6


def test_contributing_guide_covers_statuses_quotes_archives_and_review() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for heading in (
        "## Add a claim",
        "## Add a source or a party",
        "## Add evidence",
        "## Statuses",
        "## Quoting and archiving",
        "## Run the checks locally",
        "## How review works",
    ):
        assert heading in text
    assert Path(REPO / "mkdocs.yml").read_text(encoding="utf-8").count("contributing.md") == 1


def test_the_packaged_status_scale_is_the_repositorys() -> None:
    from claimledger.tools.synthetic import SCALE

    assert SCALE.read_bytes() == (REPO / "claims" / "statuses.yaml").read_bytes()


def test_the_packaged_synthetic_site_configuration_is_the_repositorys_without_its_own_pages() -> None:
    from claimledger.tools.synthetic import site_config

    def settings(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("#")]

    ours = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    own_pages = ("About this site: about.md", "Corrections policy: corrections-policy.md")
    without = "".join(line for line in ours.splitlines(keepends=True) if line.strip()[2:] not in own_pages)
    assert settings(site_config()) == settings(without)


def test_synthetic_projects_are_written_from_the_installed_package_alone(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "sys.path = [p for p in sys.path if p not in ('', '.')]\n"
        "from claimledger.tools.synthetic import write_site_project\n"
        "root = write_site_project(Path(sys.argv[1]), 3)\n"
        "print((root / 'claims' / 'statuses.yaml').is_file(), (root / 'mkdocs.yml').is_file())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p")], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "True True", result.stderr


def test_pre_commit_runs_after_scripts_build_alone_skipping_the_linters_with_a_message(tmp_path: Path) -> None:
    """After scripts/build, .venv has claimledger but not the test tools: every hook passes or says why it
    skipped, none fails for a missing executable."""
    repo = tmp_path / "repo"
    for name in ("claims", "docs", "scripts", "mkdocs.yml", "CONTRIBUTING.md", ".pre-commit-config.yaml", ".gitignore"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, repo / name)
    (repo / "tool.py").write_text("VALUE = 1\n", encoding="utf-8")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "claimledger").symlink_to(Path(sys.executable).parent / "claimledger")
    # The data in the canonical style, as claimledger fmt leaves it (the shipped data is to be formatted once).
    subprocess.run([sys.executable, "-m", "claimledger", "fmt"], cwd=repo, capture_output=True, check=True)
    init(repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    done = subprocess.run(
        [*PRE_COMMIT, "run", "--all-files"], cwd=repo, capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ruff is not installed (scripts/build installs only what the site needs): skipped" in done.stdout
    assert "not found" not in done.stdout


def test_scripts_install_hooks_installs_them_in_a_checkout_with_pre_commit_and_never_fails(tmp_path: Path) -> None:
    """What scripts/build runs: the hooks installed when it can, one line saying why not when it cannot."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copyfile(REPO / "scripts" / "install-hooks", repo / "scripts" / "install-hooks")
    (repo / "scripts" / "install-hooks").chmod(0o755)
    shutil.copyfile(REPO / ".pre-commit-config.yaml", repo / ".pre-commit-config.yaml")
    env = {**os.environ, **GIT_ENV, "GIT_CEILING_DIRECTORIES": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "h")}

    def install() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["scripts/install-hooks"], cwd=repo, capture_output=True, text=True, check=False, env=env)

    outside = install()
    assert (outside.returncode, outside.stderr) == (
        0,
        "claimledger: pre-commit hooks not installed: this folder is not a git checkout\n",
    )
    git(repo, "init", "-q", "-b", "main")
    missing = install()
    assert missing.returncode == 0
    assert missing.stderr.startswith("claimledger: pre-commit hooks not installed: .venv has no pre-commit")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "pre-commit").symlink_to(Path(sys.executable).parent / "pre-commit")
    done = install()
    assert done.returncode == 0, done.stderr
    assert "pre-commit hooks installed" in done.stderr
    assert "pre-commit" in (repo / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    again = install()
    assert (again.returncode, again.stderr) == (0, "")  # already there: nothing to say


def test_scripts_build_installs_the_hooks() -> None:
    build = (REPO / "scripts" / "build").read_text(encoding="utf-8")
    assert "\nscripts/install-hooks\n" in build


def test_the_pre_commit_set_up_names_the_pinned_version() -> None:
    pin = next(
        line
        for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("pre-commit==")
    )
    assert f"pip install {pin} && pre-commit install" in (REPO / "docs" / "start.md").read_text(encoding="utf-8")
    template = REPO / "claimledger" / "data" / "project" / "pre-commit-config.yaml"
    assert f"pip install {pin} && pre-commit install" in template.read_text(encoding="utf-8")
    assert "scripts/venv test && .venv/bin/pre-commit install" in (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
