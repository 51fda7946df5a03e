"""The files made from the whole dataset (the exports and feeds, :attr:`FileOutput.aside`), made in a second
process while the engine reads its files and renders the pages, and written straight into the site being built.

The process is forked once the dataset is checked and the outputs are known (:func:`start`): it shares the
model with the build, copy-on-write, and starts making the files at once; it writes nothing until the engine
says where (:meth:`Aside.go`), once the site folder is clean, and it writes the claims' ``claim.json`` made
along with the exports once the engine has said which of them the previous site keeps (:meth:`Aside.keep`),
in either order. It sends back nothing but what it is making and, at the end, which files it wrote. Where
no process can be forked (no ``os.fork``, macOS, other threads running:
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

    def __init__(
        self, process: BaseProcess, messages: Connection, go: Connection, outputs: Sequence[FileOutput]
    ) -> None:
        self.process = process
        self.outputs = outputs
        self.messages = messages
        self.making = ""  # the file the process said it was making last
        self._go: Connection | None = go  # what the build says (where to write, what is kept); None once all said
        self._unsaid = {"folder", "kept"}

    def go(self, folder: Path) -> None:
        """Let the process write, into ``folder`` (the site being built, as the engine leaves it to be written)."""
        self._say("folder", str(folder))

    def keep(self, kept: frozenset[str]) -> None:
        """Say which of the bulk files made along with the exports (the claims' ``claim.json``) the previous site
        keeps, by site path: the process writes the others."""
        self._say("kept", _mark(self.outputs, kept))

    def _say(self, what: str, value: object) -> None:
        if self._go is not None and what in self._unsaid:
            self._unsaid.discard(what)
            with contextlib.suppress(OSError):  # it ended: finish says how
                self._go.send((what, value))
            if not self._unsaid:
                self._go.close()
                self._go = None

    def finish(self) -> frozenset[str]:
        """Wait for the process to end (once :meth:`go` and :meth:`keep` have been said); the site paths of the
        files it wrote. Raises :class:`AsideFailed` if it failed or died."""
        if self._go is not None:
            self.stop()
            raise RuntimeError("the exports' process was never told where to write, or what is kept")
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
    return Aside(*started, telling, outputs)


def _make(outputs: Sequence[FileOutput], go: tuple[Connection, Connection], messages: Connection) -> None:
    """In the forked process: make the aside files, writing each once told where (the first is made meanwhile),
    then the bulk files made with them that the previous site does not keep, once told which it keeps."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly: the build says it was interrupted
    import multiprocessing

    told, telling = go
    telling.close()  # the build's end: without it, the build ending ends the wait below
    said = _Said(told, multiprocessing.parent_process(), outputs)  # a build killed meanwhile: nothing more is written
    path = ""
    try:
        for output in outputs:
            if not said.alive():
                return
            if output.aside:
                path = output.path
                messages.send(("making", path))
                content = output.content()
                if (folder := said.folder()) is None:  # the build ended, or stopped this process, before it said
                    return
                write_file(folder / path, content)
                del content
        if (folder := said.folder()) is None or (kept := said.kept()) is None:
            return
        written = [output.path for output in outputs if output.aside]
        made = [output for output, stays in zip(_made_aside(outputs), kept, strict=True) if not stays]
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


class _Said:
    """In the forked process: what the build says (:meth:`Aside.go`, :meth:`Aside.keep`), each waited for when
    it is needed; None if the build ends first."""

    def __init__(self, told: Connection, build: BaseProcess | None, outputs: Sequence[FileOutput]) -> None:
        self._told, self._build, self._outputs = told, build, outputs
        self._said: dict[str, object] = {}

    def alive(self) -> bool:
        return self._build is None or self._build.is_alive()

    def folder(self) -> Path | None:
        """The folder to write into."""
        said = self._wait("folder")
        return Path(said) if isinstance(said, str) else None

    def kept(self) -> list[bool] | None:
        """Whether the previous site keeps it, for each bulk file made along with the aside files, in order."""
        said = self._wait("kept")
        return _marked(said, len(_made_aside(self._outputs))) if isinstance(said, bytes) else None

    def _wait(self, what: str) -> object:
        while what not in self._said:
            while not self._told.poll(_WAKE):
                if not self.alive():
                    return None
            try:
                key, value = self._told.recv()
            except EOFError:
                return None
            self._said[key] = value
        return self._said[what]


def _made_aside(outputs: Sequence[FileOutput]) -> list[FileOutput]:
    return [output for output in outputs if output.made_aside]


def _mark(outputs: Sequence[FileOutput], kept: frozenset[str]) -> bytes:
    """A bit for each bulk file made along with the aside files, in order: set where ``kept`` has its path. Sent
    as that (a bit a claim, where its path would be some forty bytes), it fits in the pipe: the build is not held
    up until the process reads it."""
    made = _made_aside(outputs)
    marks = bytearray((len(made) + 7) // 8)
    for index, output in enumerate(made):
        if output.path in kept:
            marks[index // 8] |= 1 << index % 8
    return bytes(marks)


def _marked(marks: bytes, count: int) -> list[bool]:
    """The ``count`` bits of :func:`_mark`'s ``marks``."""
    return [bool(marks[index // 8] >> index % 8 & 1) for index in range(count)]


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
