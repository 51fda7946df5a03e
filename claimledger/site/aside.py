"""The files made from the whole dataset (the exports and feeds, :attr:`FileOutput.aside`), made in a second
process while the engine renders the pages, and written straight into the site being built.

The process is forked once the dataset is checked and the outputs are known: it shares the model with the
build, copy-on-write, and sends back nothing but what it is making and, at the end, which files it wrote
(the aside files, and each ``claim.json`` it made anew along with the exports). Where no process can be
forked (no ``os.fork``, macOS, other threads running: :func:`claimledger.record.parallel.can_fork`), or
the settings ask for one process, :func:`start` gives None and the engine makes them itself, as before.

A worker that fails, or dies, fails the build with a message naming the file it was making; one still at
work when the build fails is stopped, so that it writes nothing into a site being discarded.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exports.formats import ExportFailed
from ..record.parallel import can_fork, forked
from ..settings import Settings
from .outputs import FileOutput

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess


class AsideFailed(Exception):
    """The files made aside could not all be made: the message says which one, and why."""


class Aside:
    """The forked process making the aside files of one build (see :func:`start`)."""

    def __init__(self, process: BaseProcess, messages: Connection) -> None:
        self.process = process
        self.messages = messages
        self.making = ""  # the file the process said it was making last

    def finish(self) -> frozenset[str]:
        """Wait for the process to end; the site paths of the files it wrote. Raises :class:`AsideFailed`
        if it failed or died."""
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


def start(outputs: Sequence[FileOutput], folder: Path, settings: Settings) -> Aside | None:
    """Start making the aside files among ``outputs`` in a forked process, writing them into ``folder``
    (the site being built, already cleaned by the engine); None where the caller must make them itself."""
    if settings.workers <= 1 or not can_fork() or not any(output.aside for output in outputs):
        return None
    started = forked(_make, outputs, folder, name="claimledger-exports")
    return Aside(*started) if started is not None else None  # None: the caller makes them


def _make(outputs: Sequence[FileOutput], folder: Path, messages: Connection) -> None:
    """In the forked process: write the aside files, then the bulk files made with them anew."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly: the build says it was interrupted
    import multiprocessing

    build = multiprocessing.parent_process()  # a build killed meanwhile: nothing more is written for it
    path = ""
    try:
        for output in outputs:
            if build is not None and not build.is_alive():
                return
            if output.aside:
                path = output.path
                messages.send(("making", path))
                output.write(folder)
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


def _reason(exc: Exception) -> str:
    """One line: the exception, and where it was raised."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ is not None else None
    where = f" ({Path(frame.filename).name}, line {frame.lineno})" if frame is not None else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _ending(exitcode: Any) -> str:
    if isinstance(exitcode, int) and exitcode < 0:
        return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"
