"""One path policy for every file a check or a build reads: claims/, docs/, the snapshots,
CONTRIBUTING.md and mkdocs.yml. Nothing is read from outside the repository, no link crashes or
hangs the walk, and no file is skipped without a word."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import get_files

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin
from claimledger.findings import Finding, Severity
from claimledger.record import paths

from .sitebuild import build

CLAIM = "claims/claims/widget-defects-fell.yaml"
SECRET = "a secret kept outside the repository"


def errors(root: Path) -> list[tuple[str, str]]:
    _, findings = check_project(root)
    return [(f.path, f.rule) for f in findings if f.severity is Severity.ERROR]


def finding(root: Path, rule: str) -> Finding:
    _, findings = check_project(root)
    (found,) = (f for f in findings if f.rule == rule)
    return found


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the repository that must never be read or published."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def published(site: Path) -> str:
    """Everything a site folder holds, as text (empty if there is no site)."""
    if not site.exists():
        return ""
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file())


# -- claims/ -------------------------------------------------------------------------------------


def test_a_claim_file_linked_to_itself_is_a_finding_not_a_crash(minimal_project: Path) -> None:
    (minimal_project / "claims/claims/loop.yaml").symlink_to("loop.yaml")
    assert errors(minimal_project) == [("claims/claims/loop.yaml", "broken-symlink")]


def test_a_folder_linked_to_itself_is_a_finding_not_a_crash(minimal_project: Path) -> None:
    (minimal_project / "claims/sources/self").symlink_to("self", target_is_directory=True)
    assert errors(minimal_project) == [("claims/sources/self", "broken-symlink")]


def test_a_kind_folder_linked_to_the_filesystem_root_is_reported_and_not_walked(
    minimal_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parties = minimal_project / "claims/parties"
    shutil.rmtree(parties)
    parties.symlink_to("/", target_is_directory=True)
    listed: list[str] = []
    scandir = os.scandir

    def recording_scandir(path: str) -> object:
        listed.append(os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", recording_scandir)
    dataset, findings = check_project(minimal_project)
    unsafe = [f for f in findings if f.rule == "unsafe-path"]
    assert [(f.path, f.message) for f in unsafe] == [
        ("claims/parties", "this link points outside the repository, to /; it is not read")
    ]
    assert dataset.parties == {}
    root = str(minimal_project.resolve())
    assert listed, "the other folders were walked"
    assert all(path.startswith(root + os.sep) for path in listed), "no folder outside the repository is listed"


def test_a_dangling_link_is_a_finding(minimal_project: Path) -> None:
    (minimal_project / "claims/claims/gone.yaml").symlink_to("no-such-file.yaml")
    found = finding(minimal_project, "broken-symlink")
    assert (found.path, found.severity) == ("claims/claims/gone.yaml", Severity.ERROR)
    assert "no-such-file.yaml" in found.message
    assert found.hint


@pytest.mark.parametrize("name", ["widget-copy.YAML", "widget-copy.Yaml", "widget-copy.yml", "widget-copy.YML"])
def test_a_data_file_whose_extension_is_not_lower_case_yaml_is_a_finding(minimal_project: Path, name: str) -> None:
    shutil.copyfile(minimal_project / CLAIM, minimal_project / "claims/claims" / name)
    dataset, findings = check_project(minimal_project)
    assert [(f.path, f.rule) for f in findings] == [(f"claims/claims/{name}", "file-extension")]
    assert findings[0].hint == "rename it to widget-copy.yaml"
    assert "widget-copy" not in dataset.claims


def test_a_file_name_with_a_line_break_is_a_finding_and_makes_no_page(minimal_project: Path, tmp_path: Path) -> None:
    shutil.copyfile(minimal_project / CLAIM, minimal_project / "claims/claims/x\n.yaml")
    found = finding(minimal_project, "file-name")
    assert (found.path, found.severity) == ("claims/claims/x\\n.yaml", Severity.ERROR)  # shown escaped
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 1
    assert "claims/claims/x\\n.yaml:1:1: error:" in result.stdout
    assert not site.exists()


def test_a_file_name_that_is_not_utf8_is_a_finding_every_output_format_can_show(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = os.fsencode(minimal_project / "claims/claims")
    shutil.copyfile(os.fsencode(minimal_project / CLAIM), folder + b"/widget\xff.yaml")
    assert main(["check", "--root", str(minimal_project), "--format", "json"]) == 1
    (reported,) = json.loads(capsys.readouterr().out)
    assert (reported["path"], reported["rule"]) == ("claims/claims/widget\\xff.yaml", "file-name")


def test_a_claim_file_that_is_a_pipe_is_a_finding_and_never_opened(minimal_project: Path) -> None:
    os.mkfifo(minimal_project / "claims/claims/pipe.yaml")  # opening it to read would wait for a writer
    assert errors(minimal_project) == [("claims/claims/pipe.yaml", "unreadable")]


def test_a_claim_file_linked_into_git_records_is_a_finding_and_never_read(minimal_project: Path) -> None:
    records = minimal_project / ".git"
    records.mkdir()
    (records / "notes.yaml").write_text("name: A secret\nkind: person\n", encoding="utf-8")
    (minimal_project / "claims/parties/notes.yaml").symlink_to("../../.git/notes.yaml")
    dataset, _ = check_project(minimal_project)
    found = finding(minimal_project, "unsafe-path")
    assert found.path == "claims/parties/notes.yaml"
    assert "git's own records, to .git/notes.yaml" in found.message
    assert "notes" not in dataset.parties


def test_a_git_folder_in_a_walked_folder_is_passed_over_unread(minimal_project: Path) -> None:
    records = minimal_project / "docs" / ".git"
    records.mkdir()
    (records / "page.md").write_text(f"# {SECRET}\n", encoding="utf-8")
    listing = paths.walk(minimal_project.resolve(), minimal_project.resolve() / "docs")
    assert listing.findings == ()
    assert not any(".git" in name for name in listing.files)


def test_a_confined_walk_follows_no_link_out_of_its_folder_an_unconfined_one_does(minimal_project: Path) -> None:
    root = minimal_project.resolve()
    (root / "docs" / "claim.yaml").symlink_to(f"../{CLAIM}")
    (root / "docs" / "also.md").symlink_to("index.md")
    confined = paths.walk(root, root / "docs", confined=True)
    assert [(f.path, f.rule) for f in confined.findings] == [("docs/claim.yaml", "unsafe-path")]
    assert confined.findings[0].message == (
        f"this link leads out of docs/, to {CLAIM}; only what docs/ itself holds is published, so it is not read"
    )
    assert str(root / "docs" / "also.md") in confined.files
    assert str(root / "docs" / "claim.yaml") not in confined.files
    unconfined = paths.walk(root, root / "docs")
    assert unconfined.findings == ()
    assert str(root / "docs" / "claim.yaml") in unconfined.files


# -- the status scale and the snapshots ------------------------------------------------------------


def test_a_dangling_status_scale_link_is_a_broken_link_not_a_missing_file(minimal_project: Path) -> None:
    statuses = minimal_project / "claims/statuses.yaml"
    statuses.unlink()
    statuses.symlink_to("scale.yaml")
    assert errors(minimal_project) == [("claims/statuses.yaml", "broken-symlink")]


def test_a_snapshot_linked_to_itself_is_a_finding_not_a_crash(minimal_project: Path) -> None:
    snapshot = minimal_project / "claims/snapshots/widget-post.txt"
    snapshot.unlink()
    snapshot.symlink_to("widget-post.txt")
    assert errors(minimal_project) == [("claims/snapshots/widget-post.txt", "broken-symlink")]


def test_a_snapshot_linked_outside_the_repository_is_not_read(minimal_project: Path, tmp_path: Path) -> None:
    snapshot = minimal_project / "claims/snapshots/widget-post.txt"
    outside = tmp_path / "widget-post.txt"
    snapshot.rename(outside)
    snapshot.symlink_to(outside)
    dataset, _ = check_project(minimal_project)
    found = finding(minimal_project, "unsafe-path")
    assert found.path == "claims/snapshots/widget-post.txt"
    assert str(outside) in found.message
    assert dataset.snapshot_texts == {}


# -- docs/, CONTRIBUTING.md and mkdocs.yml ---------------------------------------------------------


def test_a_docs_page_linked_outside_the_repository_is_a_finding_and_not_published(
    minimal_project: Path, tmp_path: Path, secret: Path
) -> None:
    (minimal_project / "docs/evil.md").symlink_to(secret)
    found = finding(minimal_project, "unsafe-path")
    assert (found.path, found.severity) == ("docs/evil.md", Severity.ERROR)
    assert str(secret) in found.message
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 1
    assert "docs/evil.md:1:1: error: this link points outside the repository" in result.stdout
    assert SECRET not in published(site)


def test_a_contributor_guide_linked_outside_the_repository_is_a_finding_and_not_published(
    minimal_project: Path, tmp_path: Path, secret: Path
) -> None:
    (minimal_project / "CONTRIBUTING.md").symlink_to(secret)
    assert errors(minimal_project) == [("CONTRIBUTING.md", "unsafe-path")]
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 1
    assert "CONTRIBUTING.md:1:1: error: this link points outside the repository" in result.stdout
    assert SECRET not in published(site)


def test_a_site_configuration_linked_outside_the_repository_is_a_finding(minimal_project: Path, tmp_path: Path) -> None:
    config = minimal_project / "mkdocs.yml"
    outside = tmp_path / "mkdocs.yml"
    config.rename(outside)
    config.symlink_to(outside)
    assert errors(minimal_project) == [("mkdocs.yml", "unsafe-path")]


def test_a_docs_folder_linked_outside_the_repository_is_reported_and_not_walked(
    minimal_project: Path, tmp_path: Path, secret: Path
) -> None:
    outside = tmp_path / "more"
    outside.mkdir()
    (outside / "page.md").symlink_to(secret)
    (minimal_project / "docs/more").symlink_to(outside, target_is_directory=True)
    assert errors(minimal_project) == [("docs/more", "unsafe-path")]


@pytest.mark.parametrize("target", ["no-such-page.md", "loop.md"])
def test_a_broken_link_among_the_docs_pages_is_a_finding_not_a_crash(minimal_project: Path, target: str) -> None:
    (minimal_project / "docs/loop.md").symlink_to(target)
    assert errors(minimal_project) == [("docs/loop.md", "broken-symlink")]


def test_a_docs_folder_linked_back_into_itself_is_a_finding(minimal_project: Path) -> None:
    (minimal_project / "docs/again").symlink_to("..", target_is_directory=True)  # MkDocs would follow it
    assert errors(minimal_project) == [("docs/again", "broken-symlink")]


def test_a_docs_page_name_with_an_invisible_character_is_a_finding(minimal_project: Path) -> None:
    (minimal_project / "docs/about\u200b.md").write_text("# About\n", encoding="utf-8")
    assert errors(minimal_project) == [("docs/about\\u200b.md", "file-name")]


def test_a_page_in_a_configured_docs_folder_linked_outside_is_not_published(
    minimal_project: Path, tmp_path: Path, secret: Path
) -> None:
    (minimal_project / "docs").rename(minimal_project / "pages")
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "docs_dir: pages\n", encoding="utf-8")
    (minimal_project / "pages/evil.md").symlink_to(secret)
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 1
    # the check refuses it before the build starts (and the plugin would, whatever was checked)
    assert "pages/evil.md:1:1: error: this link points outside the repository" in result.stdout
    assert SECRET not in published(site)


def test_the_plugin_publishes_no_docs_file_that_leads_outside_whatever_was_checked_before(
    minimal_project: Path, tmp_path: Path, secret: Path
) -> None:
    _, findings = check_project(minimal_project)
    assert findings == []
    (minimal_project / "docs/evil.md").symlink_to(secret)  # appears after the check
    config = load_config(config_file=str(minimal_project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin = ClaimledgerPlugin()
    plugin.root = minimal_project.resolve()
    with pytest.raises(PluginError, match=r"docs/evil\.md:1:1: error: this link points outside the repository"):
        plugin.on_files(get_files(config), config)
