"""Ctrl-C: any command ends with one line and status 130, its workers quietly, and the site as it was.

Each test starts the command in a session of its own and, once the command is at work (it says so
on standard output), sends SIGINT to the whole session, as a terminal's Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .sitebuild import add_hook, build

needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="workers need fork")

# A MkDocs hook that says so once the build has written every page into its staging folder, then
# waits for the interruption.
STALL = """\
import os, time


def on_post_build(config):
    os.write(1, b"stalled\\n")
    time.sleep(600)
"""


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _stall_the_build(project: Path) -> None:
    add_hook(project, "stall.py", STALL)


def _interrupt(command: list[str], *, lines: int, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    """Run ``command`` until it has printed ``lines`` lines, then press Ctrl-C: its exit status, the
    lines it printed, and what it wrote to standard error."""
    process = subprocess.Popen(
        [*AS_IN_A_TERMINAL, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        said = [process.stdout.readline().strip() for _ in range(lines)]
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=120)  # a safety net only: it ends at once
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, said, stderr


# Ctrl-C as a terminal's foreground command meets it: whatever this process's own handling of SIGINT (a job
# started in the background by a shell ignores it, and so would every command it runs).
AS_IN_A_TERMINAL = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
]


def _claimledger(*args: str) -> list[str]:
    return [sys.executable, "-m", "claimledger", *args]


def test_ctrl_c_during_a_build_ends_it_with_one_line_and_keeps_the_previous_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    before = _snapshot(site)
    _stall_the_build(minimal_project)

    status, said, stderr = _interrupt(
        _claimledger("build", "--root", str(minimal_project), "--site-dir", str(site)), lines=1
    )

    assert said == ["stalled"]
    assert status == 130
    assert stderr.splitlines()[-1] == "claimledger: interrupted"
    assert "Traceback" not in stderr
    assert _snapshot(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no staging folder is left behind"


# A check whose every check, in this process and in its forked worker alike, says which process it
# runs in and waits for the interruption.
CHECK_IN_WORKERS = """\
import os, sys, time
from claimledger import checks
from claimledger.cli import main

def waiting(dataset, today):
    os.write(1, f"{os.getpid()}\\n".encode())  # one write: the lines of two processes never mix
    time.sleep(600)
    return []

checks.CHECKS = (waiting, waiting)
checks.PARALLEL_FROM_CLAIMS = 0
raise SystemExit(main(["check", "--root", sys.argv[1]]))
"""


@needs_fork
def test_ctrl_c_during_a_check_ends_its_workers_quietly(minimal_project: Path, tmp_path: Path) -> None:
    script = tmp_path / "check.py"
    script.write_text(CHECK_IN_WORKERS, encoding="utf-8")

    status, said, stderr = _interrupt(
        [sys.executable, str(script), str(minimal_project)], lines=2, env={"CLAIMLEDGER_JOBS": "2"}
    )

    assert status == 130
    assert stderr == "claimledger: interrupted\n"
    assert len(set(said)) == 2, "the check ran in two processes"
    for pid in map(int, said):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the worker too has ended, and been reaped
