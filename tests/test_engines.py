"""``claimledger build --engine``: every engine of the registry builds the same site from the same
outputs; an engine that is missing, or cannot run, says so in one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import build_parser
from claimledger.engines import DEFAULT_ENGINE, ENGINES
from claimledger.site.build import source_date_epoch
from claimledger.site.manifest import MANIFEST
from claimledger.site.render import SiteSettings

from .sitebuild import build, build_in_subprocess

GENERATOR = re.compile(rb'\s*<meta name="generator" content="[^"]*">\n')


def _files(folder: Path) -> dict[str, bytes]:
    """The site's files; the generator's name and version left out of each page."""
    return {
        p.relative_to(folder).as_posix(): GENERATOR.sub(b"", p.read_bytes()) for p in folder.rglob("*") if p.is_file()
    }


def test_the_engines_offered_are_those_of_the_registry_mkdocs_first() -> None:
    parser = build_parser()
    args = parser.parse_args(["build"])
    assert args.engine == DEFAULT_ENGINE == "mkdocs"
    assert list(ENGINES) == ["mkdocs", "properdocs", "zensical"]
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "--engine", "no-such-engine"])


def test_a_missing_engine_is_one_line_naming_the_extra_to_install(
    minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = ENGINES["properdocs"]
    monkeypatch.setitem(
        ENGINES,  # type: ignore[arg-type]
        "properdocs",
        type(entry)(entry.name, entry.factory, "claimledger_no_such_package", entry.extra, entry.preview),
    )
    result = build(minimal_project, tmp_path / "site", "--engine", "properdocs")
    assert result.returncode == 2
    assert result.stderr == (
        "claimledger: the properdocs engine is not installed: pip install 'claimledger[properdocs]'\n"
    )
    assert not (tmp_path / "site").exists()


def test_properdocs_builds_the_site_mkdocs_builds(minimal_project: Path, tmp_path: Path) -> None:
    by_mkdocs = build(minimal_project, tmp_path / "mkdocs")
    assert by_mkdocs.returncode == 0, by_mkdocs.stderr
    by_properdocs = build_in_subprocess(minimal_project, tmp_path / "properdocs", "--engine", "properdocs")
    assert by_properdocs.returncode == 0, by_properdocs.stderr
    assert "claimledger: 0 errors, 0 warnings" in by_properdocs.stderr
    assert b"ProperDocs" in (tmp_path / "properdocs" / "index.html").read_bytes()
    mkdocs_site, properdocs_site = _files(tmp_path / "mkdocs"), _files(tmp_path / "properdocs")
    assert mkdocs_site.keys() == properdocs_site.keys()
    differ = [name for name in mkdocs_site if mkdocs_site[name] != properdocs_site[name]]
    assert differ == [MANIFEST]  # its key names the engine: neither reuses the other's pages


def test_properdocs_checks_first_and_keeps_the_previous_site(minimal_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build_in_subprocess(minimal_project, site, "--engine", "properdocs").returncode == 0
    before = _files(site)
    claim = minimal_project / "claims" / "claims" / "widget-defects-fell.yaml"
    claim.write_text(claim.read_text().replace("claimant: widgets-inc", "claimant: nobody"))
    result = build_in_subprocess(minimal_project, site, "--engine", "properdocs")
    assert result.returncode == 1
    assert "unknown party 'nobody' [ref-party]" in result.stdout
    assert "not built; the previous site is untouched" in result.stderr
    assert _files(site) == before


def test_what_the_check_reads_as_code_but_the_renderer_would_run_fails_a_properdocs_build_too(
    minimal_project: Path, tmp_path: Path
) -> None:
    """The docs guard warns on ProperDocs' own logger, whose warnings fail its strict build."""
    (minimal_project / "docs" / "index.md").write_text("# Home\n\n```\n<script>alert(1)</script>\n", encoding="utf-8")
    result = build_in_subprocess(minimal_project, tmp_path / "site", "--engine", "properdocs")
    assert result.returncode == 1
    assert "claimledger: 0 errors, 0 warnings" in result.stderr  # the check sees code
    assert "claimledger: docs/index.md: raw HTML '<script>alert(1)</script>' is not allowed" in result.stderr
    assert not (tmp_path / "site").exists()


def test_properdocs_builds_in_a_process_of_its_own_even_where_mkdocs_is_loaded(
    minimal_project: Path, tmp_path: Path
) -> None:
    build(minimal_project, tmp_path / "first")  # MkDocs is loaded in this process now
    result = build(minimal_project, tmp_path / "site", "--engine", "properdocs")
    assert result.returncode == 0, result.stderr
    assert b"ProperDocs" in (tmp_path / "site" / "index.html").read_bytes()


def test_a_configuration_without_the_plugin_fails_the_build_and_says_what_to_add(
    minimal_project: Path, tmp_path: Path
) -> None:
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - claimledger\n", ""))
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 1
    assert "mkdocs.yml does not use the claimledger plugin: add `- claimledger` under `plugins:`" in result.stderr
    assert not (tmp_path / "site").exists()


def test_mkdocs_run_on_its_own_builds_the_site_claimledger_build_builds(minimal_project: Path, tmp_path: Path) -> None:
    """The plugin is then the edge: it reads the settings from the environment and checks the dataset."""
    assert build(minimal_project, tmp_path / "ours").returncode == 0
    alone = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "alone")],
        cwd=minimal_project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(source_date_epoch(check_project(minimal_project)[0]))},
    )
    assert alone.returncode == 0, alone.stderr
    ours, theirs = _files(tmp_path / "ours"), _files(tmp_path / "alone")
    assert ours.keys() - theirs.keys() == {".claimledger-site", MANIFEST}  # what claimledger build keeps
    assert [name for name in theirs if theirs[name] != ours[name]] == []


def test_site_settings_point_edit_and_file_links_into_a_github_repository() -> None:
    settings = SiteSettings.of_site("Claims", "https://claims.example.org", "https://github.com/o/r/", edit_branch="b")
    assert settings.site_url == "https://claims.example.org/"
    assert settings.edit_base == "https://github.com/o/r/edit/b/"
    assert settings.blob_base == "https://github.com/o/r/blob/b/"
    elsewhere = SiteSettings.of_site("Claims", "", "https://git.example.org/r", edit_base="https://git.example.org/e")
    assert (elsewhere.edit_base, elsewhere.blob_base) == ("https://git.example.org/e/", "")
