"""Generated pages rendered ahead, in a second process, while the engine frames and writes the ones before.

An item page's body (the renderer's HTML) is about two fifths of a large build; the engine's own work on
each page (the theme's frame, the search index, writing the file) is the rest. On a machine with two
cores, :class:`RenderedAhead` forks once the pages to render are known: the forked process renders their
bodies in the engine's order and sends each back, with what it read (:mod:`claimledger.site.manifest`),
while this one frames and writes. The fork inherits the model, the renderer and its caches (nothing is
pickled on the way there); only the rendered HTML comes back, as the engine asks for it.

This process renders none of them itself, even where they are few and each costly (a rebuild's lists of every
claim): the exports' process has the second core then, and a page rendered here ahead of its turn would be held
on top of the page being framed (measured at 10,000 claims: a rebuild sharing them took longer, and 10 MB more).

Whatever goes wrong over there (an error rendering a page, the process gone), the pages not yet received
are rendered here, as without it: the same error is then met here, with its usual message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..record.parallel import can_fork, forked
from .manifest import Read, Recorder
from .outputs import PageOutput
from .urls import PageSpec

if TYPE_CHECKING:  # imported where a process is forked: importing it takes tens of milliseconds
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

# Below this many pages' worth of rendering, forking a process and sending the pages back costs more than
# it saves. A page is weighed by what rendering it costs, in item pages (Renderer.weight).
MIN_PAGES = 300


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A generated page's HTML, and what rendering it read."""

    body: str  # the page's body HTML, without the theme's frame
    search: str | None  # what the search index takes instead of the body, if not the body
    jsonld: str | None  # the JSON-LD document for the page's head, if it has one
    reads: frozenset[Read]


def render(output: PageOutput, recorder: Recorder | None) -> Rendered:
    """``output``'s HTML, with what rendering it read (nothing noted without a ``recorder``)."""
    reading: contextlib.AbstractContextManager[set[Read]]
    reading = recorder.reading() if recorder is not None else contextlib.nullcontext(set())
    with reading as reads:
        search = output.search_text() if output.search_text is not None else None
        jsonld = output.jsonld() if output.jsonld is not None else None
        body = output.render()
    return Rendered(body, search, jsonld, frozenset(reads))


class RenderedAhead:
    """The bodies of ``outputs``, rendered in that order by a forked process: :meth:`take` one when it is due."""

    def __init__(self, outputs: Sequence[PageOutput], recorder: Recorder | None) -> None:
        self._recorder = recorder
        self._due = {output.path for output in outputs}  # not asked for yet
        self._early: dict[str, Rendered] = {}  # received before they were asked for
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        started = forked(_render_all, tuple(outputs), recorder, name="claimledger-pages")
        if started is not None:  # else every page is rendered here
            self._process, self._connection = started

    @classmethod
    def start(
        cls,
        outputs: Sequence[PageOutput],
        recorder: Recorder | None,
        workers: int,
        weight: Callable[[PageSpec], float] | None = None,
    ) -> RenderedAhead | None:
        """Rendering ``outputs`` ahead, where ``workers`` allows a second process, forking is safe and there is
        enough rendering to be worth it (each page weighed by ``weight``, in item pages; one each without it);
        else None."""
        if workers < 2 or not can_fork():
            return None
        cost = sum(weight(output.spec) for output in outputs) if weight is not None else len(outputs)
        return cls(outputs, recorder) if cost >= MIN_PAGES else None

    def take(self, output: PageOutput) -> Rendered:
        """``output`` rendered: by the other process, if it is one of those it renders and it did; else here."""
        path = output.path
        if path not in self._due:
            return render(output, self._recorder)
        try:
            while (found := self._early.pop(path, None)) is None:
                if self._connection is None:
                    return render(output, self._recorder)
                self._receive()
            return found
        finally:
            self._due.discard(path)  # asked for: not kept if it comes again

    def _receive(self) -> None:
        """The next page from the other process, once it comes."""
        assert self._connection is not None
        try:
            sent, rendered = self._connection.recv()
        except (EOFError, OSError):  # the process stopped (its error is met again here, if any)
            self.close()
            return
        if sent in self._due:
            if self._recorder is not None:  # one tuple per read in this process, as its own reads are noted
                known = self._recorder.known
                rendered = dataclasses.replace(
                    rendered, reads=frozenset(known.setdefault(r, r) for r in rendered.reads)
                )
            self._early[sent] = rendered

    def close(self) -> None:
        """Stop the other process, if it is still rendering, and let go of it."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process.close()
            self._process = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _render_all(outputs: Sequence[PageOutput], recorder: Recorder | None, sending: Connection) -> None:
    """In the forked process: each page's :class:`Rendered`, sent in order; stops at the first error."""
    if len(outputs) < MIN_PAGES:
        # A few costly pages (a rebuild's): what the fork inherited is not collected here, where a collection
        # would walk all of it, and copy each page of memory it marks, for the sake of what these few pages make.
        gc.freeze()
    with contextlib.suppress(BaseException), sending:  # the other process renders the rest, and meets it
        for output in outputs:
            sending.send((output.path, render(output, recorder)))
