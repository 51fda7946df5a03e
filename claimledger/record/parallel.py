"""Split a list of independent jobs across the machine's cores, in forked worker processes.

Loading a large dataset is mostly parsing YAML, file by file, in Python: one core does it at a
time. Forked workers start with everything already imported and the work already in memory: it is
inherited through the fork, never pickled (it may close over the whole dataset); only each share's
results come back pickled. Where forking is unavailable or unsafe (no ``os.fork``, macOS, other
threads running, as under ``mkdocs serve`` once the server is up) or the list is short, the jobs run
here, with the same results. The caller says how many processes to use
(:class:`claimledger.settings.Settings`; ``CLAIMLEDGER_JOBS`` on the command line; ``1`` turns this off).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

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


# In a worker only: the work and the shares, as the fork copied them, set there by the pool's
# initializer; the main process never sets it.
_inherited: dict[str, Any] = {}


def _inherit(work: Callable[[Sequence[Any]], list[Any]], shares: list[Sequence[Any]]) -> None:
    _inherited.update(work=work, shares=shares)


def _do_share(number: int) -> list[Any]:
    return list(_inherited["work"](_inherited["shares"][number]))


def map_chunks(
    work: Callable[[Sequence[T]], list[R]],
    jobs: Sequence[T],
    workers: int | None = None,
    *,
    min_jobs: int = MIN_JOBS_PER_WORKER,
) -> list[R]:
    """``work(jobs)``, computed in up to ``workers`` processes, each taking every n-th job; results in order.

    Each process gets at least ``min_jobs`` jobs, this one included. ``work`` must return one
    picklable result per job and must not depend on anything a forked process cannot share (open
    connections, threads). A worker that fails, or cannot be started, has its share done here.
    """
    count = min(workers or workers_wanted(), len(jobs) // max(1, min_jobs))
    if count <= 1 or not can_fork():
        return work(jobs)
    # Every count-th job to each process: the heavy and the light files are spread evenly.
    shares = [jobs[start::count] for start in range(count)]
    # Imported only where a process is forked: importing them takes tens of milliseconds.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        count - 1, mp_context=multiprocessing.get_context("fork"), initializer=_inherit, initargs=(work, shares)
    )
    with pool:
        futures: list[Future[list[Any]]] = []
        try:
            futures = [pool.submit(_do_share, number) for number in range(1, count)]
            parts = [work(shares[0])]
        except BaseException as exc:
            # No more processes to be had (OSError: this one then does all the work), or this
            # process's own share failed or was interrupted: the workers are stopped, not waited for
            # (the pool starts them all at once, and those started would otherwise hold the exit up).
            _stop(pool)
            if futures or not isinstance(exc, OSError):
                raise
            parts = [work(shares[0])]
        for number in range(1, count):
            done = _result(futures[number - 1]) if number <= len(futures) else None
            parts.append(work(shares[number]) if done is None else done)
    results: list[R] = [None] * len(jobs)  # type: ignore[list-item]
    for number, part in enumerate(parts):
        results[number::count] = part
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers at once (Python 3.11 has no public way to stop started workers)."""
    for process in list(pool._processes.values()):
        process.kill()
        process.join()
    pool.shutdown(wait=False, cancel_futures=True)


def _result(future: Future[list[Any]]) -> list[Any] | None:
    """A worker's results, or None if it failed (its share is then done here)."""
    try:
        return future.result()
    except Exception:
        return None
