"""The benchmark (benchmarks/run.py, not a test itself) measures every engine and every speed piece."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from claimledger.engines import ENGINES, EngineEntry
from claimledger.settings import SPEED_PIECES

from .conftest import REPO


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
