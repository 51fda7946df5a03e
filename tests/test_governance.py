"""A pull request that changes how the site is governed or built says so: ``check --changed`` names every
changed file outside the data folders for a maintainer's review, CODEOWNERS asks for that review, and
CI runs a pull request without secrets or write access."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from claimledger.checks.governance import DATA_FOLDERS, MESSAGE, is_data
from claimledger.cli import main
from claimledger.rules import RULES

from .conftest import REPO
from .gitrepo import git, init

MAINTAINERS = "@claimledger/maintainers"


@pytest.fixture
def repo(minimal_project: Path) -> Path:
    (minimal_project / "claims" / "limits.yaml").write_text("max_list_items: 1000\n", encoding="utf-8")
    (minimal_project / "claims" / "accepted-warnings.yaml").write_text(
        "accepted:\n  - file: claims/sources/widget-post.yaml\n    rule: archive-missing\n"
        "    reason: None could be made.\n    accepted_by: ana\n    date: 2021-01-01\n",
        encoding="utf-8",
    )
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    return minimal_project


def changed(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--root", str(repo), "--changed", "main", *extra])
    return code, capsys.readouterr().out


def touch(root: Path, path: str, text: str = "# changed\n") -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(text)


GOVERNING = [
    "claims/statuses.yaml",
    "claims/limits.yaml",
    "claims/accepted-warnings.yaml",
    "claims/publisher.yaml",
    "mkdocs.yml",
    "docs/index.md",
    "docs/extra.css",
    ".github/workflows/ci.yml",
    ".github/CODEOWNERS",
    "scripts/build",
    "claimledger/cli.py",
    "pyproject.toml",
    "constraints.txt",
]


@pytest.mark.parametrize("path", GOVERNING)
def test_a_change_outside_the_data_folders_is_named_for_a_maintainer(
    repo: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    touch(repo, path)

    code, out = changed(repo, capsys)

    assert code == 0, out  # a warning: a maintainer's own pull request passes
    assert f"{path}:1:1: warning: {MESSAGE} [governance-change]\n    field: (file)\n    hint: this file sets " in out


def test_each_changed_governing_file_is_one_annotation(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in ("claims/limits.yaml", "mkdocs.yml", ".github/workflows/ci.yml"):
        touch(repo, path)
    _, out = changed(repo, capsys, "--format", "github")
    annotations = [line for line in out.splitlines() if "title=governance-change" in line]
    assert [line.partition("%0A")[0] for line in annotations] == [
        f"::warning file={path},line=1,col=1,title=governance-change::{MESSAGE} (field: (file))"
        for path in (".github/workflows/ci.yml", "claims/limits.yaml", "mkdocs.yml")
    ]
    assert all("hint: this file sets" in line for line in annotations)


def test_the_hint_says_what_the_file_sets(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touch(repo, "claims/statuses.yaml")
    _, out = changed(repo, capsys)
    assert "hint: this file sets the status scale: the label, colour and rating every claim shows;" in out


def test_a_deleted_governing_file_is_named_too(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "rm", "-q", "claims/limits.yaml")
    code, out = changed(repo, capsys)
    assert code == 0
    assert f"claims/limits.yaml:1:1: warning: {MESSAGE} (the file is deleted) [governance-change]" in out


@pytest.mark.parametrize(
    "path",
    [
        "claims/claims/widget-defects-fell.yaml",
        "claims/sources/widget-post.yaml",
        "claims/parties/blogger.yaml",
        "claims/snapshots/widget-post.txt",
    ],
)
def test_a_change_to_the_data_alone_is_no_governance_change(
    repo: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    touch(repo, path, "\n")
    _, out = changed(repo, capsys)
    assert "[governance-change]" not in out


def test_the_full_check_says_nothing_of_governance(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touch(repo, "mkdocs.yml")
    main(["check", "--root", str(repo)])
    assert "governance-change" not in capsys.readouterr().out


def test_a_governance_change_cannot_be_accepted(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touch(
        repo,
        "claims/accepted-warnings.yaml",
        "  - file: claims/statuses.yaml\n    rule: governance-change\n    reason: Mine.\n"
        "    accepted_by: ana\n    date: 2021-01-01\n",
    )
    _, out = changed(repo, capsys)
    assert f"claims/accepted-warnings.yaml:1:1: warning: {MESSAGE}" in out


# -- the site policy's allowlist --------------------------------------------------------------------


def _allow(root: Path, lists: str) -> None:
    """The fixture's mkdocs.yml with the claimledger plugin's ``allow`` option set to ``lists``."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  - claimledger\n", "  - claimledger:\n      allow:\n" + lists)
    config.write_text(text, encoding="utf-8")


def test_each_name_a_change_adds_to_the_allowlist_is_named_at_its_line(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _allow(minimal_project, "        remote: [theme.font]\n")
    init(minimal_project)  # the base already allows one name
    git(minimal_project, "checkout", "-q", "-b", "feature")
    config = minimal_project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "        remote: [theme.font]\n",
            "        remote: [theme.font, https://cdn.example.org/x.js]\n"
            "        custom_dir: [overrides]\n"
            "        docs: [docs/x.svg]\n",
        ),
        encoding="utf-8",
    )
    (minimal_project / "overrides").mkdir()
    (minimal_project / "docs" / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    git(minimal_project, "add", "-A")
    git(minimal_project, "commit", "-q", "-m", "Allow more")

    code, out = changed(minimal_project, capsys)

    assert code == 0, out  # warnings: a maintainer's own pull request passes
    added = [line for line in out.splitlines() if "[policy-allow-added]" in line]
    assert added == [
        "mkdocs.yml:12:30: warning: this change adds https://cdn.example.org/x.js to the site policy's allowlist "
        "(`allow: remote`): every reader's browser then loads it from another host, which learns who reads the site "
        "[policy-allow-added]",
        "mkdocs.yml:13:22: warning: this change adds overrides to the site policy's allowlist (`allow: custom_dir`): "
        "the templates in that folder then run Python in every build, and its files are published "
        "[policy-allow-added]",
        "mkdocs.yml:14:16: warning: this change adds docs/x.svg to the site policy's allowlist (`allow: docs`): the "
        "file is then published as it is on the site's own address, where a script in it runs as the site "
        "[policy-allow-added]",
    ]
    assert "field: plugins.claimledger.allow.custom_dir" in out
    assert "theme.font to the site policy" not in out  # on the base already
    assert f"mkdocs.yml:1:1: warning: {MESSAGE}" in out  # and the file is named as ever


def test_an_allowlist_the_change_leaves_as_it_was_is_not_named(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _allow(minimal_project, "        remote: [theme.font]\n")
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    touch(minimal_project, "mkdocs.yml", "# a comment\n")
    _, out = changed(minimal_project, capsys)
    assert "[policy-allow-added]" not in out and "[governance-change]" in out


def test_a_name_allowed_in_a_new_configuration_is_named(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (minimal_project / "mkdocs.yml").read_text(encoding="utf-8")
    (minimal_project / "mkdocs.yml").unlink()
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    (minimal_project / "mkdocs.yml").write_text(config, encoding="utf-8")
    _allow(minimal_project, "        remote: [theme.font]\n")
    _, out = changed(minimal_project, capsys)
    assert "mkdocs.yml:12:18: warning: this change adds theme.font to the site policy's allowlist" in out


# -- CODEOWNERS ---------------------------------------------------------------------------------


def _owners(path: str) -> list[str]:
    """The owners .github/CODEOWNERS gives ``path``: its last matching line's (the patterns it uses:
    ``*`` and folders anchored at the root)."""
    owners: list[str] = []
    for line in (REPO / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *names = line.split()
        assert pattern == "*" or (pattern.startswith("/") and pattern.endswith("/")), pattern
        if pattern == "*" or path.startswith(pattern[1:]):
            owners = names
    return owners


@pytest.mark.parametrize("path", [*GOVERNING, "claims/README.md", "tests/test_cli.py", ".ci/run"])
def test_codeowners_asks_a_maintainer_for_every_governing_file(path: str) -> None:
    assert not is_data(path)
    assert _owners(path) == [MAINTAINERS]


@pytest.mark.parametrize("folder", DATA_FOLDERS)
def test_codeowners_lets_an_editor_review_the_data(folder: str) -> None:
    assert _owners(folder + "x.yaml") == ["@claimledger/editors", MAINTAINERS]


def test_the_security_page_says_code_owner_review_must_be_required() -> None:
    text = " ".join((REPO / "docs" / "security.md").read_text(encoding="utf-8").split())
    assert "require review from Code Owners" in text
    assert ".github/CODEOWNERS" in text


# -- how CI runs a pull request -----------------------------------------------------------------


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, object]]:
    folder = REPO / ".github" / "workflows"
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yml"))}


def _triggers(workflow: dict[str, object]) -> dict[str, object]:
    triggers = workflow[True]  # type: ignore[index]  # YAML 1.1 reads the key `on` as true
    return triggers if isinstance(triggers, dict) else dict.fromkeys(triggers)  # type: ignore[union-attr]


def test_no_workflow_runs_pull_requests_with_the_base_repository_s_rights(
    workflows: dict[str, dict[str, object]],
) -> None:
    assert "pull_request" in _triggers(workflows["ci.yml"])
    assert [name for name, w in workflows.items() if {"pull_request_target", "workflow_run"} & set(_triggers(w))] == []


def test_ci_gives_a_pull_request_a_read_only_token_and_no_secrets(workflows: dict[str, dict[str, object]]) -> None:
    ci = workflows["ci.yml"]
    assert ci["permissions"] == {"contents": "read"}
    jobs = ci["jobs"]
    assert isinstance(jobs, dict)
    for name, job in jobs.items():
        condition = str(job.get("if", ""))
        runs_on_pull_requests = "github.event_name == 'push'" not in condition and "schedule" not in condition
        if not runs_on_pull_requests:
            continue
        assert all(level in ("read", "none") for level in job.get("permissions", {}).values()), name
        text = yaml.safe_dump(job)
        assert "secrets." not in text, name
        checkouts = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/checkout@")]
        assert all(step["with"]["persist-credentials"] is False for step in checkouts), name


def test_only_the_deploy_of_main_may_write(workflows: dict[str, dict[str, object]]) -> None:
    jobs = workflows["ci.yml"]["jobs"]
    assert isinstance(jobs, dict)
    writers = {name for name, job in jobs.items() if "write" in job.get("permissions", {}).values()}
    assert writers == {"deploy"}
    assert jobs["deploy"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"


# -- the rules ----------------------------------------------------------------------------------

NEW_RULES = (
    "governance-change",
    "policy-allow-added",
    "scale-log-missing",
    "scale-log-rewritten",
    "accepted-by",
    "accepted-in-change",
    "limit-ceiling",
)


@pytest.mark.parametrize("rule", NEW_RULES)
def test_each_rule_is_registered_and_explained_in_the_reference(rule: str) -> None:
    assert rule in RULES
    assert f"`{rule}`" in (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
