"""Split a list of independent jobs across the machine's cores, by forking.

Loading a large dataset is mostly parsing YAML, file by file, in Python: one core does it at a
time. Forked workers start at once with everything already imported and the jobs already in memory;
each sends its results back pickled through a pipe. Where forking is unavailable or unsafe (no
``os.fork``, macOS, other threads running, as under ``mkdocs serve`` once the server is up) or the
list is short, the jobs run here, one after the other, with the same results. The caller says how
many processes to use (:class:`claimledger.settings.Settings`; ``CLAIMLEDGER_JOBS`` on the command
line; ``1`` turns this off).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many jobs per process, starting a worker and pickling its results costs more than it saves.
MIN_JOBS_PER_WORKER = 300
MAX_WORKERS = 8


def workers_wanted(jobs: int | None = None) -> int:
    """``jobs`` if given, else the cores this process may use (at most :data:`MAX_WORKERS`)."""
    if jobs is not None and jobs > 0:
        return jobs
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_fork() -> bool:
    """Whether forking is available and safe here (no other thread that might hold a lock)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


_HELD = frozenset({signal.SIGINT, signal.SIGTERM})
Mask = set[int | signal.Signals]  # a set of blocked signals, as signal.pthread_sigmask gives it


@contextlib.contextmanager
def signals_held() -> Iterator[Mask]:
    """SIGINT and SIGTERM held back meanwhile: around a fork and the parent's note of its new child, so
    that an interruption never unwinds the child through its parent's code, nor leaves the parent
    without a note of a child it started. Yields the signal mask from before, which a child puts
    back with :func:`restore_signals` from within its own code; the parent's comes back on leaving."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield before
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def restore_signals(before: Mask) -> None:
    signal.pthread_sigmask(signal.SIG_SETMASK, before)


def fork_worker(
    child: Callable[[int, Mask], None], note: Callable[[int, int], None], close_in_child: Sequence[int] = ()
) -> bool:
    """Fork a worker with a pipe back to this process. In the worker: ``child(write_end, mask)``, which
    puts the signal mask back with :func:`restore_signals` from within its own ``try`` and leaves with
    ``os._exit``; the pipe's read end and those in ``close_in_child`` are closed there first. Here:
    ``note(pid, read_end)``, before an interruption can land (see :func:`signals_held`), so that no
    worker goes unnoted. False where no pipe or process could be had."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return False
    with signals_held() as before:
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return False
        if pid == 0:
            try:
                for descriptor in (read_end, *close_in_child):  # read ends are the parent's alone
                    os.close(descriptor)
                child(write_end, before)
            finally:
                os._exit(1)  # the child leaves by itself; this only if it could not start
        os.close(write_end)
        note(pid, read_end)
    return True


def map_chunks(
    work: Callable[[Sequence[T]], list[R]],
    jobs: Sequence[T],
    workers: int | None = None,
    *,
    min_jobs: int = MIN_JOBS_PER_WORKER,
) -> list[R]:
    """``work(jobs)``, computed in up to ``workers`` processes, each taking every n-th job; results in order.

    Each process gets at least ``min_jobs`` jobs. ``work`` must return one picklable result per job
    and must not depend on anything a forked process cannot share (open connections, threads). A
    worker that fails has its slice redone here.
    """
    count = min(workers or workers_wanted(), len(jobs) // max(1, min_jobs))
    if count <= 1 or not can_fork():
        return work(jobs)
    # Every count-th job to each process: the heavy and the light files are spread evenly.
    slices = [jobs[start::count] for start in range(count)]
    parts: list[list[R] | None] = [None] * count
    waiting: list[tuple[int, int, int]] = []  # (slice, pid, read end) of workers not read yet
    try:
        for number in range(1, count):

            def note(pid: int, read_end: int, number: int = number) -> None:
                waiting.append((number, pid, read_end))

            forked = fork_worker(
                functools.partial(_work_and_send, work, slices[number]),
                note,
                close_in_child=[read_end for _, _, read_end in waiting],
            )
            if not forked:  # no more files or processes to be had: this process does the rest
                break
        started = {number for number, _, _ in waiting}
        for number in range(count):
            if number not in started:
                parts[number] = work(slices[number])
        while waiting:
            number, pid, read_end = waiting.pop(0)
            payload, ended = b"", False
            try:
                with os.fdopen(read_end, "rb") as incoming:
                    payload = incoming.read()
                ended = True
            finally:
                if not ended:  # reading failed or was interrupted: the worker is not waited for
                    kill(pid)
                status = reap(pid)
            parts[number] = _results(payload, status) or work(slices[number])
        results: list[R] = [None] * len(jobs)  # type: ignore[list-item]
        for number, part_results in enumerate(parts):
            assert part_results is not None
            results[number::count] = part_results
        return results
    finally:  # after an error here, no worker is left behind
        for _, pid, read_end in waiting:
            kill(pid)
            reap(pid)
            with contextlib.suppress(OSError):
                os.close(read_end)


def _work_and_send(work: Callable[[Sequence[T]], list[R]], part: Sequence[T], out: int, signals: Mask) -> None:
    """In a worker: compute, send the results, and leave without running the parent's clean-up."""
    status = 1
    try:
        restore_signals(signals)
        payload = pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as stream:
            stream.write(payload)
        status = 0
    finally:
        os._exit(status)


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def reap(pid: int) -> int | None:
    """The worker's exit status; None where the system reaped it already (SIGCHLD ignored)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _results(payload: bytes, status: int | None) -> list[Any] | None:
    """A worker's results, or None if it failed (its jobs are then done again here). Where its exit
    status is unknown, results that unpickle whole are taken."""
    if status not in (0, None) or not payload:
        return None
    try:
        results: list[Any] = pickle.loads(payload)
    except Exception:  # cut short: the worker died while writing
        return None
    return results
