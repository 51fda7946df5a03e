"""The files made from the whole dataset (the exports and feeds, :attr:`FileOutput.aside`), made in a second
process while the engine reads its files and renders the pages, and written straight into the site being built.

The process is forked once the dataset is checked and the outputs are known (:func:`start`): it shares the
model with the build, copy-on-write, and starts making the files at once; it writes nothing until the engine
says where (:meth:`Aside.go`), once it has cleaned the site folder. It sends back nothing but what it is
making and, at the end, which files it wrote (the aside files, and each ``claim.json`` it made anew along
with the exports). Where no process can be forked (no ``os.fork``, macOS, other threads running:
:func:`claimledger.record.parallel.can_fork`), or the settings ask for one process, :func:`start` gives
None and the engine makes them itself, as before.

A worker that fails, or dies, fails the build with a message naming the file it was making; one still at
work when the build fails is stopped, so that it writes nothing into a site being discarded.
"""

from __future__ import annotations

import contextlib
import signal
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exports.site import ExportFailed
from ..record.parallel import can_fork, forked
from ..settings import Settings
from .outputs import FileOutput, write_file

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess


class AsideFailed(Exception):
    """The files made aside could not all be made: the message says which one, and why."""


class Aside:
    """The forked process making the aside files of one build (see :func:`start`)."""

    def __init__(self, process: BaseProcess, messages: Connection, go: Connection) -> None:
        self.process = process
        self.messages = messages
        self.making = ""  # the file the process said it was making last
        self._go: Connection | None = go  # where to write, once known; None once said

    def go(self, folder: Path) -> None:
        """Let the process write, into ``folder`` (the site being built, cleaned by the engine)."""
        if self._go is not None:
            with contextlib.suppress(OSError):  # it ended: finish says how
                self._go.send(str(folder))
            self._go.close()
            self._go = None

    def finish(self) -> frozenset[str]:
        """Wait for the process to end (once :meth:`go` has said where to write); the site paths of the files it
        wrote. Raises :class:`AsideFailed` if it failed or died."""
        if self._go is not None:
            self.stop()
            raise RuntimeError("the exports' process was never told where to write")
        try:
            while True:
                try:
                    message = self.messages.recv()
                except EOFError:  # it ended without saying it was done: it died
                    self.process.join()
                    raise AsideFailed(
                        f"the process making the exports ended ({_ending(self.process.exitcode)})"
                        f" while making {self.making or 'them'}"
                    ) from None
                if message[0] == "making":
                    self.making = message[1]
                elif message[0] == "failed":
                    raise AsideFailed(f"making {message[1]} failed: {message[2]}")
                else:
                    return frozenset(message[1])
        finally:
            self.stop()

    def stop(self) -> None:
        """End the process now, if it has not ended (the build failed): it writes nothing more."""
        if self.process.exitcode is None:
            self.process.kill()
        self.process.join()
        self.messages.close()
        if self._go is not None:
            self._go.close()
            self._go = None


def start(outputs: Sequence[FileOutput], settings: Settings) -> Aside | None:
    """Start making the aside files among ``outputs`` in a forked process, which writes them once told where
    (:meth:`Aside.go`); None where the caller must make them itself."""
    if settings.workers <= 1 or not can_fork() or not any(output.aside for output in outputs):
        return None
    import multiprocessing  # imported only where a process is forked

    told, telling = multiprocessing.get_context("fork").Pipe(duplex=False)
    started = forked(_make, outputs, (told, telling), name="claimledger-exports")
    told.close()  # the forked process's copy alone stays open
    if started is None:  # the caller makes them
        telling.close()
        return None
    return Aside(*started, telling)


def _make(outputs: Sequence[FileOutput], go: tuple[Connection, Connection], messages: Connection) -> None:
    """In the forked process: make the aside files, writing each once told where (the first is made meanwhile),
    then the bulk files made with them anew."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly: the build says it was interrupted
    import multiprocessing

    told, telling = go
    telling.close()  # the build's end: without it, the build ending ends the wait below
    build = multiprocessing.parent_process()  # a build killed meanwhile: nothing more is written for it
    folder: Path | None = None
    path = ""
    try:
        for output in outputs:
            if build is not None and not build.is_alive():
                return
            if output.aside:
                path = output.path
                messages.send(("making", path))
                content = output.content()
                folder = folder or _told(told, build)
                if folder is None:  # the build ended, or stopped this process, before it said where
                    return
                write_file(folder / path, content)
                del content
        if folder is None and (folder := _told(told, build)) is None:
            return
        written = [output.path for output in outputs if output.aside]
        made = [output for output in outputs if output.made_aside is not None and output.made_aside()]
        if made:
            path = f"the {made[0].path.rpartition('/')[2]} files"  # the claim.json files
            messages.send(("making", path))
        for output in made:
            output.write(folder)
            written.append(output.path)
        messages.send(("done", written))
    except ExportFailed as exc:  # made with the others when the first was asked for: the one that failed
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        messages.send(("failed", exc.path, _reason(cause)))
    except Exception as exc:
        messages.send(("failed", path, _reason(exc)))


def _told(told: Connection, build: BaseProcess | None) -> Path | None:
    """The folder the build says to write into, once it says it; None if it ends first."""
    while not told.poll(_WAKE):
        if build is not None and not build.is_alive():
            return None
    try:
        return Path(told.recv())
    except EOFError:
        return None


_WAKE = 0.5  # seconds: how often a process waiting to be told where to write sees whether the build is alive


def _reason(exc: Exception) -> str:
    """One line: the exception, and where it was raised."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ is not None else None
    where = f" ({Path(frame.filename).name}, line {frame.lineno})" if frame is not None else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _ending(exitcode: Any) -> str:
    if isinstance(exitcode, int) and exitcode < 0:
        return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"
