"""Scale benchmark: synthetic datasets of several sizes, built by each site engine, against a bare
MkDocs build of as many pages; and what each speed piece buys.

For each size it prints and records: the time of ``claimledger check``; for each engine of
:data:`claimledger.engines.ENGINES` that is installed (one that is not is skipped, with a note), the
time and peak memory of a full ``claimledger build --engine NAME`` and of a rebuild after editing one
claim, the site's size, the bytes of one claim page and the search index; and the same build of
plain markdown pages with the same theme configuration by bare MkDocs, so that the ratio of the two
is measured in the same run on the same machine.

``--pieces`` measures instead what each speed piece (:data:`claimledger.settings.SPEED_PIECES`)
buys: paired runs with the piece and without it, taking turns, at each size.

Run it with ``scripts/bench`` (``--sizes 100,1000`` for a quicker run). Each run records what it
measured in ``benchmarks/results.json`` (what it did not measure stays as it was there) and writes
``benchmarks/RESULTS.md`` from it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from claimledger.engines import ENGINES, EngineEntry  # noqa: E402
from claimledger.settings import SPEED_PIECES  # noqa: E402
from claimledger.tools.synthetic import VOCABULARY, site_config, write_site_project  # noqa: E402

RESULTS_JSON = REPO / "benchmarks" / "results.json"
RESULTS_MD = REPO / "benchmarks" / "RESULTS.md"


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # user and system time of the command and of every process it waited for
    main_cpu_seconds: float  # of the command's own process alone: the work no other core can take over
    peak_mb: int  # peak resident memory of the largest of those processes


# Runs ``python -m MODULE ARGS`` in its own process, as ``python -m`` does, and says its wall time, the
# CPU time of that process and of the processes it waited for, its peak memory, and its exit status.
PROBE = """\
import os, resource, runpy, sys, time
sys.argv = sys.argv[1:]
start = time.perf_counter()
for piece in filter(None, os.environ.get("BENCH_PATCHED_OUT", "").split(",")):
    exec(PATCHES[piece])
code = 0
try:
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
elapsed = time.perf_counter() - start
me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime
print(elapsed, cpu + children.ru_utime + children.ru_stime, cpu, max(me.ru_maxrss, children.ru_maxrss), code,
      file=sys.stderr)
"""


# Speed pieces that have no setting, turned off inside the measured process (after the clock starts, so
# that the imports weigh on both sides) by replacing what they call.
PATCHES: dict[str, str] = {
    "libyaml": "import claimledger.record.yamlsafe as m; m._HAS_LIBYAML = False",
    "fast-validation": (
        "import claimledger.record.schema as m\n"
        "class Never:\n    def is_valid(self, data): raise ValueError\n"
        "m._fast_validator = lambda definition: Never()"
    ),
    "gc-tuning": "import gc; gc.disable = gc.freeze = lambda: None",
}


def measure(command: list[str], cwd: Path, *, cache: bool = False, without: str = "") -> Run:
    """One run of ``python -m MODULE ARGS`` (``command``) in a fresh process, with the caches (``cache``)
    or without, and the speed pieces named in ``without`` turned off."""
    if command[:2] != [sys.executable, "-m"]:
        raise ValueError(f"not a python -m command: {command}")
    named = [piece for piece in without.split(",") if piece]
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "CI": "true",
        "CLAIMLEDGER_NO_CACHE": "0" if cache else "1",
        "CLAIMLEDGER_WITHOUT": ",".join(piece for piece in named if piece not in PATCHES),
        "BENCH_PATCHED_OUT": ",".join(piece for piece in named if piece in PATCHES),
    }
    probe = f"PATCHES = {PATCHES!r}\n{PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", probe, *command[2:]], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed, cpu, main_cpu, peak, code = result.stderr.strip().splitlines()[-1].split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return Run(float(elapsed), float(cpu), float(main_cpu), int(peak) // 1024)


def runs(repeat: int, command: list[str], cwd: Path, *, cache: bool = False) -> list[Run]:
    """``repeat`` runs of the command, one after the other."""
    return [measure(command, cwd, cache=cache) for _ in range(repeat)]


def bare_config() -> str:
    """The synthetic projects' site configuration, nav included, without the claimledger plugin;
    the plain pages that stand for the item pages are out of the nav, as the item pages are."""
    config = site_config().replace("  - claimledger\n", "")
    return config.replace("\nvalidation:", "\nnot_in_nav: |\n  /pages/\n\nvalidation:", 1)


def nav_pages() -> list[str]:
    """The pages the site configuration's nav names (index.md, claims/index.md, dashboard.md, ...)."""
    nav = site_config().split("\nnav:\n")[1].split("\n\n")[0]
    return [line.split(": ", 1)[1].strip() for line in nav.splitlines() if ": " in line]


def _plain_page(rng: random.Random, title: str, home: str) -> str:
    """About forty lines of markdown: a title, paragraphs, sections, a list and a link."""
    lines = [f"# {title}", ""]
    for paragraph in range(12):
        lines += [" ".join(rng.choice(VOCABULARY) for _ in range(14)) + ".", ""]
        if paragraph % 4 == 0:
            lines += [f"## Section {paragraph}", ""]
    lines += ["- one item", "- another item", "", f"[Home]({home})"]
    return "\n".join(lines) + "\n"


def write_bare(root: Path, pages: int) -> None:
    """A bare MkDocs site of ``pages`` pages in all: one plain page for each page the nav names,
    and plain pages of about forty lines, out of the nav, for the rest."""
    rng = random.Random(11)
    docs = root / "docs"
    in_nav = nav_pages()
    for name in in_nav:
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        home = "../" * name.count("/") + "index.md"
        path.write_text(_plain_page(rng, path.stem.title(), home), encoding="utf-8")
    folder = docs / "pages"
    folder.mkdir(parents=True)
    for number in range(pages - len(in_nav)):
        page = _plain_page(rng, f"Page {number}", "../index.md")
        (folder / f"page-{number:05d}.md").write_text(page, encoding="utf-8")
    (root / "mkdocs.yml").write_text(bare_config(), encoding="utf-8")


def repeats(claims: int) -> int:
    """Rounds per build measurement: more for the quick sizes, where noise weighs most (a build of 100
    claims takes about a second, and this machine's speed varies by a third from one second to the next)."""
    return 15 if claims <= 100 else 5 if claims <= 1000 else 3


CHECK_REPEATS = 7  # a check takes seconds at most: the fastest of seven at every size


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def installed_engines(entries: Iterable[EngineEntry] = ENGINES.values()) -> tuple[list[EngineEntry], list[str]]:
    """The engines of the registry whose package is installed here, and a note for each that is not."""
    found, notes = [], []
    for entry in entries:
        if importlib.util.find_spec(entry.requires) is None:
            install = f"pip install 'claimledger[{entry.extra}]'" if entry.extra else "pip install claimledger"
            notes.append(f"{entry.name}: not installed here, skipped ({install})")
        else:
            found.append(entry)
    return found, notes


def synthetic_project(claims: int, work: Path, name: str) -> Path:
    """A synthetic project of ``claims`` claims, committed to a fresh git repository."""
    project = write_site_project(work / name, claims)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "Synthetic dataset"],
    ):
        subprocess.run(["git", *args], cwd=project, check=True)
    return project


def edit_one_claim(project: Path, turn: int) -> None:
    """Change the statement of the first claim (differently at each turn), as a contributor would."""
    claim = project / "claims" / "claims" / "claim-00000.yaml"
    text = re.sub(r"Synthetic claim 0 says( \(edit \d+\))?", f"Synthetic claim 0 says (edit {turn})", claim.read_text())
    claim.write_text(text, encoding="utf-8")


def median_ratio(ours: list[Run], theirs: list[Run], *, cpu: bool = False) -> float:
    """The median, over the rounds, of one run's time against the other's taken next to it."""
    if cpu:
        return statistics.median(a.cpu_seconds / b.cpu_seconds for a, b in zip(ours, theirs, strict=True))
    return statistics.median(a.seconds / b.seconds for a, b in zip(ours, theirs, strict=True))


def run_size(claims: int, work: Path, engines: list[EngineEntry]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The check's figures, and one row per engine, at ``claims`` claims."""
    project = synthetic_project(claims, work, f"claims-{claims}")
    claimledger = [sys.executable, "-m", "claimledger"]
    repeat = repeats(claims)
    check = runs(CHECK_REPEATS, [*claimledger, "check"], project)  # every file parsed
    measure([*claimledger, "check"], project, cache=True)  # fills the item cache
    warm = runs(CHECK_REPEATS, [*claimledger, "check"], project, cache=True)
    check_row = {
        "claims": claims,
        "check_s": round(min(r.seconds for r in check), 2),
        "check_cached_s": round(min(r.seconds for r in warm), 2),
        "check_peak_mb": max(r.peak_mb for r in check),
    }
    bare, bare_site = work / f"bare-{claims}", work / f"bare-site-{claims}"
    theirs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(bare_site)]
    sites = {entry.name: work / f"site-{claims}-{entry.name}" for entry in engines}
    ours = {name: [*claimledger, "build", "--engine", name, "--site-dir", str(site)] for name, site in sites.items()}
    # The builds take turns, so that all meet the same conditions on a shared machine: each engine
    # from scratch (no cache, as on a fresh machine), the bare site, and each engine again after one
    # claim is edited, with the caches the previous build left (parsed claims, compiled templates),
    # as a contributor rebuilds, or a CI that keeps its cache.
    full: dict[str, list[Run]] = {name: [] for name in sites}
    rebuilt: dict[str, list[Run]] = {name: [] for name in sites}
    bare_runs: list[Run] = []
    pages = 0
    for turn in range(repeat):
        for name in sites:
            full[name].append(measure(ours[name], project))
        if turn == 0:  # the bare site gets as many pages as the mkdocs site has, nav pages included
            pages = sum(1 for _ in next(iter(sites.values())).rglob("index.html"))
            bare.mkdir()
            write_bare(bare, pages)
            for name in sites:
                measure(ours[name], project, cache=True)  # fills the caches
        bare_runs.append(measure(theirs, bare))
        edit_one_claim(project, turn)
        for name in sites:
            rebuilt[name].append(measure(ours[name], project, cache=True))
    rows = []
    for name, site in sites.items():
        page_sizes = [p.stat().st_size for p in sorted((site / "claims").glob("claim-*/index.html"))]
        index = site / "search" / "search_index.json"
        rows.append(
            {
                "engine": name,
                "claims": claims,
                "pages": sum(1 for _ in site.rglob("index.html")),
                "build_s": round(min(r.seconds for r in full[name]), 2),
                "build_peak_mb": max(r.peak_mb for r in full[name]),
                "bare_build_s": round(min(r.seconds for r in bare_runs), 2),
                "bare_peak_mb": max(r.peak_mb for r in bare_runs),
                # Each ratio pairs runs taken one after the other, which a slow moment of the machine
                # slows alike; the median of the pairs is kept.
                "ratio": round(median_ratio(full[name], bare_runs), 2),
                "rebuild_s": round(min(r.seconds for r in rebuilt[name]), 2),
                "rebuild_peak_mb": max(r.peak_mb for r in rebuilt[name]),
                "ratio_rebuild": round(median_ratio(rebuilt[name], bare_runs), 2),
                "site_mb": round(folder_size(site) / 1e6, 1),
                "bare_site_mb": round(folder_size(bare_site) / 1e6, 1),
                "claim_page_bytes_mean": round(sum(page_sizes) / len(page_sizes)) if page_sizes else 0,
                "search_index_mb": round(index.stat().st_size / 1e6, 2) if index.is_file() else None,
                "bare_search_index_mb": round((bare_site / "search" / "search_index.json").stat().st_size / 1e6, 2),
            }
        )
    return check_row, rows


@dataclass(frozen=True)
class Trial:
    """How one speed piece is measured: the command it speeds up, with the caches or without, and
    the pieces turned off on both sides of the pair (so that only ``piece`` differs)."""

    piece: str
    command: str  # "check" or "build"
    cached: bool
    also_without: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.command}{', cached' if self.cached else ', from scratch'}"


TRIALS = (
    Trial("item-cache", "check", cached=True),
    Trial("item-cache", "build", cached=True),
    Trial("template-cache", "build", cached=True),
    Trial("parallel", "check", cached=False),
    Trial("parallel", "build", cached=False),
    Trial("libyaml", "check", cached=False),
    Trial("fast-validation", "check", cached=False),
    Trial("gc-tuning", "check", cached=False),
    Trial("gc-tuning", "build", cached=False),
)
"""Each piece where it acts: the caches on a second run, the forked processes from scratch."""


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def run_pieces(
    claims: int,
    work: Path,
    pieces: Iterable[str] = SPEED_PIECES,
    pairs: int | None = None,
    timed: Iterable[str] = ("check", "build"),
) -> list[dict[str, Any]]:
    """Paired runs with each speed piece and without it, taking turns (which goes first alternates)."""
    project = synthetic_project(claims, work, f"pieces-{claims}")
    site = work / f"pieces-site-{claims}"
    commands = {
        name: command
        for name, command in {
            "check": [sys.executable, "-m", "claimledger", "check"],
            "build": [sys.executable, "-m", "claimledger", "build", "--site-dir", str(site)],
        }.items()
        if name in timed
    }
    measure(commands.get("build") or commands["check"], project, cache=True)  # fills the caches
    rows = []
    for trial in TRIALS:
        if trial.piece not in pieces or trial.command not in commands:
            continue
        also = [piece for piece in trial.also_without if piece in SPEED_PIECES]
        with_piece, without_piece = ",".join(also), ",".join([*also, trial.piece])
        on: list[Run] = []
        off: list[Run] = []
        for turn in range(pairs or repeats(claims)):
            sides = [(on, with_piece), (off, without_piece)]
            for side, without in sides if turn % 2 == 0 else reversed(sides):
                side.append(measure(commands[trial.command], project, cache=trial.cached, without=without))
        wall = [a.seconds / b.seconds for a, b in zip(on, off, strict=True)]
        cpu = [a.cpu_seconds / b.cpu_seconds for a, b in zip(on, off, strict=True)]
        main = [a.main_cpu_seconds / b.main_cpu_seconds for a, b in zip(on, off, strict=True)]
        row = {
            "piece": trial.piece,
            "run": trial.label,
            "claims": claims,
            "rounds": len(on),
            "with_s": round(statistics.median(r.seconds for r in on), 2),
            "without_s": round(statistics.median(r.seconds for r in off), 2),
            "ratio": round(statistics.median(wall), 3),
            "ratio_spread": spread(wall),
            "gain_percent": round(100 * (1 - statistics.median(wall)), 1),
            "cpu_ratio": round(statistics.median(cpu), 3),
            "cpu_ratio_spread": spread(cpu),
            "main_cpu_ratio": round(statistics.median(main), 3),
            "main_cpu_ratio_spread": spread(main),
            "with_peak_mb": max(r.peak_mb for r in on),
            "without_peak_mb": max(r.peak_mb for r in off),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    return rows


def serve_edit_seconds(claims: int, work: Path, entry: EngineEntry, *, dirty: bool) -> float:
    """Under the engine's ``serve``, the time from saving an edited claim to the new page being served."""
    import socket
    import urllib.request

    project = write_site_project(work / f"serve-{claims}-{entry.name}-{'dirty' if dirty else 'full'}", claims)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    preview = entry.preview.split()
    command = [sys.executable, "-m", *preview, "-a", f"127.0.0.1:{port}", *(["--dirty"] if dirty else [])]
    server = subprocess.Popen(
        command,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    page = f"http://127.0.0.1:{port}/claims/claim-00000/"

    def served() -> str:
        try:
            with urllib.request.urlopen(page, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 600
        while "Synthetic claim 0 says" not in served():
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"{entry.preview} did not come up")
            time.sleep(0.2)
        time.sleep(1.0)  # let the watcher settle after the first build
        claim = project / "claims" / "claims" / "claim-00000.yaml"
        claim.write_text(
            claim.read_text(encoding="utf-8").replace("Synthetic claim 0 says", "Edited claim 0 says"), encoding="utf-8"
        )
        start = time.monotonic()
        while "Edited claim 0 says" not in served():
            if time.monotonic() - start > 600:
                raise SystemExit("the edit never showed")
            time.sleep(0.05)
        return time.monotonic() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(project, ignore_errors=True)


SERVES = ("mkdocs", "properdocs")
"""The engines whose preview serves the site with live reload and ``--dirty``, as ``mkdocs serve``."""


def ram_folder() -> str | None:
    """A folder in memory to write the benchmark's files to, if the machine has one with room.

    On this machine, creating a file on disk takes from 0.05 ms to 1.6 ms depending on the folder it
    is created in; a build writes thousands, so where each build happened to write weighed on a ratio
    more than the build itself. In memory, both builds write at the same speed."""
    folder = Path("/dev/shm")
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    room = stats.f_bavail * stats.f_frsize
    return str(folder) if os.access(folder, os.W_OK) and room > 4 * 2**30 else None


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else ""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from importlib import metadata

    versions = {}
    for package in ("mkdocs", "mkdocs-material", *(entry.requires for entry in ENGINES.values())):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    try:
        load = round(os.getloadavg()[0], 1)
    except OSError:
        load = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "load_at_start": load,
        "python": platform.python_version(),
        "versions": versions,
        "system": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }


CHECK_COLUMNS = [
    ("claims", "claims"),
    ("check_s", "check (s)"),
    ("check_cached_s", "check, cached (s)"),
    ("check_peak_mb", "check peak (MB)"),
]
BUILD_COLUMNS = [
    ("engine", "engine"),
    ("claims", "claims"),
    ("pages", "pages"),
    ("build_s", "full build (s)"),
    ("build_peak_mb", "build peak (MB)"),
    ("bare_build_s", "bare MkDocs (s)"),
    ("ratio", "build / bare (median of pairs)"),
    ("rebuild_s", "rebuild after editing one claim (s)"),
    ("rebuild_peak_mb", "rebuild peak (MB)"),
    ("ratio_rebuild", "rebuild / bare (median of pairs)"),
    ("site_mb", "site (MB)"),
    ("claim_page_bytes_mean", "bytes per claim page"),
    ("search_index_mb", "search index (MB)"),
    ("bare_search_index_mb", "bare search index (MB)"),
]
PIECE_COLUMNS = [
    ("piece", "piece"),
    ("status", "now"),
    ("run", "run"),
    ("claims", "claims"),
    ("rounds", "pairs"),
    ("with_s", "with (s, median)"),
    ("without_s", "without (s, median)"),
    ("ratio", "with / without (median of pairs)"),
    ("ratio_spread", "spread of the pairs"),
    ("gain_percent", "gain (%)"),
    ("cpu_ratio", "CPU time with / without"),
    ("cpu_ratio_spread", "CPU spread"),
    ("main_cpu_ratio", "main process's CPU time with / without"),
    ("main_cpu_ratio_spread", "its spread"),
    ("with_peak_mb", "peak with (MB)"),
    ("without_peak_mb", "peak without (MB)"),
]


def table(columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(title for _, title in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(key, "")) for key, _ in columns) + " |" for row in rows]
    return "\n".join(lines)


def _machine_line(info: dict[str, Any]) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in info.get("versions", {}).items())
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; Python {info['python']}; {versions}; "
        f"{info['date']}; load average {info.get('load_at_start')} at the start; files written to "
        f"`{info['written_to']}`"
    )


def _status(piece: str) -> str:
    return "kept" if piece in SPEED_PIECES or piece in PATCHES else "removed"


def merge_pieces(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of an earlier run, each replaced by the new run's row of the same piece, run and size."""

    def key(row: dict[str, Any]) -> tuple[str, str, int]:
        return row["piece"], row["run"], row["claims"]

    fresh = {key(row): row for row in new}
    kept = [fresh.pop(key(row), row) for row in old]
    return [*kept, *fresh.values()]


def report(results: dict[str, Any]) -> str:
    """benchmarks/RESULTS.md, from what results.json holds."""
    parts = [
        "# Benchmark results\n",
        "Written by `scripts/bench` from `results.json`; the README says how it measures.\n",
    ]
    builds = results.get("builds")
    if builds:
        parts += [f"## Check and build, per engine\n\nMachine: {_machine_line(builds['machine'])}.\n"]
        parts += [table(CHECK_COLUMNS, builds["checks"]) + "\n", table(BUILD_COLUMNS, builds["results"]) + "\n"]
        parts += [f"- {note}\n" for note in builds.get("skipped", [])]
        for serve in builds.get("serve_edit_seconds", []):
            parts.append(
                f"\n`{serve['preview']}` at {serve['claims']} claims, from saving an edited claim to its new "
                f"page being served: {serve['dirty']} s with `--dirty`, {serve['full']} s without.\n"
            )
    pieces = results.get("pieces")
    if pieces:
        parts += [
            f"\n## What each speed piece buys\n\nMachine: {_machine_line(pieces['machine'])}.\n",
            *(
                f"{number}. {run['date']}, load average {run['load_at_start']} at the start: "
                f"{', '.join(run['pieces'])} at {', '.join(f'{size:,}' for size in run['sizes'])} claims"
                f"{'; ' + run['note'] if run.get('note') else ''}\n"
                for number, run in enumerate(pieces.get("runs", []), 1)
            ),
            "\nEach row comes from the last of these runs that measured its piece at its size. "
            "Paired runs of the same command with the piece and without it, taking turns (which goes "
            "first alternates); a ratio under 1 is a gain. CPU time counts every process the command "
            "waited for: a piece that works on the other core buys wall time at the cost of CPU time. The "
            "main process's CPU time leaves out the processes it forked: on a machine with a core to spare, "
            "it is about the wall time of a piece that hands work to another core.\n",
            table(PIECE_COLUMNS, [{**row, "status": _status(row["piece"])} for row in pieces["results"]]) + "\n",
        ]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="claim counts, comma-separated")
    parser.add_argument("--no-save", action="store_true", help="print only; do not update benchmarks/results.*")
    parser.add_argument(
        "--serve-claims", type=int, default=1000, help="claims for the serve edit measurement (0 to skip)"
    )
    parser.add_argument(
        "--pieces",
        nargs="?",
        const=",".join([*SPEED_PIECES, *PATCHES]),
        help=f"measure what each speed piece buys instead of the engines' builds: those named, comma-separated "
        f"({', '.join([*SPEED_PIECES, *PATCHES])}; all without a list)",
    )
    parser.add_argument(
        "--without",
        default="",
        help=f"speed pieces turned off in every claimledger run, comma-separated ({', '.join(SPEED_PIECES)})",
    )
    parser.add_argument(
        "--commands", default="check,build", help="with --pieces: the commands timed (check, build or both)"
    )
    parser.add_argument("--pairs", type=int, help="with --pieces: pairs of runs at every size (default: 15, 5, 3)")
    parser.add_argument("--tmp", help="where the projects and sites are written (default: the temporary folder)")
    parser.add_argument(
        "--ram", action="store_true", help="write them in memory instead (/dev/shm, where it is a RAM folder with room)"
    )
    args = parser.parse_args()
    if args.ram:
        args.tmp = ram_folder()
    sizes = [int(size) for size in args.sizes.split(",")]
    # Byte-compile the package first, as an installed one is: a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise compile claimledger's source again in every run measured.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "claimledger")], check=True)
    info = {**machine(), "written_to": args.tmp or tempfile.gettempdir()}
    stored = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.is_file() else {}
    results = {key: stored[key] for key in ("builds", "pieces") if key in stored}  # what this run leaves alone
    with tempfile.TemporaryDirectory(prefix="claimledger-bench-", dir=args.tmp) as tmp:
        os.environ["CLAIMLEDGER_CACHE_DIR"] = str(Path(tmp) / "cache")  # starts empty; the user's is untouched
        if args.pieces:
            pieces = [piece for piece in args.pieces.split(",") if piece]
            unknown = set(pieces) - {*SPEED_PIECES, *PATCHES}
            if unknown:
                parser.error(f"no such speed piece: {', '.join(sorted(unknown))}")
            timed = args.commands.split(",")
            rows = [row for size in sizes for row in run_pieces(size, Path(tmp), pieces, args.pairs, timed)]
            earlier = results.get("pieces", {}).get("results", [])
            run = {"date": info["date"], "load_at_start": info["load_at_start"], "pieces": pieces, "sizes": sizes}
            runs = [*results.get("pieces", {}).get("runs", []), run]
            results["pieces"] = {"machine": info, "runs": runs, "results": merge_pieces(earlier, rows)}
            print("\n" + table(PIECE_COLUMNS, rows))
        else:
            if args.without:
                os.environ["CLAIMLEDGER_WITHOUT"] = args.without
            engines, skipped = installed_engines()
            for note in skipped:
                print(note, flush=True)
            checks, builds = [], []
            for size in sizes:
                check_row, rows = run_size(size, Path(tmp), engines)
                checks.append(check_row)
                builds.extend(rows)
                print(json.dumps(check_row), *(json.dumps(row) for row in rows), sep="\n", flush=True)
                for folder in Path(tmp).iterdir():
                    if folder.name != "cache":
                        shutil.rmtree(folder, ignore_errors=True)
            serves = []
            if args.serve_claims:
                for entry in engines:
                    if entry.name not in SERVES:
                        continue
                    serve = {"engine": entry.name, "preview": entry.preview, "claims": args.serve_claims}
                    for dirty in (True, False):
                        seconds = serve_edit_seconds(args.serve_claims, Path(tmp), entry, dirty=dirty)
                        serve["dirty" if dirty else "full"] = round(seconds, 2)
                    serves.append(serve)
                    print(json.dumps(serve), flush=True)
            results["builds"] = {
                "machine": {**info, "without": args.without},
                "checks": checks,
                "results": builds,
                "skipped": skipped,
                "serve_edit_seconds": serves,
            }
            print("\n" + table(CHECK_COLUMNS, checks) + "\n\n" + table(BUILD_COLUMNS, builds))
    print(f"\nMachine: {info}")
    if not args.no_save:
        RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        RESULTS_MD.write_text(report(results), encoding="utf-8")
        print(f"\nwrote {RESULTS_JSON.relative_to(REPO)} and {RESULTS_MD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
