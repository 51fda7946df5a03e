"""Sharing the work among processes changes how fast a large dataset loads, never what it holds."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from claimledger.checks import run_checks
from claimledger.checks.project import latest_today
from claimledger.record import parallel
from claimledger.record.loader import load
from claimledger.record.parallel import map_chunks
from claimledger.settings import from_environment
from claimledger.tools.synthetic import write_project

needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="no fork here")


pytestmark = pytest.mark.usefixtures("only_this_tests_threads")


def _pid_and_square(jobs: Sequence[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), job * job) for job in jobs]


@needs_fork
def test_jobs_are_shared_among_processes_and_come_back_in_order() -> None:
    results = map_chunks(_pid_and_square, list(range(1000)), workers=3, min_jobs=1)
    assert [square for _, square in results] == [n * n for n in range(1000)]
    pids = {pid for pid, _ in results}
    assert len(pids) >= 2  # a worker may take two shares where it is done with the first before another starts
    assert os.getpid() in pids  # this process takes its share too


@needs_fork
def test_a_workers_results_come_back_in_pieces_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "JOBS_PER_PIECE", 7)
    results = map_chunks(_pid_and_square, list(range(1000)), workers=2, min_jobs=1)
    assert [square for _, square in results] == [n * n for n in range(1000)]
    assert len({pid for pid, _ in results}) == 2


@needs_fork
def test_the_work_of_a_failed_worker_is_redone_here() -> None:
    here = os.getpid()

    def fails_elsewhere(jobs: Sequence[int]) -> list[int]:
        if os.getpid() != here:
            raise RuntimeError("a worker dies")
        return [job + 1 for job in jobs]

    assert map_chunks(fails_elsewhere, list(range(100)), workers=2, min_jobs=1) == list(range(1, 101))


def test_a_short_list_is_not_worth_a_worker() -> None:
    results = map_chunks(_pid_and_square, list(range(10)), workers=4)
    assert {pid for pid, _ in results} == {os.getpid()}


def test_nothing_is_forked_while_other_threads_run() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = map_chunks(_pid_and_square, list(range(1000)), workers=2, min_jobs=1)
    finally:
        stop.set()
        thread.join()
    assert {pid for pid, _ in results} == {os.getpid()}


def test_claimledger_jobs_sets_the_number_of_processes() -> None:
    assert from_environment({"CLAIMLEDGER_JOBS": "1"}).workers == 1
    assert from_environment({"CLAIMLEDGER_JOBS": "3"}).workers == 3
    lots = from_environment({"CLAIMLEDGER_JOBS": "lots"})  # not a number: the cores decide
    assert lots.workers == parallel.workers_wanted() and 1 <= lots.workers <= parallel.MAX_WORKERS


def test_parallel_work_can_be_turned_off() -> None:
    assert from_environment({"CLAIMLEDGER_JOBS": "3", "CLAIMLEDGER_WITHOUT": "parallel"}).workers == 1


@needs_fork
def test_a_dataset_loaded_by_two_processes_equals_one_loaded_by_one(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", 700)
    broken = root / "claims" / "claims" / "claim-00003.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("status:", "status: [oops]\nstatus:"))
    (root / "claims" / "claims" / "claim-00500.yaml").write_text("statement: [unclosed\n", encoding="utf-8")
    alone, alone_findings = load(root, workers=1)
    shared, shared_findings = load(root, workers=2)
    assert shared == alone
    assert list(shared.claims) == list(alone.claims)
    assert sorted(shared_findings) == sorted(alone_findings)
    assert {f.path for f in alone_findings} >= {"claims/claims/claim-00003.yaml", "claims/claims/claim-00500.yaml"}


@needs_fork
def test_checks_shared_among_processes_find_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "project", 60)
    claim = root / "claims" / "claims" / "claim-00007.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("claimant: party-", "claimant: nobody-"))
    dataset, _ = load(root)
    monkeypatch.setattr("claimledger.checks.PARALLEL_FROM_CLAIMS", 10**9)
    alone = run_checks(dataset, latest_today())
    monkeypatch.setattr("claimledger.checks.PARALLEL_FROM_CLAIMS", 1)
    shared = run_checks(dataset, latest_today())
    assert shared == alone
    assert any(f.rule == "ref-party" for f in alone)


@needs_fork
def test_when_no_process_can_be_forked_this_one_does_all_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    forks = []

    def fork_once() -> int:
        if forks:
            raise BlockingIOError("no more processes")
        forks.append(1)
        return real_fork()

    real_fork = os.fork
    monkeypatch.setattr(os, "fork", fork_once)
    results = map_chunks(_pid_and_square, list(range(900)), workers=3, min_jobs=1)
    assert [square for _, square in results] == [n * n for n in range(900)]
    assert multiprocessing.active_children() == []  # the worker that did start is not left waiting


def _slow_unless_first(jobs: Sequence[int]) -> list[int]:
    """The first share (this process's own) fails at once; the others would take a minute."""
    if jobs and jobs[0] == 0:
        raise MemoryError("while working")
    import time

    time.sleep(60)
    return list(jobs)


@needs_fork
def test_an_error_in_this_process_share_stops_the_workers_at_once() -> None:
    import time

    assert parallel.can_fork()  # the run below forks its workers
    before = set(multiprocessing.active_children())
    started = time.monotonic()
    with pytest.raises(MemoryError):
        map_chunks(_slow_unless_first, list(range(300)), workers=3, min_jobs=1)
    assert time.monotonic() - started < 30  # not waiting for the workers' minute
    # No worker is left at its minute of work (one the system has not reaped yet goes within moments).
    while (left := set(multiprocessing.active_children()) - before) and time.monotonic() - started < 30:
        time.sleep(0.1)
    assert left == set()


@needs_fork
def test_workers_already_reaped_by_the_system_still_deliver(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # as when started by a parent ignoring SIGCHLD
    try:
        results = map_chunks(_pid_and_square, list(range(1000)), workers=2, min_jobs=1)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert [square for _, square in results] == [n * n for n in range(1000)]


def _sleep_three_seconds(jobs: Sequence[int]) -> list[int]:
    import time

    time.sleep(3)
    return list(jobs)


@needs_fork
def test_an_interrupt_while_shares_are_handed_out_stops_the_workers_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from concurrent.futures import ProcessPoolExecutor

    submit = ProcessPoolExecutor.submit
    calls: list[int] = []

    def interrupted_at_the_second(self: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # Ctrl-C between two shares
            raise KeyboardInterrupt
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", interrupted_at_the_second)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_chunks(_sleep_three_seconds, list(range(400)), workers=4, min_jobs=1)
    assert time.monotonic() - started < 2  # the worker given a share is killed, not waited for


def _send_forever(sending: Any) -> None:
    while True:  # a pipe's buffer holds 64 KB: without a reader, a send waits for one
        sending.send_bytes(b"x" * 65536)


@pytest.mark.skipif(not parallel.can_fork(), reason="no fork here")
def test_a_forked_process_whose_build_let_go_of_its_pipe_ends_rather_than_wait_on_it() -> None:
    started = parallel.forked(_send_forever, name="claimledger-test")
    assert started is not None
    process, received = started
    received.close()  # as when the build's process is killed: no one reads what it sends any more
    process.join(timeout=60)  # a guard against a hang, not a measure of time
    try:
        assert process.exitcode is not None, "the forked process waits on a pipe no one reads"
    finally:
        if process.exitcode is None:
            process.kill()
            process.join()
