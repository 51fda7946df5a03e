"""Split a list of independent jobs across the machine's cores, in forked worker processes.

Forked workers inherit the work and the jobs (never pickled: the work may close over the whole
dataset); only each share's results come back. Where forking is unavailable or unsafe (no ``os.fork``,
macOS, other threads running, as under ``mkdocs serve``) or the list is short, the jobs run here,
with the same results. ``CLAIMLEDGER_JOBS`` sets the number of processes (:mod:`claimledger.settings`).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

T = TypeVar("T")
R = TypeVar("R")

# Below this many jobs per process, starting a worker and pickling its results costs more than it saves.
MIN_JOBS_PER_WORKER = 300
MAX_WORKERS = 8
# A worker sends its results back this many jobs at a time: the pickled results of a whole share (half
# of a large dataset's items) would all be held at once on their way here.
JOBS_PER_PIECE = 1000


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


def forked(target: Callable[..., None], *args: Any, name: str) -> tuple[BaseProcess, Connection] | None:
    """``target(*args, sending)`` started in a forked process of its own, which ends with this one: the
    process, and the end of the pipe its ``sending`` end sends to (which sees the end of it once the process
    ends); None where no process could be started."""
    import multiprocessing  # imported only where a process is forked: tens of milliseconds

    fork = multiprocessing.get_context("fork")
    received, sending = fork.Pipe(duplex=False)
    process = fork.Process(target=_in_child, args=(received, target, *args, sending), name=name, daemon=True)
    try:
        process.start()
    except OSError:  # no more processes to be had
        received.close()
        return None
    finally:
        sending.close()  # the forked process's copy alone stays open
    return process, received


def _in_child(received: Connection, target: Callable[..., None], *args: Any) -> None:
    """In the forked process: let go of the reading end first, so that a send to a build that is gone fails."""
    received.close()
    target(*args)


# Set in a worker only, by the pool's initializer: the work and the shares, as the fork copied them.
_inherited: dict[str, Any] = {}


def _inherit(work: Callable[[Sequence[Any]], list[Any]], shares: list[Sequence[Any]]) -> None:
    _inherited.update(work=work, shares=shares)


def _do_piece(number: int, start: int) -> list[Any]:
    return list(_inherited["work"](_inherited["shares"][number][start : start + JOBS_PER_PIECE]))


def map_chunks(
    work: Callable[[Sequence[T]], list[R]],
    jobs: Sequence[T],
    workers: int | None = None,
    *,
    min_jobs: int = MIN_JOBS_PER_WORKER,
) -> list[R]:
    """``work(jobs)`` in up to ``workers`` processes (this one included), each taking every n-th job and at least
    ``min_jobs``; ``work`` returns one picklable result per job, sent back in pieces of :data:`JOBS_PER_PIECE`.
    A worker that fails has its piece done here."""
    count = min(workers or workers_wanted(), len(jobs) // max(1, min_jobs))
    if count <= 1 or not can_fork():
        return work(jobs)
    shares = [jobs[start::count] for start in range(count)]  # heavy and light files spread evenly
    # Imported only where a process is forked: importing them takes tens of milliseconds.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(count - 1, mp_context=fork, initializer=_inherit, initargs=(work, shares)) as pool:
        # On any failure the workers are stopped, not waited for: those started would hold the exit up.
        pieces = [
            (number, start) for number in range(1, count) for start in range(0, len(shares[number]), JOBS_PER_PIECE)
        ]
        parts: list[list[R]] = [[] for _ in range(count)]
        try:
            futures = [pool.submit(_do_piece, number, start) for number, start in pieces]
        except BaseException as exc:
            _stop(pool)
            if not isinstance(exc, OSError):
                raise
            return work(jobs)  # no more processes to be had: this one does all the work
        try:
            parts[0] = work(shares[0])
        except BaseException:
            _stop(pool)
            raise
        for future, (number, start) in zip(futures, pieces, strict=True):
            try:
                parts[number] += future.result()
            except Exception:  # the worker failed: its piece is done here
                parts[number] += work(shares[number][start : start + JOBS_PER_PIECE])
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
