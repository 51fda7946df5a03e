"""``claimledger init`` starts a new claims site shaped like this repository, which checks and builds at once."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.record.schema import schema

from .conftest import REPO, read_site_config
from .sitebuild import build

# Settings that name the site itself, not how it is made.
SITE_SETTINGS = {"site_name", "site_description", "site_url", "repo_url", "repo_name"}
# Pages only this repository has: its contributor guide, the guide to starting a site like it, and
# the reference, architecture, scale and security pages its README points to.
REPOSITORY_ONLY_PAGES = {
    "contributing.md",
    "start.md",
    "developers.md",
    "reference.md",
    "architecture.md",
    "benchmarks.md",
    "security.md",
}
# Files of a new project that this repository keeps elsewhere: its dependencies are in
# pyproject.toml, and its schema is the package's own.
KEPT_ELSEWHERE = {
    "requirements.txt": "pyproject.toml",
    "schema/claimledger.schema.json": "claimledger/schema/claimledger.schema.json",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "ministry-claims"
    code, _, err = run(capsys, "init", str(root), "--title", "Ministry of Widgets: statistics 2024")
    assert code == 0, err
    return root


def files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_init_writes_a_project_and_prints_the_next_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", str(tmp_path / "site"), "--title", "Widget statistics")
    assert code == 0
    assert "Next steps:" in out
    assert "claimledger new party" in out
    assert files_under(tmp_path / "site") == {
        ".github/workflows/ci.yml",
        ".gitattributes",
        ".gitignore",
        ".pre-commit-config.yaml",
        "README.md",
        "claims/README.md",
        "claims/publisher.yaml",
        "claims/statuses.yaml",
        "docs/about.md",
        "docs/corrections-policy.md",
        "docs/index.md",
        "mkdocs.yml",
        "requirements.txt",
        "schema/claimledger.schema.json",
    }


def test_init_names_the_publisher_given_and_lists_no_editor_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "site"
    code, _, err = run(capsys, "init", str(root), "--title", "Widget statistics", "--publisher", "Widget Watch")
    assert code == 0, err
    dataset, findings = check_project(root)
    assert findings == []
    assert dataset.publisher is not None
    assert (dataset.publisher.name, dataset.publisher.editors) == ("Widget Watch", ())


def test_without_a_publisher_init_names_the_title_as_publisher(project: Path) -> None:
    dataset, _ = check_project(project)
    assert dataset.publisher is not None
    assert dataset.publisher.name == "Ministry of Widgets: statistics 2024"


def test_the_next_steps_say_to_fill_in_the_publisher_and_its_editors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "init", str(tmp_path / "site"), "--title", "Widget statistics")
    step = out[out.index("claims/publisher.yaml") :].split("\n  4.")[0]
    assert "publisher's name" in step
    assert "editors" in step
    assert "sign" in step


def test_init_refuses_a_publisher_on_two_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init", str(tmp_path / "site"), "--publisher", "Two\nlines")
    assert code == 2
    assert "publisher" in err
    assert "one line of visible text" in err
    assert not (tmp_path / "site").exists()


def test_the_new_project_checks_clean(project: Path) -> None:
    _, findings = check_project(project)
    assert findings == []


def test_the_empty_project_builds_a_site_with_empty_indexes(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "about/index.html", "claims/index.html", "dashboard/index.html", "parties/index.html"):
        assert (site / page).is_file(), page
    exported = json.loads((site / "claims.json").read_text(encoding="utf-8"))
    assert exported["claims"] == []
    assert (site / "schema" / "claimledger.schema.json").is_file()
    assert "Ministry of Widgets: statistics 2024" in (site / "index.html").read_text(encoding="utf-8")


EMPTY_INDEXES = {
    "timeline": "Nothing is recorded yet.",
    "tags": "No claim is tagged yet.",
    "sources": "None is recorded yet.",
    "parties": "No one is recorded yet.",
    "claims": "0 claims.",
    "dashboard": "No claims.",
}


def test_each_empty_index_says_it_is_empty(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    said = {
        page: says for page, says in EMPTY_INDEXES.items() if says in (site / page / "index.html").read_text("utf-8")
    }
    assert said == EMPTY_INDEXES


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 2
    assert "is not empty (it holds notes.txt); nothing was written" in err
    assert "--force" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_takes_a_fresh_clone_holding_only_git(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "mkdocs.yml").is_file()


def test_init_with_force_keeps_every_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("# My own README\n", encoding="utf-8")
    code, out, _ = run(capsys, "init", str(tmp_path), "--force")
    assert code == 0
    assert "Kept README.md (already there)" in out
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# My own README\n"
    assert (tmp_path / "mkdocs.yml").is_file()


def test_init_refuses_a_title_on_two_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init", str(tmp_path / "site"), "--title", "Two\nlines")
    assert code == 2
    assert "one line of visible text" in err
    assert not (tmp_path / "site").exists()


def test_a_title_with_markup_is_shown_as_text_and_the_project_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "site"
    title = 'Widgets <script>alert(1)</script> [[claim:x]] *2024* "quoted": yes'
    assert run(capsys, "init", str(root), "--title", title)[0] == 0
    assert read_site_config(root / "mkdocs.yml")["site_name"] == title
    _, findings = check_project(root)
    assert findings == []


def test_a_new_item_in_the_project_points_editors_at_its_schema_copy(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(
        capsys,
        "new",
        "party",
        "widgets-ministry",
        "--root",
        str(project),
        "--name",
        "Ministry",
        "--kind",
        "organisation",
    )
    assert code == 0
    first = (project / "claims" / "parties" / "widgets-ministry.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/claimledger.schema.json#/$defs/party"
    assert (project / "claims" / "parties" / "../../schema/claimledger.schema.json").is_file()


# The skeleton has this repository's shape, so that the two never drift apart.


def test_every_file_of_the_skeleton_has_its_counterpart_in_this_repository(project: Path) -> None:
    missing = [rel for rel in files_under(project) if not (REPO / KEPT_ELSEWHERE.get(rel, rel)).is_file()]
    assert missing == []


def test_the_skeleton_has_this_repositorys_data_folders(project: Path) -> None:
    def folders(root: Path) -> set[str]:
        return {path.name for path in (root / "claims").iterdir() if path.is_dir()}

    assert folders(project) == folders(REPO)


@pytest.mark.parametrize(
    "rel", ["claims/statuses.yaml", "claims/README.md", "schema/claimledger.schema.json"], ids=lambda rel: rel
)
def test_the_skeletons_dataset_files_are_this_repositorys(project: Path, rel: str) -> None:
    assert (project / rel).read_bytes() == (REPO / KEPT_ELSEWHERE.get(rel, rel)).read_bytes()


def _nav_pages(config: dict[str, Any] | list[Any]) -> list[str]:
    """The pages a navigation lists, in its sections too."""
    entries = config["nav"] if isinstance(config, dict) else config
    values = [value for entry in entries for value in entry.values()]
    return [page for value in values for page in ([value] if isinstance(value, str) else _nav_pages(value))]


def test_the_skeletons_site_configuration_is_this_repositorys_but_for_the_sites_own_settings(project: Path) -> None:
    ours = read_site_config(REPO / "mkdocs.yml")
    new = read_site_config(project / "mkdocs.yml")
    assert set(new) == set(ours)
    assert {key: value for key, value in new.items() if key not in {*SITE_SETTINGS, "nav"}} == {
        key: value for key, value in ours.items() if key not in {*SITE_SETTINGS, "nav"}
    }
    assert _nav_pages(new) == [page for page in _nav_pages(ours) if page not in REPOSITORY_ONLY_PAGES]


def test_the_skeletons_workflow_uses_the_actions_this_repository_pins(project: Path) -> None:
    pinned = re.compile(r"uses: (\S+@[0-9a-f]{40} # v\S+)")
    ours = set(pinned.findall((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")))
    text = (project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    used = re.findall(r"uses: (.*)", text)
    assert used
    assert set(used) <= ours


def test_the_skeletons_workflow_checks_builds_and_deploys_main_to_pages(project: Path) -> None:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = " ".join(str(step.get("run", step.get("uses"))) for step in workflow["jobs"]["check"]["steps"])
    assert "claimledger check --format github" in steps
    assert "claimledger build" in steps
    assert "upload-pages-artifact" in steps
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_skeletons_workflow_passes_zizmor(project: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("zizmor")), "--offline", "--quiet", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_skeletons_pre_commit_config_is_valid_and_runs_the_published_changed_file_hook(project: Path) -> None:
    config = project / ".pre-commit-config.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    def hook(path: Path) -> dict[str, Any]:
        hooks = yaml.safe_load(path.read_text(encoding="utf-8"))["repos"][0]["hooks"]
        found: dict[str, Any] = {h["id"]: h for h in hooks}["claimledger-check-changed"]
        return found

    published = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert (
        hook(config)["entry"]
        == published["claimledger-check-changed"]["entry"]
        == "claimledger check --changed --staged"
    )
    assert hook(config)["files"] == published["claimledger-check-changed"]["files"]


def test_the_skeleton_ignores_what_this_repository_ignores(project: Path) -> None:
    ours = set((REPO / ".gitignore").read_text(encoding="utf-8").splitlines())
    assert set((project / ".gitignore").read_text(encoding="utf-8").splitlines()) <= ours


def test_the_guide_to_starting_a_site_walks_from_install_to_publishing_and_is_linked() -> None:
    guide = (REPO / "docs" / "start.md").read_text(encoding="utf-8")
    steps = [
        "pip install",
        "claimledger init",
        "claimledger new party",
        "claimledger new source",
        "claimledger snapshot",
    ]
    steps += ["claimledger new claim", "claimledger check", "claimledger build", "GitHub Actions"]
    at, missing = 0, []
    for step in steps:  # each one after the one before
        found = guide.find(step, at)
        if found == -1:
            missing.append(step)
        else:
            at = found
    assert missing == []
    assert "(start.md)" in (REPO / "docs" / "about.md").read_text(encoding="utf-8")  # for makers, not in the nav
    assert "(docs/start.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_next_steps_after_a_new_claim_name_no_guide_the_project_lacks(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "new", "claim", "widgets-inspected", "--root", str(project),
        "--statement", "Widgets were inspected.", "--quote", "widgets were inspected",
        "--claimant", "widgets-ministry", "--source", "widgets-2024-statistics",
    )  # fmt: skip
    assert code == 0
    assert "Next steps:" in out
    assert "CONTRIBUTING.md" not in out


def test_a_schema_copy_older_than_claimledgers_is_a_warning_that_init_force_mends(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = project / "schema" / "claimledger.schema.json"
    copy.write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema"}\n', encoding="utf-8")
    _, findings = check_project(project)
    assert [(f.path, f.rule, f.severity.value) for f in findings] == [
        ("schema/claimledger.schema.json", "schema-copy", "warning")
    ]
    assert "claimledger init --force" in findings[0].hint
    copy.unlink()
    assert run(capsys, "init", str(project), "--force")[0] == 0
    assert check_project(project)[1] == []


def test_init_onto_a_file_refuses_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("a file\n", encoding="utf-8")
    code, _, err = run(capsys, "init", str(tmp_path / "taken"))
    assert code == 2
    assert "is a file, not a folder; nothing was written" in err
    code, _, err = run(capsys, "init", str(tmp_path / "taken" / "site"))
    assert code == 2
    assert err.startswith("claimledger: cannot write")


def _entries(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


@pytest.mark.parametrize("linked", ["docs", "claims", "claims/claims", ".github/workflows"])
def test_init_force_refuses_to_write_through_a_symlinked_folder_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], linked: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "theirs.md").write_text("someone else's page\n", encoding="utf-8")
    root = tmp_path / "site"
    (root / linked).parent.mkdir(parents=True)
    (root / linked).symlink_to(elsewhere, target_is_directory=True)
    before = _entries(root)
    code, out, err = run(capsys, "init", str(root), "--force")
    assert (code, out) == (2, "")
    assert f"claimledger: {root / linked} is a symbolic link (to {elsewhere}): init writes nothing through" in err
    assert "nothing was written" in err
    assert _entries(elsewhere) == ["theirs.md"]
    assert _entries(root) == before


def test_init_force_keeps_a_symlinked_file_without_writing_through_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("not the project's\n", encoding="utf-8")
    root = tmp_path / "site"
    root.mkdir()
    (root / "README.md").symlink_to(outside)
    code, out, _ = run(capsys, "init", str(root), "--force")
    assert code == 0
    assert "Kept README.md (already there)" in out
    assert outside.read_text(encoding="utf-8") == "not the project's\n"


def test_the_next_steps_and_the_start_guide_give_the_same_source_kind_and_the_schema_allows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "init", str(tmp_path / "site"), "--title", "Widget statistics")
    guide = (REPO / "docs" / "start.md").read_text(encoding="utf-8")
    printed = re.findall(r"new source .*?--kind (\S+)", out)
    documented = re.findall(r"new source [^`]*?--kind (\S+)", guide)
    allowed = schema()["$defs"]["source"]["properties"]["kind"]["enum"]
    assert printed and documented
    assert set(printed) == set(documented) <= set(allowed)
