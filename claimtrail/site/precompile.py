"""Compile a build's templates in a second process while the build gets on with its other work.

A small site spends a fifth of its build compiling Jinja2 templates, Material's and claimtrail's,
one after the other, each when it is first rendered. As soon as the configuration is read (before
the dataset is checked), a forked worker finds every template the build will render (each one, then
the ones it extends, includes or imports by name) and compiles them on the other core, from the last
the build will need to the first, streaming each one's code back through a pipe. The build compiles
from the first on, taking from the pipe what has arrived (:func:`claimtrail.cache.template_cache`)
and compiling the rest itself: the two meet in the middle, and the code is the same either way.
Compiled code is filed under the key of the template cache, the environment's settings and filters
included, so that code compiled under other settings is never used.

There is no worker where forking is unavailable or unsafe, or with one process (``CLAIMTRAIL_JOBS=1``),
see :mod:`claimtrail.parallel`; templates the on-disk template cache holds are not sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..cache import template_cache, template_key
from ..parallel import can_fork, kill, reap, workers_wanted

if TYPE_CHECKING:
    from jinja2 import Environment

# Environments, each with the names of the templates to start from.
Work = Sequence[tuple["Environment", Sequence[str]]]

_FRAME = struct.Struct(">I")  # the length of the record that follows: (key, bytecode) pickled


class Precompiler:
    """The build's end of a worker's pipe: compiled templates by key, as they arrive."""

    def __init__(self, pid: int, incoming: int) -> None:
        self.pid: int | None = pid
        self.incoming: int | None = incoming
        self.buffer = bytearray()
        self.ready: dict[str, bytes] = {}
        self.taken = 0

    def take(self, key: str) -> bytes | None:
        """The compiled code of one template, if the worker has sent it by now (it is not waited for)."""
        self._receive()
        code = self.ready.pop(key, None)
        self.taken += code is not None
        return code

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
        """Stop the worker if it is still at work, and let it go."""
        if self.incoming is not None:
            with contextlib.suppress(OSError):
                os.close(self.incoming)
            self.incoming = None
        if self.pid is not None:
            kill(self.pid)
            reap(self.pid)
            self.pid = None


_running: Precompiler | None = None


def start(work: Work) -> None:
    """Fork a worker that compiles, for each environment, the named templates and those they name."""
    global _running
    stop()
    if workers_wanted() < 2 or not can_fork():
        return
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to be had: the build compiles its templates itself
        os.close(read_end)
        os.close(write_end)
        return
    if pid == 0:
        _compile_and_send(work, write_end, read_end)
    os.close(write_end)
    os.set_blocking(read_end, False)
    _running = Precompiler(pid, read_end)


def running() -> bool:
    return _running is not None


def wait() -> None:
    """Wait for the worker, if any, to send all it compiles (tests use it to make the build take it all)."""
    if _running is not None:
        _running.wait()


def source() -> Callable[[str], bytes | None] | None:
    """Where a template cache finds what the worker compiled (None when there is no worker)."""
    return _running.take if _running is not None else None


def stop() -> int:
    """Stop the worker, if any; the number of templates the build took from it."""
    global _running
    if _running is None:
        return 0
    _running.stop()
    taken, _running = _running.taken, None
    return taken


def in_rendering_order(env: Environment, names: Sequence[str]) -> Iterator[tuple[str, str, str | None]]:
    """``(name, source, filename)`` of the named templates and every template they name with a
    constant (extends, include, import, from), depth first, each once: the order in which rendering
    meets them. Found from the templates' tokens, without parsing them (parsing is most of compiling).
    Templates that cannot be found or read are left to the build, which reports them."""
    from jinja2 import TemplateError

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
        except TemplateError:
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


def _compile_and_send(work: Work, out: int, parent_end: int) -> None:
    """In the worker: find every template first, then compile them from the last the build will need
    to the first, sending each as soon as it is compiled, while the build compiles from the first on
    whatever it has not received: the two meet in the middle. Then leave, without running the
    parent's clean-up."""
    status = 1
    try:
        from jinja2 import TemplateError
        from jinja2.bccache import Bucket

        os.close(parent_end)
        stored = template_cache()  # what the build will find on disk need not be sent
        found = [(env, *template) for env, names in work for template in in_rendering_order(env, names)]
        with os.fdopen(out, "wb") as stream:
            for env, name, text, filename in reversed(found):
                key = template_key(env, name, filename)
                bucket = Bucket(env, key, hashlib.sha1(text.encode("utf-8")).hexdigest())
                if stored is not None:
                    stored.load_bytecode(bucket)
                    if bucket.code is not None:
                        continue
                try:
                    bucket.code = env.compile(text, name, filename)
                except TemplateError:
                    continue
                if stored is not None:  # kept for the next build, as the build keeps what it compiles
                    stored.dump_bytecode(bucket)
                record = pickle.dumps((key, bucket.bytecode_to_string()), protocol=pickle.HIGHEST_PROTOCOL)
                stream.write(_FRAME.pack(len(record)) + record)
                stream.flush()
        status = 0
    finally:
        os._exit(status)
