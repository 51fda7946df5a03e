"""``claimledger build``: checks first, builds strictly, and never leaves a half-written site."""

from __future__ import annotations

import gzip
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.checks.siteconfig import DocsPolicy
from claimledger.record.model import Dataset
from claimledger.settings import Settings
from claimledger.settings import progress_wanted as wanted
from claimledger.site.build import MARKER, BuildError, Project, SiteInput, StagedBuild, lock_site, unlock_site
from claimledger.site.manifest import MANIFEST, report_reused

from .reviews import fingerprint_of
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
    assert (site / ".claimledger-site").is_file()


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
    checked = result.stderr.index("claimledger: 0 errors, 0 warnings")  # the dataset is checked all the same
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


def _move_every_date_to(project: Path, year: int) -> None:
    """Every date under claims/ moved to ``year``, each claim last reviewed on its 31 December."""
    for path in (project / "claims").rglob("*.yaml"):
        text = re.sub(r"\b202[01]-", f"{year}-", path.read_text(encoding="utf-8"))
        text = re.sub(r"^  date: .*$", f"  date: {year}-12-31", text, flags=re.MULTILINE)
        if "\nreview:\n" in text:  # signed off again: what the claim says changed with its dates
            text = re.sub(r"(?m)^  fingerprint: .*$", f"  fingerprint: {fingerprint_of(text, path.stem)}", text)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("year", [1969, 1901])
def test_a_dataset_reviewed_before_1970_builds_with_valid_archives_and_its_own_dates(
    minimal_project: Path, tmp_path: Path, year: int
) -> None:
    _move_every_date_to(minimal_project, year)
    site = tmp_path / "site"

    result = build(minimal_project, site)

    assert result.returncode == 0, result.stderr
    page = (site / "claims" / "widget-defects-fell" / "index.html").read_text(encoding="utf-8")
    assert f'<time datetime="{year}-12-31">31 December {year}</time></dd>' in page
    assert f'"dateModified":"{year}-12-31"' in page
    sitemap = (site / "sitemap.xml").read_bytes()
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == sitemap
    # The build date is the earliest that gzip and zip can both store; the pages keep their dates.
    assert set(re.findall(rb"<lastmod>(.*?)</lastmod>", sitemap)) == {b"1980-01-01"}


def test_a_build_time_given_before_1970_is_moved_up_to_one_archives_can_store(
    minimal_project: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    result = build(minimal_project, site, env={"SOURCE_DATE_EPOCH": "-86400"})
    assert result.returncode == 0, result.stderr
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == (site / "sitemap.xml").read_bytes()


def test_a_build_time_that_is_no_number_fails_with_a_message(minimal_project: Path, tmp_path: Path) -> None:
    result = build(minimal_project, tmp_path / "site", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 1
    assert "SOURCE_DATE_EPOCH='yesterday' is not a whole number of seconds" in result.stderr
    assert "Traceback" not in result.stderr


def _dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _folder(path: Path) -> Path:
    path.mkdir()
    (path / "index.html").write_text("half a site", encoding="utf-8")
    return path


def test_staging_folders_of_a_killed_build_are_removed_and_those_of_a_running_build_kept(
    minimal_project: Path, tmp_path: Path
) -> None:
    dead, alive = _dead_pid(), os.getpid()
    stale = [_folder(tmp_path / f".site.new-{dead}-a1b2c3d_"), _folder(tmp_path / f".site.old-{dead}-zz99zz99")]
    running = _folder(tmp_path / f".site.new-{alive}-a1b2c3d_")
    look_alikes = [
        _folder(tmp_path / f".site.new-{dead}-short"),  # not a name a build makes
        _folder(tmp_path / f".other.new-{dead}-a1b2c3d_"),  # another site's
        _folder(tmp_path / ".site.new-a1b2c3d_"),  # no process id
    ]
    elsewhere = _folder(tmp_path / "elsewhere")
    (tmp_path / f".site.new-{dead}-1inked00").symlink_to(elsewhere)

    result = build(minimal_project, tmp_path / "site")

    assert result.returncode == 0, result.stderr
    assert [path for path in stale if path.exists()] == []
    assert running.is_dir() and all(path.is_dir() for path in look_alikes)
    assert (elsewhere / "index.html").is_file(), "a link is not followed"


class OnePageBuild:
    """A build by an engine that writes one page."""

    def __init__(self, staging_dir: Path) -> None:
        self.staging = staging_dir

    def docs_policy(self) -> DocsPolicy:
        return DocsPolicy()

    def build(self, site: SiteInput) -> None:
        (self.staging / "index.html").write_text("the new site", encoding="utf-8")

    def close(self) -> None:
        pass


class OnePageEngine:
    """Any engine: what StagedBuild does around it is the same for all."""

    name = "one-page"

    def start(self, project: Project, staging_dir: Path) -> OnePageBuild:
        return OnePageBuild(staging_dir)


def test_staging_folders_of_a_killed_build_are_removed_whatever_the_engine(tmp_path: Path) -> None:
    stale = _folder(tmp_path / f".site.new-{_dead_pid()}-a1b2c3d_")
    project = Project(tmp_path, tmp_path / "mkdocs.yml", Settings())

    with StagedBuild(OnePageEngine(), project, tmp_path / "site") as staged:
        staged.run(Dataset({}, {}, {}, None), [])

    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "the new site"
    assert not stale.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_previous_site_a_killed_build_swapped_out_is_put_back(minimal_project: Path, tmp_path: Path) -> None:
    site, before = _built(minimal_project, tmp_path)
    site.rename(tmp_path / f".site.old-{_dead_pid()}-a1b2c3d_")  # killed between the two renames of the swap
    (minimal_project / "claims" / "claims" / "widget-defects-fell.yaml").write_text("not: [a claim\n")

    result = build(minimal_project, site)

    assert result.returncode == 1
    assert _snapshot(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


class ReportingBuild(OnePageBuild):
    """A build that reuses the previous site's ``kept/page.html`` as it is, writing nothing for it, and says so."""

    def build(self, site: SiteInput) -> None:
        super().build(site)
        (self.staging / MANIFEST).write_text("{}", encoding="utf-8")
        if site.previous is not None:
            report_reused(self.staging, ["kept/page.html"])


class ReportingEngine:
    name = "reporting"

    def start(self, project: Project, staging_dir: Path) -> ReportingBuild:
        return ReportingBuild(staging_dir)


def _run(engine: OnePageEngine | ReportingEngine, site: Path) -> None:
    project = Project(site.parent, site.parent / "mkdocs.yml", Settings())
    with StagedBuild(engine, project, site) as staged:
        staged.run(Dataset({}, {}, {}, None), [])


def _listing(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def test_a_build_that_reports_the_files_it_reused_is_committed_into_the_site_in_place(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _run(ReportingEngine(), site)
    (site / "kept").mkdir()
    (site / "kept" / "page.html").write_text("reused as it is", encoding="utf-8")
    (site / "gone").mkdir()
    (site / "gone" / "old.html").write_text("no longer made", encoding="utf-8")
    folder = site.stat().st_ino

    _run(ReportingEngine(), site)

    assert site.stat().st_ino == folder
    assert _listing(site) == sorted([MARKER, MANIFEST, "index.html", "kept", "kept/page.html"])
    assert (site / "kept" / "page.html").read_text(encoding="utf-8") == "reused as it is"
    assert (site / "index.html").read_text(encoding="utf-8") == "the new site"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_build_by_an_engine_that_reports_no_reuse_replaces_the_site_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _run(ReportingEngine(), site)  # a site with a manifest: the next build is handed it to reuse from
    (site / "gone.html").write_text("no longer made", encoding="utf-8")
    folder = site.stat().st_ino

    _run(OnePageEngine(), site)

    assert site.stat().st_ino != folder
    assert _listing(site) == sorted([MARKER, "index.html"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(os.name != "posix", reason="advisory file locks")
def test_a_build_into_a_site_another_build_is_making_stops_at_once_and_leaves_the_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    site, before = _built(minimal_project, tmp_path)
    lock = lock_site(site.resolve())  # as a build running meanwhile holds it
    assert lock is not None
    try:
        result = build(minimal_project, site)
    finally:
        unlock_site(site.resolve(), lock)
    assert result.returncode == 1
    assert f"another build into {site.resolve()} is running (process {os.getpid()})" in result.stderr
    assert "the previous site is untouched" in result.stderr
    assert _snapshot(site) == before


@pytest.mark.skipif(os.name != "posix", reason="advisory file locks")
def test_a_lock_file_that_is_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not the build's to write", encoding="utf-8")
    (tmp_path / ".site.lock").symlink_to(victim)
    with pytest.raises(BuildError, match="cannot lock the site"):
        _run(OnePageEngine(), tmp_path / "site")
    assert victim.read_text(encoding="utf-8") == "not the build's to write"
    assert not (tmp_path / "site").exists()


@pytest.mark.skipif(os.name != "posix", reason="advisory file locks")
def test_a_build_leaves_no_lock_behind_and_the_next_build_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _run(OnePageEngine(), site)
    _run(OnePageEngine(), site)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(os.name != "posix", reason="advisory file locks")
def test_a_build_whose_lock_file_a_finishing_build_removed_takes_a_new_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = lock_site(site)
    assert first is not None
    with pytest.raises(BuildError, match="another build into"):
        _run(OnePageEngine(), site)
    unlock_site(site, first)
    _run(OnePageEngine(), site)
    assert (site / "index.html").read_text(encoding="utf-8") == "the new site"


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
    pages = re.findall(r"claimledger: (\d+)/(\d+) pages written", result.stderr)
    assert pages and pages[-1][0] == pages[-1][1]


def test_progress_shows_in_a_terminal_but_not_in_ci_nor_in_a_pipe() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wanted({}, Terminal())
    assert not wanted({"CI": "true"}, Terminal())
    assert not wanted({}, io.StringIO())
    assert wanted({"CI": "true", "CLAIMLEDGER_PROGRESS": "1"}, io.StringIO())
    assert not wanted({"CLAIMLEDGER_PROGRESS": "0"}, Terminal())


def test_progress_looks_at_standard_error_as_it_is_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert wanted({})
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not wanted({})
