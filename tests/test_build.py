"""``claimtrail build``: checks first, builds strictly, and never leaves a half-written site."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from claimtrail.site.progress import wanted

from .sitebuild import build


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _built(project: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A site built from ``project``, and what it holds."""
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    return site, _snapshot(site)


def test_build_writes_a_page_per_claim(minimal_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 0, result.stderr
    assert (site / "claims" / "widget-defects-fell" / "index.html").is_file()
    assert (site / ".claimtrail-site").is_file()


def test_a_dataset_error_fails_the_build_and_keeps_the_previous_site(minimal_project: Path, tmp_path: Path) -> None:
    site, before = _built(minimal_project, tmp_path)
    claim = minimal_project / "claims" / "claims" / "widget-defects-fell.yaml"
    claim.write_text(claim.read_text().replace("claimant: widgets-inc", "claimant: nobody"))

    result = build(minimal_project, site)

    assert result.returncode == 1
    assert "claims/claims/widget-defects-fell.yaml:4:1: error: unknown party 'nobody' [ref-party]" in result.stdout
    assert _snapshot(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no staging folder is left behind"


def test_a_broken_link_in_a_page_fails_the_strict_build_and_keeps_the_previous_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    site, before = _built(minimal_project, tmp_path)
    (minimal_project / "docs" / "index.md").write_text("# Home\n\nSee [missing](no-such-page.md).\n")

    result = build(minimal_project, site)

    assert result.returncode == 1
    assert "no-such-page.md" in result.stderr
    assert _snapshot(site) == before


def test_an_unknown_reference_in_a_docs_page_is_reported_with_its_line(minimal_project: Path, tmp_path: Path) -> None:
    (minimal_project / "docs" / "index.md").write_text("# Home\n\nText.\n\nSee [[claim:no-such-claim]].\n")
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 1
    assert "docs/index.md:5:1: error: unknown claim 'no-such-claim' in [[claim:no-such-claim]] [ref-claim]" in (
        result.stdout
    )


def test_a_broken_site_configuration_fails_the_build_and_keeps_the_previous_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    site, before = _built(minimal_project, tmp_path)
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text() + "\nnot_an_option: true\nuse_directory_urls: maybe\n")

    result = build(minimal_project, site)

    assert result.returncode == 1
    checked = result.stderr.index("claimtrail: 0 errors, 0 warnings")  # the dataset is checked all the same
    unknown = result.stderr.index("Unrecognised configuration name: not_an_option")
    wrong = result.stderr.index("Config value 'use_directory_urls': Expected type")
    aborted = result.stderr.index("the previous site is untouched")
    assert checked < unknown < wrong < aborted, result.stderr
    for message in (
        "0 errors, 0 warnings",
        "Unrecognised configuration name",
        "'use_directory_urls'",
        "previous site is untouched",
    ):
        assert result.stderr.count(message) == 1, message
    assert _snapshot(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no staging folder is left behind"


def test_build_refuses_to_replace_a_folder_it_did_not_create(minimal_project: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    result = build(minimal_project, precious)
    assert result.returncode == 1
    assert "refusing to replace it" in result.stderr
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_the_built_site_is_readable_by_others_as_the_umask_allows(minimal_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    assert site.stat().st_mode & 0o755 == 0o755


def test_progress_is_shown_when_asked_for(minimal_project: Path, tmp_path: Path) -> None:
    result = build(minimal_project, tmp_path / "site", "--progress")
    assert result.returncode == 0
    pages = re.findall(r"claimtrail: (\d+)/(\d+) pages written", result.stderr)
    assert pages and pages[-1][0] == pages[-1][1]


def test_progress_shows_in_a_terminal_but_not_in_ci_nor_in_a_pipe() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wanted({}, Terminal())
    assert not wanted({"CI": "true"}, Terminal())
    assert not wanted({}, io.StringIO())
    assert wanted({"CI": "true", "CLAIMTRAIL_PROGRESS": "1"}, io.StringIO())
    assert not wanted({"CLAIMTRAIL_PROGRESS": "0"}, Terminal())


def test_progress_looks_at_standard_error_as_it_is_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert wanted({})
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not wanted({})
