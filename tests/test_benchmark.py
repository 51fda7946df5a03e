"""The benchmark (benchmarks/run.py, not a test itself) measures every engine and every speed piece, on disk
by default, and judges its figures against the targets; these tests time nothing."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from claimledger.engines import ENGINES, EngineEntry
from claimledger.settings import SPEED_PIECES
from claimledger.tools.synthetic import site_config, write_site_project

from .conftest import REPO
from .sitebuild import build


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("claimledger_benchmark", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_every_installed_engine_of_the_registry_is_measured() -> None:
    engines, skipped = _benchmark().installed_engines()
    assert [entry.name for entry in engines] == [
        entry.name for entry in ENGINES.values() if importlib.util.find_spec(entry.requires) is not None
    ]
    assert "mkdocs" in [entry.name for entry in engines]
    assert len(engines) + len(skipped) == len(ENGINES)


def test_an_engine_that_is_not_installed_is_skipped_with_a_note_naming_its_extra() -> None:
    missing = EngineEntry("absent", "nowhere:Engine", "claimledger_no_such_package", "absent", "absent serve")
    engines, skipped = _benchmark().installed_engines([ENGINES["mkdocs"], missing])
    assert [entry.name for entry in engines] == ["mkdocs"]
    assert skipped == ["absent: not installed here, skipped (pip install 'claimledger[absent]')"]


def test_every_speed_piece_is_measured_in_paired_runs_and_only_those() -> None:
    bench = _benchmark()
    trials = bench.TRIALS
    assert {trial.piece for trial in trials} == {*SPEED_PIECES, *bench.PATCHES}
    for trial in trials:
        assert trial.command in ("check", "build")
        assert set(trial.also_without) <= set(SPEED_PIECES) - {trial.piece}


def test_the_results_page_shows_each_engine_the_skipped_ones_and_the_pieces() -> None:
    bench = _benchmark()
    machine = {"cpu": "CPU", "cores": 2, "memory_gib": 4, "python": "3.11", "date": "2026-01-01", "written_to": "/x"}
    build = {"engine": "mkdocs", "claims": 100, "build_s": 1.0, "rebuild_s": 0.5, "build_peak_mb": 50}
    piece = {"piece": "parallel", "run": "check, from scratch", "claims": 100, "gain_percent": 0.0}
    page = bench.report(
        {
            "builds": {
                "machine": machine,
                "checks": [{"claims": 100, "check_s": 0.2}],
                "results": [build],
                "skipped": ["zensical: not installed here, skipped (pip install 'claimledger[zensical]')"],
                "serve_edit_seconds": [{"preview": "mkdocs serve", "claims": 100, "dirty": 0.5, "full": 1.0}],
            },
            "pieces": {"machine": machine, "results": [piece]},
        }
    )
    assert "| mkdocs | 100 |" in page
    assert "- zensical: not installed here, skipped" in page
    assert "`mkdocs serve` at 100 claims" in page
    assert "| parallel | kept | check, from scratch | 100 |" in page


def test_a_run_of_some_sizes_replaces_only_its_own_rows_of_the_pieces() -> None:
    def row(piece: str, claims: int, gain: float) -> dict[str, object]:
        return {"piece": piece, "run": "build, cached", "claims": claims, "gain_percent": gain}

    earlier = [row("item-cache", 100, 1.0), row("item-cache", 10000, 2.0), row("gone", 100, 0.0)]
    merged = _benchmark().merge_pieces(earlier, [row("item-cache", 100, 9.0), row("parallel", 100, 3.0)])
    assert merged == [
        row("item-cache", 100, 9.0),
        row("item-cache", 10000, 2.0),
        row("gone", 100, 0.0),
        row("parallel", 100, 3.0),
    ]


def test_a_piece_no_longer_in_the_settings_shows_as_removed() -> None:
    bench = _benchmark()
    machine = {"cpu": "CPU", "cores": 2, "memory_gib": 4, "python": "3.11", "date": "2026-01-01", "written_to": "/x"}
    page = bench.report({"pieces": {"machine": machine, "results": [{"piece": "gone", "run": "build", "claims": 1}]}})
    assert "| gone | removed | build | 1 |" in page


def test_the_docs_name_every_speed_piece_and_only_those() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert f"`CLAIMLEDGER_WITHOUT={','.join(SPEED_PIECES)}`" in reference
    benchmarks = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    kept = {line.split("|")[1].strip() for line in benchmarks.splitlines() if line.endswith("| kept |")}
    measured = {*SPEED_PIECES, *_benchmark().PATCHES}  # the pieces with a setting, and those without
    assert kept == {piece.replace("-", " ") for piece in measured}


MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
tmpfs /dev/shm tmpfs rw,relatime 0 0
tmpfs /tmp tmpfs rw,nosuid 0 0
/dev/vdb /work/my\\040disk xfs rw 0 0
"""


def test_a_folder_is_on_the_file_system_of_the_deepest_mount_point_holding_it() -> None:
    bench = _benchmark()
    assert bench.file_system(Path("/work/repo"), MOUNTS) == "ext4"
    assert bench.file_system(Path("/tmp"), MOUNTS) == "tmpfs"
    assert bench.file_system(Path("/tmp/x/y"), MOUNTS) == "tmpfs"
    assert bench.file_system(Path("/tmpfolder"), MOUNTS) == "ext4"
    assert bench.file_system(Path("/work/my disk/bench"), MOUNTS) == "xfs"
    assert bench.file_system(Path("/work/x"), "") is None


def test_the_benchmark_writes_on_disk_in_the_temporary_folder_when_it_is_on_disk() -> None:
    place = _benchmark().choose_place(ram=False, given=None, mount_table=MOUNTS, temp=Path("/var/tmp"))
    assert place.folder == Path("/var/tmp")
    assert not place.in_memory
    assert place.describe() == "on disk (ext4)"


def test_a_temporary_folder_in_memory_is_passed_over_for_the_folder_holding_the_repository() -> None:
    repo = Path("/work/my disk/claimledger")
    place = _benchmark().choose_place(ram=False, given=None, mount_table=MOUNTS, temp=Path("/tmp"), repo=repo)
    assert place.folder == Path("/work/my disk")
    assert place.describe() == "on disk (xfs)"


def test_a_folder_given_is_used_as_given_and_said_to_be_in_memory_when_it_is() -> None:
    bench = _benchmark()
    assert bench.choose_place(ram=False, given="/work/b", mount_table=MOUNTS, temp=Path("/tmp")).folder == Path(
        "/work/b"
    )
    place = bench.choose_place(ram=False, given="/dev/shm/b", mount_table=MOUNTS, temp=Path("/var/tmp"))
    assert place.folder == Path("/dev/shm/b")
    assert place.in_memory
    assert place.describe() == "in memory (tmpfs)"


def test_the_arguments_default_to_builds_at_three_sizes_and_a_check_only_at_50000_claims() -> None:
    args = _benchmark().build_parser().parse_args([])
    assert args.sizes == [100, 1000, 10000]
    assert args.check_sizes == [50000]
    assert (args.dir, args.ram, args.no_save, args.pieces) == (None, False, False, None)


def test_the_arguments_name_sizes_folders_and_pieces() -> None:
    parser = _benchmark().build_parser()
    args = parser.parse_args(["--sizes", "100", "--check-sizes", "", "--no-save", "--tmp", "/work/b"])
    assert (args.sizes, args.check_sizes, args.no_save, args.dir) == ([100], [], True, "/work/b")
    assert parser.parse_args(["--dir", "/work/b"]).dir == "/work/b"
    assert parser.parse_args(["--ram"]).ram
    assert parser.parse_args(["--pieces"]).pieces.split(",") == [*SPEED_PIECES, *_benchmark().PATCHES]
    assert parser.parse_args(["--pieces", "parallel"]).pieces == "parallel"


@pytest.mark.parametrize("argv", [["--ram", "--dir", "/work/b"], ["--sizes", "ten"], ["--sizes", "0"]])
def test_arguments_that_contradict_or_are_not_counts_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
        _benchmark().build_parser().parse_args(argv)


def test_an_engine_named_that_is_not_installed_is_refused() -> None:
    bench = _benchmark()
    mkdocs = ENGINES["mkdocs"]
    assert bench.chosen_engines(None, [mkdocs]) == [mkdocs]
    assert bench.chosen_engines("mkdocs", [mkdocs]) == [mkdocs]
    with pytest.raises(ValueError, match="not installed here or no such engine: nothing"):
        bench.chosen_engines("mkdocs,nothing", [mkdocs])


def test_a_build_is_incremental_where_its_help_names_full() -> None:
    has_flag = _benchmark().has_flag
    assert has_flag("usage: claimledger build [--site-dir SITE_DIR] [--full]", "--full")
    assert has_flag("  --full      rebuild every page", "--full")
    assert not has_flag("  --fuller\n  --full-site\n  --no-full", "--full")


def test_each_edit_marks_the_claim_and_the_template_anew(tmp_path: Path) -> None:
    bench = _benchmark()
    project = write_site_project(tmp_path / "p", 3)
    bench.write_theme_folder(project, allowed=True)
    claim = project / "claims" / "claims" / "claim-00000.yaml"
    assert bench.edit_one_claim(project, 1) == "Synthetic claim 0 says (edit 1)"
    assert bench.edit_one_claim(project, 2) == "Synthetic claim 0 says (edit 2)"
    assert "says (edit 2) a figure" in claim.read_text(encoding="utf-8")
    footer = project / "overrides" / "partials" / "copyright.html"
    assert bench.edit_template(project, 3) == f"{bench.FOOTER_TEXT} (edit 3)"
    assert footer.read_text(encoding="utf-8").count("(edit") == 1


def test_the_theme_folder_is_allowed_in_the_claims_site_and_named_in_the_bare_one() -> None:
    bench = _benchmark()
    ours = bench.with_theme_folder(site_config(), allowed=True)
    assert "  custom_dir: overrides\n" in ours
    assert "  - claimledger:\n      allow:\n        custom_dir: [overrides]\n" in ours
    bare = bench.with_theme_folder(bench.bare_config(), allowed=False)
    assert "  custom_dir: overrides\n" in bare
    assert "claimledger" not in bare.split("\nplugins:")[1].split("\n\n")[0]
    with pytest.raises(ValueError, match="no longer has the theme and plugin lines"):
        bench.with_theme_folder("theme: material\n", allowed=True)


def test_the_claims_site_with_the_theme_folder_builds_and_shows_an_edited_footer_on_every_page(tmp_path: Path) -> None:
    bench = _benchmark()
    project = write_site_project(tmp_path / "p", 30)
    bench.write_theme_folder(project, allowed=True)
    footer = bench.edit_template(project, 1)
    site = tmp_path / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stdout + result.stderr
    pages = [page.parent.relative_to(site).as_posix() + "/" for page in site.rglob("index.html")]
    assert len(pages) > 30
    assert bench.not_showing(site, [page.removeprefix("./") for page in pages], footer) == []
    assert bench.not_showing(site, ["", "claims/claim-00000/"], "(edit 2)") == ["the home page", "claims/claim-00000/"]


def test_the_bare_site_with_the_theme_folder_builds_strictly(tmp_path: Path) -> None:
    bench = _benchmark()
    bench.write_bare(tmp_path, 20)
    bench.write_theme_folder(tmp_path, allowed=False)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert bench.FOOTER_TEXT in (tmp_path / "site" / "pages" / "page-00000" / "index.html").read_text(encoding="utf-8")


def _check(claims: int, peak_mb: int) -> dict[str, object]:
    return {"claims": claims, "check_s": 1.0, "check_peak_mb": peak_mb, "check_peak_kb": peak_mb * 1024}


def test_the_memory_each_claim_adds_is_given_between_successive_sizes() -> None:
    grown = _benchmark().with_growth([_check(10000, 110), _check(1000, 20), _check(100, 11)])
    assert [row["claims"] for row in grown] == [100, 1000, 10000]
    assert "kb_per_claim" not in grown[0]
    assert (grown[1]["kb_per_claim"], grown[1]["since"]) == (10.2, 100)
    assert (grown[2]["kb_per_claim"], grown[2]["since"]) == (10.2, 1000)


def _build(claims: int, ratio: float, share: float, peak: int) -> dict[str, object]:
    return {
        "engine": "mkdocs",
        "claims": claims,
        "ratio": ratio,
        "rebuild_share": share,
        "build_peak_mb": peak,
        "rebuild_peak_mb": peak - 10,
        "template_rebuild_peak_mb": peak - 5,
    }


def _judged(checks: list[dict[str, object]], builds: list[dict[str, object]]) -> dict[str, tuple[object, ...]]:
    """Each target judged: at which size, the figure and the verdict."""
    return {
        row["target"]: (row["claims"], row["figure"], row["verdict"]) for row in _benchmark().verdicts(checks, builds)
    }


def test_the_targets_are_judged_at_10000_claims_for_builds_and_50000_for_the_check() -> None:
    checks = [_check(1000, 40), _check(10000, 130), _check(50000, 290)]
    builds = [_build(1000, 0.9, 0.5, 300), _build(10000, 0.55, 0.12, 190)]
    assert _judged(checks, builds) == {
        "full build / bare MkDocs": (10000, "0.55", "met"),
        "build after editing one claim / full build": (10000, "12.0 %", "**not met**"),
        "peak memory of a build": (10000, "190 MB", "met"),
        "peak memory of a check": (50000, "290 MB", "met"),
        "check's memory linear": (
            50000,
            "4.1 KB a claim from 10,000 claims on, 10.2 KB from 1,000 to 10,000",
            "met",
        ),
    }


def test_memory_that_grows_faster_per_claim_at_the_largest_size_is_not_linear() -> None:
    judged = _judged([_check(1000, 40), _check(10000, 130), _check(50000, 751)], [])
    assert judged["check's memory linear"][2] == "**not met**"
    assert judged["peak memory of a check"][2] == "**not met**"


def test_without_the_target_sizes_the_largest_sizes_measured_are_judged() -> None:
    judged = _judged([_check(100, 30)], [_build(100, 2.0, 0.9, 50), _build(1000, 0.5, 0.05, 60)])
    assert judged == {
        "full build / bare MkDocs": (1000, "0.5", "met"),
        "build after editing one claim / full build": (1000, "5.0 %", "met"),
        "peak memory of a build": (1000, "60 MB", "met"),
        "peak memory of a check": (100, "30 MB", "met"),
    }


def test_the_results_page_shows_the_storage_the_loads_the_shares_the_targets_and_a_stale_rebuild() -> None:
    bench = _benchmark()
    machine = {
        "cpu": "CPU",
        "cores": 2,
        "memory_gib": 4,
        "python": "3.11",
        "date": "2026-01-01",
        "written_to": "/work/b",
        "storage": "on disk (ext4)",
        "load_at_start": 1.5,
        "load_at_end": 2.5,
    }
    build = {
        **_build(10000, 0.7, 0.08, 180),
        "incremental": True,
        "template_rebuild_share": 0.95,
        "stale": ["the edited template on the home page"],
    }
    page = bench.report({"builds": {"machine": machine, "checks": [_check(10000, 130)], "results": [build]}})
    assert "load average 1.5 at the start, 2.5 at the end; files written to `/work/b`, on disk (ext4)" in page
    assert "| mkdocs | 10000 |" in page
    assert "| 8.0 |" in page and "| 95.0 |" in page
    assert "`claimledger build` has `--full` here" in page
    assert (
        "**mkdocs at 10,000 claims: the build after an edit did not show the edited template on the home page**" in page
    )
    assert "| full build / bare MkDocs | mkdocs | 10000 | 0.7 | at most 0.6 | **not met** |" in page
