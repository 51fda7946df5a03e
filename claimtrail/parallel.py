"""Split a list of independent jobs across the machine's cores, by forking.

Loading a large dataset is mostly parsing YAML, file by file, in Python: one core does it at a
time. Forked workers start at once with everything already imported and the jobs already in memory;
each sends its results back pickled through a pipe. Where forking is unavailable or unsafe (no
``os.fork``, macOS, threads running as under ``mkdocs serve``) or the list is short, the jobs run
here, one after the other, with the same results. ``CLAIMTRAIL_JOBS`` sets the number of processes
(``1`` turns this off).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many jobs per process, starting a worker and pickling its results costs more than it saves.
MIN_JOBS_PER_WORKER = 300
MAX_WORKERS = 8


def workers_wanted() -> int:
    """``CLAIMTRAIL_JOBS`` if set, else the cores this process may use (at most :data:`MAX_WORKERS`)."""
    explicit = os.environ.get("CLAIMTRAIL_JOBS", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


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
    if count <= 1 or not _can_fork():
        return work(jobs)
    # Every count-th job to each process: the heavy and the light files are spread evenly.
    slices = [jobs[start::count] for start in range(count)]
    children: list[tuple[int, int, Sequence[T]]] = []
    for part in slices[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: compute, send, and leave without running the parent's clean-up
            status = 1
            try:
                os.close(read_end)
                payload = pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end, part))
    waiting = list(children)
    try:
        parts = [work(slices[0])]
        while waiting:
            pid, read_end, part = waiting.pop(0)
            try:
                with os.fdopen(read_end, "rb") as incoming:
                    payload = incoming.read()
            finally:  # the pipe is closed now: a worker still writing gets an error and ends
                _, status = os.waitpid(pid, 0)
            parts.append(pickle.loads(payload) if status == 0 and payload else work(part))
        results: list[R] = [None] * len(jobs)  # type: ignore[list-item]
        for start, part_results in enumerate(parts):
            results[start::count] = part_results
        return results
    finally:  # after an error here, no worker is left behind
        for pid, read_end, _ in waiting:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            with contextlib.suppress(OSError):
                os.close(read_end)
