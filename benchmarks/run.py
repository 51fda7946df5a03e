"""Scale benchmark: synthetic datasets of several sizes, against a bare MkDocs build of as many pages.

For each size it prints and records: the time of ``claimtrail check`` and of the full
``claimtrail build``, their peak memory, the site's size, the bytes of one claim page and the
search index; and the same build of plain markdown pages with the same theme configuration, so
that the ratio of the two is measured in the same run on the same machine.

Run it with ``scripts/bench`` (``--sizes 100,1000`` for a quicker run).
"""

from __future__ import annotations

import argparse
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
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from claimtrail.synthetic import VOCABULARY, site_config, write_site_project  # noqa: E402

RESULTS_JSON = REPO / "benchmarks" / "results.json"
RESULTS_MD = REPO / "benchmarks" / "RESULTS.md"


def measure(command: list[str], cwd: Path, repeat: int = 1, *, cache: bool = False) -> tuple[float, int]:
    """Wall time and peak resident memory (MB) of a command, each run in a fresh child process.

    With ``repeat`` > 1 the fastest run is kept: on a shared machine, the slower runs measure the
    neighbours as much as the command.
    """
    runs = [_measure_once(command, cwd, cache) for _ in range(repeat)]
    return min(t for t, _ in runs), max(m for _, m in runs)


def _measure_once(command: list[str], cwd: Path, cache: bool) -> tuple[float, int]:
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(f'{elapsed} {peak} {code}', file=sys.stderr)\n"
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "true", "CLAIMTRAIL_NO_CACHE": "0" if cache else "1"}
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed, peak, code = result.stderr.strip().splitlines()[-1].split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return float(elapsed), int(peak) // 1024


def bare_config() -> str:
    """The synthetic projects' site configuration, nav included, without the claimtrail plugin;
    the plain pages that stand for the item pages are out of the nav, as the item pages are."""
    config = site_config().replace("  - claimtrail\n", "")
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
    """Runs per build measurement: more for the quick sizes, where noise weighs most (a build of 100
    claims takes about a second, and this machine's speed varies by a third from one second to the next)."""
    return 31 if claims <= 100 else 5 if claims <= 1000 else 3


CHECK_REPEATS = 7  # a check takes seconds at most: the fastest of seven at every size


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_size(claims: int, work: Path) -> dict[str, Any]:
    project = write_site_project(work / f"claims-{claims}", claims)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "Synthetic dataset"],
    ):
        subprocess.run(["git", *args], cwd=project, check=True)
    claimtrail = [sys.executable, "-m", "claimtrail"]
    repeat = repeats(claims)
    check_s, check_mb = measure([*claimtrail, "check"], project, CHECK_REPEATS)  # every file parsed
    measure([*claimtrail, "check"], project, cache=True)  # fills the item cache
    warm_s, _ = measure([*claimtrail, "check"], project, CHECK_REPEATS, cache=True)
    site = work / f"site-{claims}"
    bare = work / f"bare-{claims}"
    bare_site = work / f"bare-site-{claims}"
    ours = [*claimtrail, "build", "--site-dir", str(site)]
    theirs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(bare_site)]
    # The builds take turns, so that all meet the same conditions on a shared machine: from scratch
    # (no cache, as on a fresh machine), the bare site, and again with the caches a previous build
    # left (parsed claims, compiled templates), as on a contributor's machine or a CI with a cache.
    build_runs: list[tuple[float, int]] = []
    bare_runs: list[tuple[float, int]] = []
    cached_runs: list[tuple[float, int]] = []
    for turn in range(repeat):
        build_runs.append(measure(ours, project))
        if turn == 0:  # the bare site gets as many pages as this one has, nav pages included
            pages = sum(1 for _ in site.rglob("index.html"))
            bare.mkdir()
            write_bare(bare, pages)
            measure(ours, project, cache=True)  # fills the caches
        bare_runs.append(measure(theirs, bare))
        cached_runs.append(measure(ours, project, cache=True))
    build_s, build_mb = min(t for t, _ in build_runs), max(m for _, m in build_runs)
    bare_s, bare_mb = min(t for t, _ in bare_runs), max(m for _, m in bare_runs)
    cached_s = min(t for t, _ in cached_runs)
    # Each ratio pairs runs taken one after the other, which a slow moment of the machine slows
    # alike; the median of the pairs is kept. (The fastest runs of each may fall in different moments.)
    ratio = statistics.median(ours / bare for (ours, _), (bare, _) in zip(build_runs, bare_runs, strict=True))
    ratio_cached = statistics.median(ours / bare for (ours, _), (bare, _) in zip(cached_runs, bare_runs, strict=True))
    page_sizes = [p.stat().st_size for p in sorted((site / "claims").glob("claim-*/index.html"))]
    first_page = (site / "claims" / "claim-00000" / "index.html").read_text(encoding="utf-8")
    return {
        "claims": claims,
        "pages": pages,
        "check_s": round(check_s, 2),
        "check_cached_s": round(warm_s, 2),
        "check_peak_mb": check_mb,
        "build_s": round(build_s, 2),
        "build_peak_mb": build_mb,
        "bare_build_s": round(bare_s, 2),
        "bare_peak_mb": bare_mb,
        "ratio": round(ratio, 2),
        "build_cached_s": round(cached_s, 2),
        "ratio_cached": round(ratio_cached, 2),
        "site_mb": round(folder_size(site) / 1e6, 1),
        "bare_site_mb": round(folder_size(work / f"bare-site-{claims}") / 1e6, 1),
        "claim_page_bytes_mean": round(sum(page_sizes) / len(page_sizes)),
        "claim_page_bytes_first": len(first_page.encode("utf-8")),
        "search_index_mb": round((site / "search" / "search_index.json").stat().st_size / 1e6, 2),
        "bare_search_index_mb": round(
            (work / f"bare-site-{claims}" / "search" / "search_index.json").stat().st_size / 1e6, 2
        ),
    }


def serve_edit_seconds(claims: int, work: Path, *, dirty: bool) -> float:
    """Under ``mkdocs serve``, the time from saving an edited claim to the new page being served."""
    import socket
    import urllib.request

    project = write_site_project(work / f"serve-{claims}-{'dirty' if dirty else 'full'}", claims)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *(["--dirty"] if dirty else [])]
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
                raise SystemExit("mkdocs serve did not come up")
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
    import material
    import mkdocs

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "mkdocs": mkdocs.__version__,
        "mkdocs_material": getattr(material, "__version__", "?"),
        "system": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }


COLUMNS = [
    ("claims", "claims"),
    ("pages", "pages"),
    ("check_s", "check (s)"),
    ("check_cached_s", "check, cached (s)"),
    ("check_peak_mb", "check peak (MB)"),
    ("build_s", "build (s)"),
    ("build_peak_mb", "build peak (MB)"),
    ("bare_build_s", "bare MkDocs (s)"),
    ("ratio", "build / bare (median of pairs)"),
    ("build_cached_s", "build, cached (s)"),
    ("ratio_cached", "cached / bare (median of pairs)"),
    ("site_mb", "site (MB)"),
    ("claim_page_bytes_mean", "bytes per claim page"),
    ("search_index_mb", "search index (MB)"),
    ("bare_search_index_mb", "bare search index (MB)"),
]


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row[key]) for key, _ in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="claim counts, comma-separated")
    parser.add_argument("--no-save", action="store_true", help="print only; do not update benchmarks/results.*")
    parser.add_argument(
        "--serve-claims", type=int, default=1000, help="claims for the mkdocs serve edit measurement (0 to skip)"
    )
    parser.add_argument(
        "--without",
        default="",
        help="speed pieces turned off in every claimtrail run, comma-separated "
        "(item-cache, template-cache, parallel, template-worker: CLAIMTRAIL_WITHOUT)",
    )
    parser.add_argument(
        "--tmp",
        default=ram_folder(),
        help="where the projects and sites are written (default: /dev/shm where it is a RAM folder with room)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    # Byte-compile the package first, as an installed one is: a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise compile claimtrail's source again in every run measured.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "claimtrail")], check=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="claimtrail-bench-", dir=args.tmp) as tmp:
        os.environ["CLAIMTRAIL_CACHE_DIR"] = str(Path(tmp) / "cache")  # starts empty; the user's is untouched
        os.environ["CLAIMTRAIL_WITHOUT"] = args.without  # read by each claimtrail run measured
        for size in sizes:
            row = run_size(size, Path(tmp))
            rows.append(row)
            print(json.dumps(row), flush=True)
            for name in (f"claims-{size}", f"site-{size}", f"bare-{size}", f"bare-site-{size}"):
                shutil.rmtree(Path(tmp) / name, ignore_errors=True)
        serve: dict[str, Any] = {}
        if args.serve_claims:
            for dirty in (True, False):
                seconds = serve_edit_seconds(args.serve_claims, Path(tmp), dirty=dirty)
                serve["dirty" if dirty else "full"] = round(seconds, 2)
            serve["claims"] = args.serve_claims
            print(json.dumps({"serve_edit_seconds": serve}), flush=True)
    info = {**machine(), "written_to": args.tmp or tempfile.gettempdir()}
    print()
    print(table(rows))
    if serve:
        print(
            f"\nmkdocs serve at {serve['claims']} claims, from saving an edited claim to its new page: "
            f"{serve['dirty']} s with --dirty, {serve['full']} s without"
        )
    print(f"\nMachine: {info}")
    if not args.no_save:
        RESULTS_JSON.write_text(
            json.dumps({"machine": info, "results": rows, "serve_edit_seconds": serve}, indent=2) + "\n",
            encoding="utf-8",
        )
        serve_line = (
            (
                f"\n`mkdocs serve` at {serve['claims']} claims, from saving an edited claim to its new page "
                f"being served: {serve['dirty']} s with `--dirty`, {serve['full']} s without.\n"
            )
            if serve
            else ""
        )
        RESULTS_MD.write_text(
            f"# Benchmark results\n\nMachine: {info['cpu']}, {info['cores']} cores, "
            f"{info['memory_gib']} GiB; Python {info['python']}, MkDocs {info['mkdocs']}, "
            f"Material {info['mkdocs_material']}; {info['date']}. Projects and sites written to "
            f"`{info['written_to']}`.\n\n{table(rows)}\n{serve_line}",
            encoding="utf-8",
        )
        print(f"\nwrote {RESULTS_JSON.relative_to(REPO)} and {RESULTS_MD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
