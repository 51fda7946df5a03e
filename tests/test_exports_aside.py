"""The whole-dataset exports and feeds are made in a second process while the pages render (where a process
can be forked and the settings allow more than one), and the site is byte for byte the site one process
builds. A second process that fails or dies fails the build, naming the file it was making, and leaves the
previous site as it was."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin
from claimledger.exports import site as exports_site
from claimledger.exports import sqlite as exports_sqlite
from claimledger.record.parallel import can_fork
from claimledger.settings import Settings
from claimledger.site import aside
from claimledger.site.outputs import FileOutput
from claimledger.tools.synthetic import write_site_project

from .sitebuild import add_hook, build

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or os.uname().sysname == "Darwin", reason="needs fork")

CLAIMS = 60  # small, with items linked every way (related claims, rebuttals, several parties and sources)
TWO = {"CLAIMLEDGER_JOBS": "2"}  # two processes, whatever the machine's cores
ONE = {"CLAIMLEDGER_WITHOUT": "parallel"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, only_this_tests_threads: None) -> Iterator[list[int]]:
    """The process ids of the second processes the builds start (none where a build makes the files itself)."""
    pids: list[int] = []
    real = aside.start

    def start(*args: Any, **kwargs: Any) -> aside.Aside | None:
        made = real(*args, **kwargs)
        if made is not None:
            assert made.process.pid is not None
            pids.append(made.process.pid)
        return made

    monkeypatch.setattr(aside, "start", start)
    assert can_fork()
    yield pids


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """In order, each time a build tells the exports' process where to write ("go") and each time MkDocs
    asks the plugin for the files ("files")."""
    said: list[str] = []
    real_go, real_files = aside.Aside.go, ClaimledgerPlugin.on_files

    def go(self: aside.Aside, folder: Path) -> None:
        said.append("go")
        real_go(self, folder)

    def on_files(plugin: ClaimledgerPlugin, files: Any, config: Any) -> Any:
        said.append("files")
        return real_files(plugin, files, config)

    monkeypatch.setattr(aside.Aside, "go", go)
    monkeypatch.setattr(ClaimledgerPlugin, "on_files", on_files)
    return said


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site_project(tmp_path_factory.mktemp("aside") / "project", CLAIMS)


def _in_the_second_process_only(monkeypatch: pytest.MonkeyPatch, name: str, then: Any) -> None:
    """``claimledger.exports.sqlite.<name>`` does ``then()`` in a forked process; here, in the test's, it fails the
    test instead."""
    here = os.getpid()

    def instead(*args: Any, **kwargs: Any) -> Any:
        assert os.getpid() != here, "the export was made in the build's own process"
        return then()

    monkeypatch.setattr(exports_sqlite, name, instead)


def test_the_exports_made_in_a_second_process_are_the_files_one_process_makes(
    project: Path, tmp_path: Path, started: list[int]
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(project, one, "--full", env=ONE).returncode == 0
    assert started == [], "one process asked for: none forked"
    built = build(project, two, "--full", env=TWO)
    assert built.returncode == 0, built.stderr
    assert len(started) == 1
    assert _tree(two) == _tree(one)


def test_a_rebuild_after_an_edit_writes_the_edited_claims_json_from_the_second_process(
    tmp_path: Path, started: list[int]
) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    site, full = tmp_path / "site", tmp_path / "full"
    assert build(project, site, env=TWO).returncode == 0
    claim = project / "claims" / "claims" / "claim-00001.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("statement: ", "statement: Edited, ", 1), "utf-8")
    rebuilt = build(project, site, env=TWO)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert len(started) == 2
    assert build(project, full, "--full", env=ONE).returncode == 0
    assert b"Edited, " in (site / "claims" / "claim-00001" / "claim.json").read_bytes()
    assert _tree(site) == _tree(full)


def test_an_export_that_fails_in_the_second_process_fails_the_build_naming_it(
    project: Path, tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    assert build(project, site, env=TWO).returncode == 0
    before = _tree(site)

    def fail() -> str:
        raise ValueError("no database today")

    _in_the_second_process_only(monkeypatch, "sqlite_file", fail)
    failed = build(project, site, "--full", env=TWO)
    assert failed.returncode == 1
    assert "making claims.db failed: ValueError: no database today" in failed.stderr
    assert "the previous site is untouched" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _tree(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no staging folder is left behind"


def test_a_second_process_that_dies_fails_the_build_naming_the_export_it_was_making(
    project: Path, tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _in_the_second_process_only(monkeypatch, "sqlite_file", lambda: os.kill(os.getpid(), signal.SIGKILL))
    failed = build(project, site, env=TWO)
    assert failed.returncode == 1
    assert "ended (killed by signal 9) while making claims.db" in failed.stderr
    assert not site.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no staging folder is left behind"


def test_a_build_that_fails_while_the_second_process_works_stops_it(
    project: Path, tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimledger.engines.mkdocs import plugin

    _in_the_second_process_only(monkeypatch, "sqlite_file", lambda: __import__("time").sleep(600))

    def broken(*args: object) -> None:
        raise RuntimeError("a page failed")

    monkeypatch.setattr(plugin, "tokens", broken)  # fails the build while the pages render
    with pytest.raises(RuntimeError, match="a page failed"):
        build(project, tmp_path / "site", env=TWO)
    assert len(started) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)  # ended, and reaped
    assert list(tmp_path.iterdir()) == [], "no staging folder is left behind, nor a site"


def test_no_second_process_where_the_settings_ask_for_one_or_there_is_nothing_to_make(tmp_path: Path) -> None:
    outputs = [FileOutput("claims.csv", lambda: "id\n", aside=True)]
    assert aside.start(outputs, Settings(jobs=1)) is None
    assert aside.start(outputs, Settings(parallel=False)) is None
    assert aside.start([FileOutput("a.txt", lambda: "a")], Settings(jobs=2)) is None


def test_the_second_process_writes_the_aside_files_and_names_each(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    outputs = [
        FileOutput("claims.csv", lambda: "id\n", aside=True),
        FileOutput("schema/a.json", lambda: "{}"),  # not aside: the engine writes it
        FileOutput("claims/a/claim.json", lambda: "{}\n", bulk=True, made_aside=True),
        FileOutput("claims/b/claim.json", lambda: "{}\n", bulk=True, made_aside=True),  # the previous site keeps it
        FileOutput("claims/c/claim.json", lambda: "{}\n", bulk=True),  # not made aside: the engine writes it
    ]
    started = aside.start(outputs, Settings(jobs=2))
    assert started is not None
    started.go(tmp_path)
    started.keep(frozenset({"claims/b/claim.json"}))
    assert started.finish() == {"claims.csv", "claims/a/claim.json"}
    assert _tree(tmp_path) == {"claims.csv": b"id\n", "claims/a/claim.json": b"{}\n"}


def test_a_claim_json_the_second_process_cannot_make_fails_it_naming_those_files(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    def full() -> str:
        raise OSError("no space left")

    outputs = [
        FileOutput("claims.csv", lambda: "id\n", aside=True),
        FileOutput("claims/a/claim.json", full, bulk=True, made_aside=True),
    ]
    started = aside.start(outputs, Settings(jobs=2))
    assert started is not None
    started.go(tmp_path)
    started.keep(frozenset())
    with pytest.raises(aside.AsideFailed, match=r"making the claim\.json files failed: OSError: no space left"):
        started.finish()
    assert started.process.exitcode is not None, "it has ended"


HOOK = """\
from pathlib import Path

from mkdocs.plugins import event_priority


@event_priority(10)
def on_post_build(config):
    site = Path(config.site_dir)
    seen = {name: (site / name).is_file() and (site / name).stat().st_size for name in ("claims.json", "claims.db")}
    Path(config.config_file_path).with_name("seen.txt").write_text(repr(seen), encoding="utf-8")
"""


def test_a_hook_after_the_build_finds_the_exports_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[int]
) -> None:
    project = write_site_project(tmp_path / "project", 3)
    add_hook(project, "seen.py", HOOK)
    slow = exports_site.SiteExports.file

    def slowly(self: exports_site.SiteExports, name: str) -> Any:  # the exports take longer than the pages
        import time

        time.sleep(1)
        return slow(self, name)

    monkeypatch.setattr(exports_site.SiteExports, "file", slowly)
    built = build(project, tmp_path / "site", env=TWO)
    assert built.returncode == 0, built.stderr
    assert started  # made by the second process
    seen = (project / "seen.txt").read_text(encoding="utf-8")
    site = tmp_path / "site"
    assert seen == repr({name: (site / name).stat().st_size for name in ("claims.json", "claims.db")})


def test_the_second_process_makes_the_first_file_at_once_and_writes_nothing_until_told_where(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    made = tmp_path / "made"  # the first file's content, made: written there by the second process

    def first() -> str:
        made.write_text("made", encoding="utf-8")
        return "id\n"

    site = tmp_path / "site"
    started = aside.start([FileOutput("claims.csv", first, aside=True)], Settings(jobs=2))
    assert started is not None
    import time

    for _ in range(100):
        if made.exists():
            break
        time.sleep(0.05)
    assert made.exists(), "made before the build says where to write"
    assert not site.exists()
    started.go(site)
    started.keep(frozenset())
    assert started.finish() == {"claims.csv"}
    assert _tree(site) == {"claims.csv": b"id\n"}


def test_told_what_the_previous_site_keeps_before_where_to_write_the_second_process_waits_for_where(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    outputs = [
        FileOutput("claims.csv", lambda: "id\n", aside=True),
        FileOutput("claims/a/claim.json", lambda: "{}\n", bulk=True, made_aside=True),
        FileOutput("claims/b/claim.json", lambda: "{}\n", bulk=True, made_aside=True),
    ]
    started = aside.start(outputs, Settings(jobs=2))
    assert started is not None
    started.keep(frozenset({"claims/a/claim.json"}))
    started.go(tmp_path)
    assert started.finish() == {"claims.csv", "claims/b/claim.json"}
    assert _tree(tmp_path) == {"claims.csv": b"id\n", "claims/b/claim.json": b"{}\n"}


def test_the_second_process_never_told_what_the_previous_site_keeps_is_stopped_and_the_build_fails(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    started = aside.start([FileOutput("claims.csv", lambda: "id\n", aside=True)], Settings(jobs=2))
    assert started is not None
    started.go(tmp_path)
    with pytest.raises(RuntimeError, match="never told where to write, or what is kept"):
        started.finish()
    assert started.process.exitcode is not None, "it has ended"


def test_a_second_process_stopped_before_it_is_told_where_writes_nothing(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    started = aside.start([FileOutput("claims.csv", lambda: "id\n", aside=True)], Settings(jobs=2))
    assert started is not None
    started.stop()
    assert started.process.exitcode is not None, "it has ended"
    assert list(tmp_path.iterdir()) == []


def test_the_second_process_writes_into_the_site_folder_only_once_mkdocs_has_cleaned_it(
    project: Path, tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from mkdocs.commands import build as mkdocs_commands
    from mkdocs.config import load_config

    one = tmp_path / "one"
    assert build(project, one, "--full", env=ONE).returncode == 0
    site = tmp_path / "site"
    site.mkdir()
    (site / "claims.csv").write_text("left by an earlier build\n", encoding="utf-8")
    real_clean = mkdocs_commands.utils.clean_directory

    def slow_clean(directory: str) -> None:  # the exports would be made, and written, before it cleans
        time.sleep(2)
        real_clean(directory)

    monkeypatch.setattr(mkdocs_commands.utils, "clean_directory", slow_clean)
    monkeypatch.setenv("CLAIMLEDGER_JOBS", "2")
    monkeypatch.delenv("CLAIMLEDGER_WITHOUT", raising=False)
    mkdocs_commands.build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site)))
    assert len(started) == 1
    for name in ("claims.json", "claims.csv", "claims.db", "corrections.xml"):
        assert (site / name).read_bytes() == (one / name).read_bytes(), name


def test_a_build_that_fails_before_the_second_process_is_told_where_to_write_stops_it_unwritten(
    tmp_path: Path, started: list[int]
) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    (project / "docs" / "dashboard.md").write_text("# Mine\n", encoding="utf-8")  # refused in on_files
    failed = build(project, tmp_path / "site", env=TWO)
    assert failed.returncode == 1
    assert "docs/dashboard.md clashes with a generated page" in failed.stderr
    assert len(started) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)  # ended, and reaped
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"], "no staging folder is left behind, nor a site"


def test_a_rebuild_lets_the_second_process_write_before_mkdocs_reads_the_files(
    tmp_path: Path, started: list[int], said: list[str]
) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    site = tmp_path / "site"
    assert build(project, site, env=TWO).returncode == 0
    said.clear()
    claim = project / "claims" / "claims" / "claim-00001.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("statement: ", "statement: Edited, ", 1), "utf-8")
    rebuilt = build(project, site, env=TWO)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert said[:2] == ["go", "files"], "its staging folder is new: nothing cleans it"


def test_telling_the_second_process_what_is_kept_does_not_wait_for_it_to_listen(
    tmp_path: Path, only_this_tests_threads: None
) -> None:
    release, waited = tmp_path / "release", tmp_path / "waited"

    def first() -> str:  # busy until released (a minute at most)
        for _ in range(1200):
            if release.exists():
                break
            time.sleep(0.05)
        waited.touch()
        return "id\n"

    claims = [f"claims/c{n}/claim.json" for n in range(20_000)]  # their paths alone would fill a pipe many times
    outputs = [FileOutput("claims.csv", first, aside=True)]
    outputs += [FileOutput(path, lambda: "{}\n", bulk=True, made_aside=True) for path in claims]
    started = aside.start(outputs, Settings(jobs=2))
    assert started is not None
    site = tmp_path / "site"
    started.go(site)
    started.keep(frozenset(claims[1:]))
    assert not waited.exists(), "said while the process was busy"
    release.touch()
    assert started.finish() == {"claims.csv", claims[0]}
    assert _tree(site) == {"claims.csv": b"id\n", claims[0]: b"{}\n"}


def test_a_users_own_dirty_build_lets_the_second_process_write_only_once_mkdocs_reads_the_files(
    project: Path, tmp_path: Path, started: list[int], said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # a user's --dirty build writes straight into the site, which a later failure would leave half new
    from mkdocs.commands import build as mkdocs_commands
    from mkdocs.config import load_config

    monkeypatch.setenv("CLAIMLEDGER_JOBS", "2")
    monkeypatch.delenv("CLAIMLEDGER_WITHOUT", raising=False)
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=True)
    mkdocs_commands.build(config, dirty=True)
    assert len(started) == 1
    assert said[:2] == ["files", "go"]
