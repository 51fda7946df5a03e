"""Scale benchmark: synthetic datasets of several sizes, built by each site engine, against a bare
MkDocs build of as many pages; and what each speed piece buys.

For each size it prints and records: the time and peak memory of ``claimledger check`` (and, between
sizes, the memory each claim adds); for each engine of :data:`claimledger.engines.ENGINES` that is
installed (one that is not is skipped, with a note), the time and peak memory of a full ``claimledger
build --engine NAME``, of a build after editing one claim and of a build after editing a template of the
site's theme folder, the site's size, the bytes of one claim page and the search index; and the same
build of plain markdown pages with the same theme configuration by bare MkDocs, taking turns with each
engine, so that the ratio of the two is measured in the same run on the same machine. Sizes given with
``--check-sizes`` (50,000 claims by default) are only checked. Each figure is set beside the target it is
judged by (met or not; a target missed never fails the run).

It writes on disk by default, as users build: in the temporary folder where that is on disk, else next
to the repository (``--dir`` to choose, ``--ram`` for a folder in memory).

``--pieces`` measures instead what each speed piece (:data:`claimledger.settings.SPEED_PIECES`)
buys: paired runs with the piece and without it, taking turns, at each size.

Run it with ``scripts/bench`` (``--sizes 100,1000 --check-sizes ''`` for a quicker run). Each run
records what it measured in ``benchmarks/results.json`` (what it did not measure stays as it was there)
and writes ``benchmarks/RESULTS.md`` from it.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
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
    peak_kb: int  # peak resident memory of the largest of those processes

    @property
    def peak_mb(self) -> int:
        return self.peak_kb // 1024


# Runs ``python -m MODULE ARGS`` in its own process, as ``python -m`` does, and says its wall time, the
# CPU time of that process and of the processes it waited for, its peak memory, and its exit status.
PROBE = """\
import os, resource, runpy, sys, time
sys.argv = sys.argv[1:]
start = time.perf_counter()
for piece in filter(None, os.environ.get("BENCH_PATCHED_OUT", "").split(",")):
    exec(PATCHES[piece])
code = 0
_main, _real_exit = os.getpid(), os._exit
def _exit(status):  # claimledger ends with os._exit (cli.run): measured to there, as any other end; a forked
    if os.getpid() != _main:  # process's own end is its own
        _real_exit(status)
    raise SystemExit(status)
os._exit = _exit
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


def measure(command: list[str], cwd: Path, *, cache: bool | Path = False, without: str = "") -> Run:
    """One run of ``python -m MODULE ARGS`` (``command``) in a fresh process, with the caches (``cache``:
    the benchmark's cache folder, or the folder given) or without, and the speed pieces named in
    ``without`` turned off."""
    if command[:2] != [sys.executable, "-m"]:
        raise ValueError(f"not a python -m command: {command}")
    named = [piece for piece in without.split(",") if piece]
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "CI": "true",
        "CLAIMLEDGER_NO_CACHE": "0" if cache else "1",
        **({"CLAIMLEDGER_CACHE_DIR": str(cache)} if isinstance(cache, Path) else {}),
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
    return Run(float(elapsed), float(cpu), float(main_cpu), int(peak))


def runs(repeat: int, command: list[str], cwd: Path, *, cache: bool = False, without: str = "") -> list[Run]:
    """``repeat`` runs of the command, one after the other."""
    return [measure(command, cwd, cache=cache, without=without) for _ in range(repeat)]


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


def check_repeats(claims: int) -> int:
    """Runs of a check at each size, the fastest kept: seven up to 10,000 claims (a check takes seconds at
    most there), three above (a check of 50,000 claims takes about half a minute)."""
    return 7 if claims <= 10_000 else 3


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


# The site owner's theme folder in the projects the builds are timed on: a footer of their own on every
# page (Material's copyright partial, which Zensical's templates include too), the template a site owner
# edits to change what every page says.
OVERRIDES = "overrides"
FOOTER = "partials/copyright.html"
FOOTER_TEXT = "Corrections and complaints: corrections@example.org"
CLAIM_TEXT = "Synthetic claim 0 says"  # the start of the first claim's statement, which the claim edit marks


def with_theme_folder(config: str, *, allowed: bool) -> str:
    """A site configuration with ``overrides`` as the theme's ``custom_dir``; ``allowed``: with the claimledger
    plugin's ``allow`` naming it, as the site policy asks (the bare configuration has no such plugin)."""
    theme, plugin = "theme:\n  name: material\n", "  - claimledger\n"
    if theme not in config or (allowed and plugin not in config):
        raise ValueError("the site configuration no longer has the theme and plugin lines the benchmark edits")
    config = config.replace(theme, f"{theme}  custom_dir: {OVERRIDES}\n", 1)
    if allowed:
        config = config.replace(plugin, f"  - claimledger:\n      allow:\n        custom_dir: [{OVERRIDES}]\n", 1)
    return config


def write_theme_folder(root: Path, *, allowed: bool) -> None:
    """The theme folder and its footer template under ``root``, named in ``root/mkdocs.yml``."""
    footer = root / OVERRIDES / FOOTER
    footer.parent.mkdir(parents=True, exist_ok=True)
    footer.write_text(
        f'<div class="md-copyright">\n  <div class="md-copyright__highlight">{FOOTER_TEXT}</div>\n</div>\n',
        encoding="utf-8",
    )
    config = root / "mkdocs.yml"
    config.write_text(with_theme_folder(config.read_text(encoding="utf-8"), allowed=allowed), encoding="utf-8")


def synthetic_project(claims: int, work: Path, name: str, *, theme_folder: bool = False) -> Path:
    """A synthetic project of ``claims`` claims (with the theme folder, if asked), committed to a fresh git
    repository."""
    project = write_site_project(work / name, claims)
    if theme_folder:
        write_theme_folder(project, allowed=True)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "Synthetic dataset"],
    ):
        subprocess.run(["git", *args], cwd=project, check=True)
    return project


def marked(text: str, phrase: str, edit: int) -> str:
    """``text`` with ``(edit N)`` after ``phrase``, in place of the mark an earlier edit left there."""
    return re.sub(rf"{re.escape(phrase)}( \(edit \d+\))?", f"{phrase} (edit {edit})", text)


def edit_one_claim(project: Path, edit: int) -> str:
    """Change the statement of the first claim (differently at each edit), as a contributor would; the text
    its page then shows."""
    claim = project / "claims" / "claims" / "claim-00000.yaml"
    claim.write_text(marked(claim.read_text(encoding="utf-8"), CLAIM_TEXT, edit), encoding="utf-8")
    return f"{CLAIM_TEXT} (edit {edit})"


def edit_template(root: Path, edit: int) -> str:
    """Change the footer of every page in the theme folder (differently at each edit), as a site owner
    would; the text every page then shows."""
    footer = root / OVERRIDES / FOOTER
    footer.write_text(marked(footer.read_text(encoding="utf-8"), FOOTER_TEXT, edit), encoding="utf-8")
    return f"{FOOTER_TEXT} (edit {edit})"


def not_showing(site: Path, pages: Iterable[str], text: str) -> list[str]:
    """The pages of ``site`` (by address: ``""``, ``"claims/claim-00000/"``) that do not show ``text``."""
    stale = []
    for page in pages:
        path = site / page / "index.html"
        if not path.is_file() or text not in path.read_text(encoding="utf-8"):
            stale.append(page or "the home page")
    return stale


def median_ratio(ours: list[Run], theirs: list[Run], *, cpu: bool = False) -> float:
    """The median, over the rounds, of one run's time against the other's taken next to it."""
    if cpu:
        return statistics.median(a.cpu_seconds / b.cpu_seconds for a, b in zip(ours, theirs, strict=True))
    return statistics.median(a.seconds / b.seconds for a, b in zip(ours, theirs, strict=True))


def has_flag(help_text: str, flag: str) -> bool:
    """Whether a command's ``--help`` names ``flag`` (``--full``, not ``--fuller``)."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text) is not None


def build_is_incremental() -> bool:
    """Whether ``claimledger build`` reuses the previous site, which it does where it has ``--full``."""
    command = [sys.executable, "-m", "claimledger", "build", "--help"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return has_flag(result.stdout, "--full")


def run_check(claims: int, project: Path, work: Path, without: str = "") -> dict[str, Any]:
    """The check's figures at ``claims`` claims: from scratch (every file parsed), and with the item cache."""
    command, repeat = [sys.executable, "-m", "claimledger", "check"], check_repeats(claims)
    cache = work / f"check-cache-{claims}"  # empty, then filled by the first run with it
    cold = runs(repeat, command, project, without=without)
    measure(command, project, cache=cache, without=without)
    warm = [measure(command, project, cache=cache, without=without) for _ in range(repeat)]
    shutil.rmtree(cache, ignore_errors=True)
    return {
        "claims": claims,
        "check_s": round(min(r.seconds for r in cold), 2),
        "check_cached_s": round(min(r.seconds for r in warm), 2),
        "check_peak_mb": max(r.peak_mb for r in cold),
        "check_peak_kb": max(r.peak_kb for r in cold),
        "check_cached_peak_mb": max(r.peak_mb for r in warm),
    }


@dataclass(frozen=True)
class Round:
    """One engine's runs in one round, one after the other: a full build, bare MkDocs, a build after
    editing one claim, and a build after editing the theme folder's footer; and the pages that did not
    show an edit."""

    full: Run
    bare: Run
    claim_edited: Run
    template_edited: Run
    stale: tuple[str, ...]


def run_builds(
    claims: int,
    project: Path,
    work: Path,
    engines: list[EngineEntry],
    *,
    rounds: int,
    incremental: bool,
    without: str = "",
) -> list[dict[str, Any]]:
    """One row per engine at ``claims`` claims: its builds and bare MkDocs' of as many pages, taking turns."""
    bare, bare_site = work / f"bare-{claims}", work / f"bare-site-{claims}"
    theirs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(bare_site)]
    sites = {entry.name: work / f"site-{claims}-{entry.name}" for entry in engines}
    done: dict[str, list[Round]] = {name: [] for name in sites}
    edits = 0
    # Each engine takes turns with the bare build (engine A, bare, engine B, bare, then again), so that a
    # slow moment of a shared machine weighs on both sides of a ratio. A full build starts from an empty
    # site and an empty cache folder of its own (which it fills, as a first build does); the builds after
    # an edit write into the site it left, with that cache, as a contributor's next build does.
    for turn in range(rounds):
        for name, site in sites.items():
            ours = [sys.executable, "-m", "claimledger", "build", "--engine", name, "--site-dir", str(site)]
            cache = work / f"cache-{claims}-{name}-{turn}"
            shutil.rmtree(site, ignore_errors=True)
            full = measure([*ours, "--full"] if incremental else ours, project, cache=cache, without=without)
            if not bare.exists():  # as many pages as the first engine's site has, nav pages included
                bare.mkdir()
                write_bare(bare, sum(1 for _ in site.rglob("index.html")))
            shutil.rmtree(bare_site, ignore_errors=True)
            bare_run = measure(theirs, bare)
            edits += 1
            statement = edit_one_claim(project, edits)
            claim_edited = measure(ours, project, cache=cache, without=without)
            stale = [f"the edited claim on {page}" for page in not_showing(site, ["claims/claim-00000/"], statement)]
            # The site owner's look changes: a footer of their own on every page, in a theme folder of their
            # own (templates the theme's frame cache cannot vouch for), taken back after the build.
            config = (project / "mkdocs.yml").read_text(encoding="utf-8")
            write_theme_folder(project, allowed=True)
            footer = edit_template(project, edits)
            template_edited = measure(ours, project, cache=cache, without=without)
            pages = ["", f"claims/claim-{claims - 1:05d}/"]
            stale += [f"the edited template on {page}" for page in not_showing(site, pages, footer)]
            (project / "mkdocs.yml").write_text(config, encoding="utf-8")
            shutil.rmtree(project / OVERRIDES)
            for note in stale:
                print(f"warning: {name} at {claims:,} claims: the build after an edit does not show {note}")
            shutil.rmtree(cache, ignore_errors=True)
            done[name].append(Round(full, bare_run, claim_edited, template_edited, tuple(stale)))
    return [build_row(name, claims, sites[name], bare_site, done[name], incremental) for name in sites]


def build_row(
    engine: str, claims: int, site: Path, bare_site: Path, rounds: list[Round], incremental: bool
) -> dict[str, Any]:
    """What one engine's rounds measured, with the site the last of them left."""
    full, bare = [r.full for r in rounds], [r.bare for r in rounds]
    claim_edited, template_edited = [r.claim_edited for r in rounds], [r.template_edited for r in rounds]
    page_sizes = [p.stat().st_size for p in sorted((site / "claims").glob("claim-*/index.html"))]
    index = site / "search" / "search_index.json"
    return {
        "engine": engine,
        "claims": claims,
        "pages": sum(1 for _ in site.rglob("index.html")),
        "rounds": len(rounds),
        "incremental": incremental,
        "build_s": round(min(r.seconds for r in full), 2),
        "build_peak_mb": max(r.peak_mb for r in full),
        "bare_build_s": round(min(r.seconds for r in bare), 2),
        "bare_peak_mb": max(r.peak_mb for r in bare),
        # Each ratio pairs runs of the same round, which a slow moment of the machine slows alike; the
        # median of the pairs is kept.
        "ratio": round(median_ratio(full, bare), 2),
        "rebuild_s": round(min(r.seconds for r in claim_edited), 2),
        "rebuild_peak_mb": max(r.peak_mb for r in claim_edited),
        "rebuild_share": round(median_ratio(claim_edited, full), 3),
        "template_rebuild_s": round(min(r.seconds for r in template_edited), 2),
        "template_rebuild_peak_mb": max(r.peak_mb for r in template_edited),
        "template_rebuild_share": round(median_ratio(template_edited, full), 3),
        "stale": sorted({note for r in rounds for note in r.stale}),
        "site_mb": round(folder_size(site) / 1e6, 1),
        "bare_site_mb": round(folder_size(bare_site) / 1e6, 1),
        "claim_page_bytes_mean": round(sum(page_sizes) / len(page_sizes)) if page_sizes else 0,
        "search_index_mb": round(index.stat().st_size / 1e6, 2) if index.is_file() else None,
        "bare_search_index_mb": round((bare_site / "search" / "search_index.json").stat().st_size / 1e6, 2),
    }


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
    *,
    incremental: bool = False,
) -> list[dict[str, Any]]:
    """Paired runs with each speed piece and without it, taking turns (which goes first alternates). Each
    build is a full one (``--full`` where ``incremental``, the build otherwise reusing the site before)."""
    project = synthetic_project(claims, work, f"pieces-{claims}")
    site = work / f"pieces-site-{claims}"
    build = [
        sys.executable,
        "-m",
        "claimledger",
        "build",
        "--site-dir",
        str(site),
        *(["--full"] if incremental else []),
    ]
    commands = {
        name: command
        for name, command in {"check": [sys.executable, "-m", "claimledger", "check"], "build": build}.items()
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
    """A folder in memory to write the benchmark's files to (``--ram``), if the machine has one with room.

    In memory every build writes at the same speed, whatever folder it writes in; but a user's build writes
    on disk, where the hundreds of MB of pages of a large site cost time that memory hides."""
    folder = Path("/dev/shm")
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    room = stats.f_bavail * stats.f_frsize
    return str(folder) if os.access(folder, os.W_OK) and room > 4 * 2**30 else None


IN_MEMORY = frozenset({"tmpfs", "ramfs"})
"""File systems held in memory: a folder on one is not on disk, whatever its name (``/tmp`` often is)."""


def mounts() -> str:
    """The system's mount table (``/proc/self/mounts``), or nothing where there is none (macOS, Windows)."""
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8")
    except OSError:
        return ""


def file_system(folder: Path, mount_table: str) -> str | None:
    """The type of the file system holding ``folder`` (an absolute, resolved path), from a mount table in
    the format of ``/proc/mounts``: that of the deepest mount point holding it; None where none does."""
    found, kind = "", None
    for line in mount_table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda octal: chr(int(octal.group(1), 8)), fields[1])
        inside = str(folder) == point or str(folder).startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(found):  # the later of two mounts on one point is the one seen
            found, kind = point, fields[2]
    return kind


@dataclass(frozen=True)
class Place:
    """Where a run writes its projects, sites and caches (a temporary folder made inside ``folder``)."""

    folder: Path
    file_system: str | None

    @property
    def in_memory(self) -> bool:
        return self.file_system in IN_MEMORY

    def describe(self) -> str:
        kind = "in memory" if self.in_memory else "on disk"
        return f"{kind} ({self.file_system or 'file system unknown'})"


def choose_place(*, ram: bool, given: str | None, mount_table: str, temp: Path, repo: Path = REPO) -> Place:
    """Where to write: in memory with ``ram``; else the folder ``given``; else the temporary folder if it is
    on disk, or else the folder holding the repository. A ``given`` folder in memory is taken as asked (and
    said so); ``ram`` without a folder in memory with room is a ValueError."""
    if ram:
        memory = ram_folder()
        if memory is None:
            raise ValueError("--ram: no folder in memory with room here (/dev/shm, 4 GiB free)")
        return Place(Path(memory), file_system(Path(memory).resolve(), mount_table))
    if given:
        return Place(Path(given).resolve(), file_system(Path(given).resolve(), mount_table))
    beside = repo.resolve().parent
    for folder in (temp.resolve(), beside):
        kind = file_system(folder, mount_table)
        if kind not in IN_MEMORY:
            return Place(folder, kind)
    return Place(beside, file_system(beside, mount_table))


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return None


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
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "load_at_start": load_average(),
        "python": platform.python_version(),
        "versions": versions,
        "system": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }


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


CHECK_COLUMNS = [
    ("claims", "claims"),
    ("check_s", "check (s)"),
    ("check_cached_s", "check, cached (s)"),
    ("check_peak_mb", "check peak (MB)"),
    ("kb_per_claim", "memory per claim added since the size before (KB)"),
]
BUILD_COLUMNS = [
    ("engine", "engine"),
    ("claims", "claims"),
    ("pages", "pages"),
    ("rounds", "rounds"),
    ("build_s", "full build (s)"),
    ("build_peak_mb", "build peak (MB)"),
    ("bare_build_s", "bare MkDocs (s)"),
    ("bare_peak_mb", "bare peak (MB)"),
    ("ratio", "build / bare (median of pairs)"),
    ("rebuild_s", "build after editing one claim (s)"),
    ("rebuild_peak_mb", "its peak (MB)"),
    ("rebuild_percent", "its time, % of the full build's (median of pairs)"),
    ("template_rebuild_s", "build after editing a template (s)"),
    ("template_rebuild_peak_mb", "its peak (MB)"),
    ("template_rebuild_percent", "its time, % of the full build's (median of pairs)"),
    ("site_mb", "site (MB)"),
    ("claim_page_bytes_mean", "bytes per claim page"),
    ("search_index_mb", "search index (MB)"),
    ("bare_search_index_mb", "bare search index (MB)"),
]
TARGET_COLUMNS = [
    ("target", "target"),
    ("engine", "engine"),
    ("claims", "claims"),
    ("figure", "measured"),
    ("aim", "aim"),
    ("verdict", "met?"),
]

# The targets of issue 23, judged beside the figures (a target missed is reported, never a failed run).
BUILD_TARGET_CLAIMS = 10_000  # the size the build targets are stated at
CHECK_TARGET_CLAIMS = 50_000  # the size the check's memory target is stated at
MAX_BUILD_RATIO = 0.6  # a full build, at most this share of bare MkDocs' time for as many pages
MAX_REBUILD_SHARE = 0.10  # a build after one edited claim, at most this share of a full build's time
MAX_BUILD_PEAK_MB = 200  # the peak memory of any build
CHECK_PEAK_UNDER_MB = 300  # the peak memory of a check at CHECK_TARGET_CLAIMS
LINEAR_MARGIN = 1.2  # "linear": each claim adds at most this much more memory than between the sizes before


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def build_table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The build rows as the table shows them: the shares of a full build's time in per cent."""
    return [
        {
            **row,
            "rebuild_percent": _percent(row.get("rebuild_share")),
            "template_rebuild_percent": _percent(row.get("template_rebuild_share")),
        }
        for row in rows
    ]


def _peak_kb(row: dict[str, Any]) -> int | None:
    if "check_peak_kb" in row:
        return int(row["check_peak_kb"])
    return None if row.get("check_peak_mb") is None else int(row["check_peak_mb"]) * 1024


def with_growth(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The check rows by size, each (but the smallest) with the memory its peak grew by per claim added
    since the size before (``kb_per_claim``) and that size (``since``)."""
    ordered = sorted(checks, key=lambda row: row["claims"])
    grown = ordered[:1]
    for before, row in itertools.pairwise(ordered):
        low, high = _peak_kb(before), _peak_kb(row)
        if low is None or high is None or row["claims"] <= before["claims"]:
            grown.append(row)
            continue
        per_claim = (high - low) / (row["claims"] - before["claims"])
        grown.append({**row, "kb_per_claim": round(per_claim, 1), "since": before["claims"]})
    return grown


def _verdict(target: str, engine: str, claims: int, figure: str, aim: str, met: bool) -> dict[str, Any]:
    return {
        "target": target,
        "engine": engine,
        "claims": claims,
        "figure": figure,
        "aim": aim,
        "verdict": "met" if met else "**not met**",
    }


def verdicts(checks: list[dict[str, Any]], builds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target beside its figure, met or not: the builds' at 10,000 claims (else at the largest size
    measured), the check's at 50,000 (else at the largest size measured)."""
    found: list[dict[str, Any]] = []
    sizes = {row["claims"] for row in builds}
    size = BUILD_TARGET_CLAIMS if BUILD_TARGET_CLAIMS in sizes else max(sizes, default=None)
    for row in builds:
        if row["claims"] != size:
            continue
        engine = row["engine"]
        if row.get("ratio") is not None:
            ratio = row["ratio"]
            aim = f"at most {MAX_BUILD_RATIO}"
            found.append(_verdict("full build / bare MkDocs", engine, size, f"{ratio}", aim, ratio <= MAX_BUILD_RATIO))
        if row.get("rebuild_share") is not None:
            share = row["rebuild_share"]
            found.append(
                _verdict(
                    "build after editing one claim / full build",
                    engine,
                    size,
                    f"{100 * share:.1f} %",
                    f"at most {100 * MAX_REBUILD_SHARE:.0f} %",
                    share <= MAX_REBUILD_SHARE,
                )
            )
        peaks = [row[key] for key in ("build_peak_mb", "rebuild_peak_mb", "template_rebuild_peak_mb") if key in row]
        if peaks:
            peak = max(peaks)
            aim = f"at most {MAX_BUILD_PEAK_MB} MB"
            found.append(_verdict("peak memory of a build", engine, size, f"{peak} MB", aim, peak <= MAX_BUILD_PEAK_MB))
    grown = with_growth(checks)
    at = [row for row in grown if row["claims"] == CHECK_TARGET_CLAIMS] or grown[-1:]
    if at and at[0].get("check_peak_mb") is not None:
        row = at[0]
        peak = row["check_peak_mb"]
        aim = f"under {CHECK_PEAK_UNDER_MB} MB"
        found.append(
            _verdict("peak memory of a check", "", row["claims"], f"{peak} MB", aim, peak < CHECK_PEAK_UNDER_MB)
        )
        slopes = [r for r in grown if "kb_per_claim" in r and r["claims"] <= row["claims"]]
        if len(slopes) >= 2 and slopes[-1] is row:
            before, last = slopes[-2]["kb_per_claim"], row["kb_per_claim"]
            figure = (
                f"{last} KB a claim from {row['since']:,} claims on, {before} KB from {slopes[-2]['since']:,} "
                f"to {row['since']:,}"
            )
            aim = f"at most {LINEAR_MARGIN} times the growth before"
            found.append(
                _verdict(
                    "check's memory linear", "", row["claims"], figure, aim, last <= LINEAR_MARGIN * max(before, 0)
                )
            )
    return found


def table(columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(title for _, title in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(key)) for key, _ in columns) + " |" for row in rows]
    return "\n".join(lines)


def _machine_line(info: dict[str, Any]) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in info.get("versions", {}).items())
    load = f"load average {info.get('load_at_start')} at the start"
    if "load_at_end" in info:
        load += f", {info['load_at_end']} at the end"
    written = f"files written to `{info['written_to']}`"
    if info.get("storage"):
        written += f", {info['storage']}"
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; Python {info['python']}; {versions}; "
        f"{info['date']}; {load}; {written}"
    )


def incremental_line(incremental: bool) -> str:
    if incremental:
        return (
            "`claimledger build` has `--full` here: a full build runs with it, and a build after an edit "
            "writes into the previous site, reusing what did not change."
        )
    return (
        "`claimledger build` has no `--full` here: it does not reuse a previous site, so a build after an "
        "edit is a second full build (with the caches the first one filled)."
    )


def build_section(builds: dict[str, Any]) -> list[str]:
    """The check and build part of the results page: the tables, the notes, then the targets."""
    parts = [table(CHECK_COLUMNS, with_growth(builds["checks"])) + "\n"]
    parts += [table(BUILD_COLUMNS, build_table_rows(builds["results"])) + "\n"]
    incremental = {row["incremental"] for row in builds["results"] if "incremental" in row}
    parts += [f"{incremental_line(flag)}\n" for flag in sorted(incremental)]
    parts += [f"- {note}\n" for note in builds.get("skipped", [])]
    parts += [
        f"- **{row['engine']} at {row['claims']:,} claims: the build after an edit did not show {note}**\n"
        for row in builds["results"]
        for note in row.get("stale", [])
    ]
    found = verdicts(builds["checks"], builds["results"])
    if found:
        parts.append(
            f"\nAgainst the targets (the builds' stated at {BUILD_TARGET_CLAIMS:,} claims, the check's at "
            f"{CHECK_TARGET_CLAIMS:,}; where a run did not measure that size, its largest is shown):\n"
        )
        parts.append(table(TARGET_COLUMNS, found) + "\n")
    return parts


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
        parts += build_section(builds)
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
                f"{number}. {run['date']}, load average {run['load_at_start']} at the start"
                f"{', ' + str(run['load_at_end']) + ' at the end' if 'load_at_end' in run else ''}: "
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


def claim_counts(text: str) -> list[int]:
    """Claim counts, comma-separated (``100,1000``; nothing for none)."""
    try:
        counts = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of claim counts: {text!r}") from None
    if any(count < 1 for count in counts):
        raise argparse.ArgumentTypeError(f"a claim count is at least 1: {text!r}")
    return counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=claim_counts, default="100,1000,10000", help="claim counts checked and built, comma-separated"
    )
    parser.add_argument(
        "--check-sizes",
        type=claim_counts,
        default="50000",
        help="claim counts only checked, not built (default: 50000; '' for none)",
    )
    parser.add_argument("--no-save", action="store_true", help="print only; do not update benchmarks/results.*")
    parser.add_argument(
        "--serve-claims", type=int, default=1000, help="claims for the serve edit measurement (0 to skip)"
    )
    parser.add_argument("--engines", help="the engines built, comma-separated (default: every one installed)")
    parser.add_argument("--rounds", type=int, help="rounds of builds at every size (default: 15, 5, 3)")
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
    place = parser.add_mutually_exclusive_group()
    place.add_argument(
        "--dir",
        "--tmp",
        dest="dir",
        help="the folder the projects, sites and caches are written in (default: the temporary folder if it "
        "is on disk, else the folder holding the repository)",
    )
    place.add_argument(
        "--ram", action="store_true", help="write them in memory instead (/dev/shm, where it is a RAM folder with room)"
    )
    return parser


def chosen_engines(names: str | None, installed: list[EngineEntry]) -> list[EngineEntry]:
    """The installed engines named (all of them without names); a name not installed is a ValueError."""
    if not names:
        return installed
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    by_name = {entry.name: entry for entry in installed}
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise ValueError(f"--engines: not installed here or no such engine: {', '.join(unknown)}")
    return [by_name[name] for name in wanted]


def _clear(work: Path) -> None:
    """Remove what a size left in the run's folder (its projects and sites), keeping the shared cache."""
    for folder in work.iterdir():
        if folder.name != "cache":
            shutil.rmtree(folder, ignore_errors=True)


def run_sizes(
    args: argparse.Namespace, work: Path, engines: list[EngineEntry], incremental: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The check's rows at every size (built or only checked), and the engines' build rows."""
    checks, builds = [], []
    for size in args.sizes:
        project = synthetic_project(size, work, f"claims-{size}")
        checks.append(run_check(size, project, work, args.without))
        rounds = args.rounds or repeats(size)
        rows = run_builds(size, project, work, engines, rounds=rounds, incremental=incremental, without=args.without)
        builds.extend(rows)
        print(json.dumps(checks[-1]), *(json.dumps(row) for row in rows), sep="\n", flush=True)
        _clear(work)
    for size in args.check_sizes:
        if size in args.sizes:
            continue
        project = synthetic_project(size, work, f"check-{size}")
        checks.append(run_check(size, project, work, args.without))
        print(json.dumps(checks[-1]), flush=True)
        _clear(work)
    return sorted(checks, key=lambda row: row["claims"]), builds


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        place = choose_place(ram=args.ram, given=args.dir, mount_table=mounts(), temp=Path(tempfile.gettempdir()))
    except ValueError as error:
        parser.error(str(error))
    place.folder.mkdir(parents=True, exist_ok=True)
    print(f"Writing in {place.folder}, {place.describe()}.", flush=True)
    if place.in_memory and not args.ram:
        print(f"Note: {place.folder} is held in memory: the figures do not count writing to a disk.", flush=True)
    # Byte-compile the package first, as an installed one is: a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise compile claimledger's source again in every run measured.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "claimledger")], check=True)
    incremental = build_is_incremental()
    info = {**machine(), "written_to": str(place.folder), "storage": place.describe(), "incremental": incremental}
    stored = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.is_file() else {}
    results = {key: stored[key] for key in ("builds", "pieces") if key in stored}  # what this run leaves alone
    with tempfile.TemporaryDirectory(prefix="claimledger-bench-", dir=place.folder) as tmp:
        os.environ["CLAIMLEDGER_CACHE_DIR"] = str(Path(tmp) / "cache")  # starts empty; the user's is untouched
        if args.pieces:
            pieces = [piece for piece in args.pieces.split(",") if piece]
            unknown = set(pieces) - {*SPEED_PIECES, *PATCHES}
            if unknown:
                parser.error(f"no such speed piece: {', '.join(sorted(unknown))}")
            timed = args.commands.split(",")
            rows = [
                row
                for size in args.sizes
                for row in run_pieces(size, Path(tmp), pieces, args.pairs, timed, incremental=incremental)
            ]
            info["load_at_end"] = load_average()
            earlier = results.get("pieces", {}).get("results", [])
            run = {
                "date": info["date"],
                "load_at_start": info["load_at_start"],
                "load_at_end": info["load_at_end"],
                "pieces": pieces,
                "sizes": args.sizes,
            }
            runs = [*results.get("pieces", {}).get("runs", []), run]
            results["pieces"] = {"machine": info, "runs": runs, "results": merge_pieces(earlier, rows)}
            print("\n" + table(PIECE_COLUMNS, rows))
        else:
            if args.without:
                os.environ["CLAIMLEDGER_WITHOUT"] = args.without
            installed, skipped = installed_engines()
            try:
                engines = chosen_engines(args.engines, installed)
            except ValueError as error:
                parser.error(str(error))
            for note in skipped:
                print(note, flush=True)
            print(incremental_line(incremental), flush=True)
            checks, builds = run_sizes(args, Path(tmp), engines, incremental)
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
            info["load_at_end"] = load_average()
            results["builds"] = {
                "machine": {**info, "without": args.without},
                "checks": checks,
                "results": builds,
                "skipped": skipped,
                "serve_edit_seconds": serves,
            }
            print("\n" + "\n".join(build_section(results["builds"])))
    print(f"\nMachine: {_machine_line(info)}")
    if not args.no_save:
        RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        RESULTS_MD.write_text(report(results), encoding="utf-8")
        print(f"\nwrote {RESULTS_JSON.relative_to(REPO)} and {RESULTS_MD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
