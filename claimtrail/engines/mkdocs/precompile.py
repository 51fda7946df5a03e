"""Compile a build's templates in a second process while the build gets on with its other work.

A small site spends a fifth of its build compiling Jinja2 templates, Material's and claimtrail's,
one after the other, each when it is first rendered. As soon as the configuration is read (before
the dataset is checked), a forked worker finds every template the build will render (each one, then
the ones it extends, includes or imports by name) and compiles them on the other core, from the last
the build will need to the first, streaming each one's code back through a pipe. The build compiles
from the first on, taking from the pipe what has arrived (:func:`claimtrail.cache.template_cache`)
and compiling the rest itself: the two meet in the middle, and the code is the same either way.

Compiled code is filed under the key of the template cache (the template's name, file and source,
and the environment's settings and filters), and, through the pipe, under the identities of the
environment's filters and tests too, so that code compiled under other settings or with other
functions is never used. What the worker compiles goes to the on-disk template cache as well.

There is no worker where forking is unavailable or unsafe, or with one process (``CLAIMTRAIL_JOBS=1``),
see :mod:`claimtrail.parallel`; templates the on-disk template cache holds are not sent. The worker is
one of the speed pieces :class:`claimtrail.settings.Settings` turns on or off (``template_worker``).

:func:`start` returns the build's end of the worker, a :class:`CompiledStream`: its ``take`` is what
:func:`claimtrail.cache.template_cache` looks compiled code up with, and its ``forget`` ends it. Whoever
started it ends it (the mkdocs engine's build, or the plugin under ``mkdocs build`` on its own).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import signal
import struct
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ...cache import identity_key, template_cache, template_key
from ...parallel import Mask, can_fork, fork_worker, kill, reap, restore_signals

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

# Environments, each with the names of the templates to start from.
Work = Sequence[tuple["Environment", Sequence[str]]]

_FRAME = struct.Struct(">I")  # the length of the record that follows: (key, bytecode) pickled
_ENDING = frozenset({signal.SIGTERM, signal.SIGINT})


class CompiledStream:
    """The build's end of the worker's pipe: compiled templates by key, as they arrive."""

    def __init__(self, pid: int, incoming: int, work: Work) -> None:
        self.pid: int | None = pid
        self.incoming: int | None = incoming
        # The worker's environments are kept alive meanwhile: no function made since can take the
        # place (and identity) of one of theirs.
        self.work = work
        self.buffer = bytearray()
        self.ready: dict[str, bytes] = {}

    def take(self, key: str) -> bytes | None:
        """The compiled code of one template, if the worker has sent it by now (it is not waited for)."""
        self._receive()
        return self.ready.pop(key, None)

    def wait(self) -> None:
        """Receive everything the worker sends, until it is done."""
        if self.incoming is not None:
            os.set_blocking(self.incoming, True)
        self._receive()

    def _receive(self) -> None:
        while self.incoming is not None:
            try:
                chunk = os.read(self.incoming, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:  # the worker is done (or gone): what arrived whole is kept
                self.stop()
                return
            self.buffer += chunk
            self._unpack()

    def _unpack(self) -> None:
        start = 0
        while len(self.buffer) - start >= _FRAME.size:
            (length,) = _FRAME.unpack_from(self.buffer, start)
            end = start + _FRAME.size + length
            if end > len(self.buffer):
                break
            key, code = pickle.loads(self.buffer[start + _FRAME.size : end])
            self.ready[key] = code
            start = end
        del self.buffer[:start]

    def stop(self) -> None:
        """Stop the worker if it is still at work, and let it go. It is asked to end (SIGTERM), which
        it does at once, but never halfway through writing a template to the cache."""
        incoming, self.incoming = self.incoming, None
        if incoming is not None:
            with contextlib.suppress(OSError):
                os.close(incoming)
        pid, self.pid = self.pid, None
        if pid is not None:
            _end(pid)

    def forget(self) -> None:
        """Stop, and drop what was sent and not taken (then, the worker's environments may go)."""
        self.stop()
        self.ready.clear()
        self.buffer.clear()
        self.work = ()


def _end(pid: int, patience: float = 5.0) -> None:
    try:
        if os.waitpid(pid, os.WNOHANG)[0]:  # ended already: nothing to ask
            return
    except ChildProcessError:  # reaped by the system already (SIGCHLD ignored)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            ended, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped by the system already (SIGCHLD ignored)
            return
        if ended:
            return
        time.sleep(0.001)
    kill(pid)  # stuck: no more waiting
    reap(pid)


def can_start(workers: int) -> bool:
    """Whether a worker can be started: two processes or more are wanted, and one can be forked."""
    return workers >= 2 and can_fork()


def start(work: Work, *, workers: int, cache_folder: Path | None = None) -> CompiledStream | None:
    """Fork a worker that compiles, for each environment, the named templates and those they name, and
    keeps them in the template cache in ``cache_folder`` too (None: no cache). None where no worker is
    started: fewer than two ``workers``, or no pipe or process to be had (the build then compiles its
    templates itself)."""
    if not can_start(workers):
        return None
    started: list[CompiledStream] = []

    def note(pid: int, incoming: int) -> None:
        os.set_blocking(incoming, False)
        started.append(CompiledStream(pid, incoming, work))

    fork_worker(functools.partial(_compile_and_send, work, cache_folder), note)
    return started[0] if started else None


def in_rendering_order(env: Environment, names: Sequence[str]) -> Iterator[tuple[str, str, str | None]]:
    """``(name, source, filename)`` of the named templates and every template they name with a
    constant (extends, include, import, from), depth first, each once: the order in which rendering
    meets them. Found from the templates' tokens, without parsing them (parsing is most of compiling).
    Templates that cannot be found, read or split into tokens are left to the build, which reports
    them."""
    seen: set[str] = set()
    stack = list(reversed(names))
    while stack:
        name = stack.pop()
        if name in seen or env.loader is None:
            continue
        seen.add(name)
        try:
            text, filename, _ = env.loader.get_source(env, name)
            named = named_templates(env, text, name, filename)
        except Exception:  # not found, unreadable, not UTF-8, not a template: the build will say
            continue
        yield name, text, filename
        stack.extend(reversed(named))


_NAMING = frozenset({"extends", "include", "import", "from"})


def named_templates(env: Environment, text: str, name: str, filename: str | None) -> list[str]:
    """The templates a template names as a constant: a tag's first word, then a string that is not
    the start of an expression (``"partials/" ~ language`` names none)."""
    tokens = list(env.lexer.tokenize(text, name, filename))
    found = []
    for at in range(len(tokens) - 3):
        tag, word, target, after = tokens[at : at + 4]
        if (
            tag.type == "block_begin"
            and word.type == "name"
            and word.value in _NAMING
            and target.type == "string"
            and after.type in ("block_end", "name")
        ):
            found.append(target.value)
    return found


def _compile_and_send(work: Work, cache_folder: Path | None, out: int, signals: Mask) -> None:
    """In the worker: find every template first, then compile them from the last the build will need
    to the first, sending each as soon as it is compiled, while the build compiles from the first on
    whatever it has not received: the two meet in the middle. Then leave, without running the
    parent's clean-up."""
    status = 1
    try:
        # Asked to end, or interrupted (unless interrupts are ignored here): the worker just ends.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        restore_signals(signals)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # how the build ends it
        stored = template_cache(cache_folder)  # what the build will find on disk need not be sent
        found = [(env, *template) for env, names in work for template in in_rendering_order(env, names)]
        pending = bytearray()  # sent as the pipe takes it, so that compiling never waits for the build
        os.set_blocking(out, False)
        for env, name, text, filename in reversed(found):
            record = _compiled(env, name, text, filename, stored)
            if record is not None:
                pending += _FRAME.pack(len(record)) + record
                _send(out, pending)
        os.set_blocking(out, True)
        _send(out, pending)
        status = 0
    finally:
        os._exit(status)


def _compiled(
    env: Environment, name: str, text: str, filename: str | None, stored: BytecodeCache | None
) -> bytes | None:
    """One template's record for the pipe, or None if the disk cache has it or it does not compile."""
    from jinja2.bccache import Bucket

    bucket = Bucket(env, template_key(env, name, filename), hashlib.sha1(text.encode("utf-8")).hexdigest())
    if stored is not None:
        stored.load_bytecode(bucket)
        if bucket.code is not None:
            return None
    try:
        bucket.code = env.compile(text, name, filename)
    except Exception:  # the build compiles it itself, and reports what is wrong
        return None
    if stored is not None:  # kept for the next build, whole: an end asked for meanwhile waits
        before = signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)
        try:
            stored.dump_bytecode(bucket)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
    return pickle.dumps((bucket.key + identity_key(env), bucket.bytecode_to_string()), pickle.HIGHEST_PROTOCOL)


def _send(out: int, pending: bytearray) -> None:
    """Write what the pipe takes now (all of it, if the pipe blocks)."""
    while pending:
        try:
            written = os.write(out, pending)
        except BlockingIOError:  # full for now: the rest goes with the next template
            return
        del pending[:written]
