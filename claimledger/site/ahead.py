"""Generated pages rendered ahead, in a second process, while the engine frames and writes the ones before.

An item page's body (the renderer's HTML) is about two fifths of a large build; the engine's own work on
each page (the theme's frame, the search index, writing the file) is the rest. On a machine with two
cores, :class:`RenderedAhead` forks once the pages to render are known: the forked process renders their
bodies in the engine's order and sends each back, with what it read (:mod:`claimledger.site.manifest`),
while this one frames and writes. The fork inherits the model, the renderer and its caches (nothing is
pickled on the way there); only the rendered HTML comes back, as the engine asks for it.

Where the pages are few and each costly (a rebuild's, mostly the lists of every claim, which the engine asks
for first, one after the other), the two share the rendering: when the engine asks for a page the other
process is still rendering, this one renders the next page the other has not begun, rather than wait, and
tells it to skip that one. Where they are many (a full build), this one has the engine's work on each, and
leaves all the rendering to the other.

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
    """The bodies of ``outputs``, rendered in that order by a forked process and this one: :meth:`take` one
    when it is due."""

    def __init__(self, outputs: Sequence[PageOutput], recorder: Recorder | None, *, share: bool = True) -> None:
        self._recorder = recorder
        self._share = share  # whether this process renders pages while the other renders the one asked for
        self._outputs = tuple(outputs)
        self._index = {output.path: index for index, output in enumerate(self._outputs)}
        self._due = set(self._index)  # not asked for yet
        self._early: dict[str, Rendered] = {}  # received, or rendered here, before they were asked for
        self._here: set[int] = set()  # the pages this process renders itself, the other told to skip them
        self._received = -1  # the last page received from the other process (it renders them in order)
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._notices: Connection | None = None  # tells the other process the pages rendered here
        skipped: Connection | None = None
        if share:
            import multiprocessing  # a process is forked: see above

            skipped, self._notices = multiprocessing.get_context("fork").Pipe(duplex=False)
        started = forked(_render_all, self._outputs, recorder, skipped, name="claimledger-pages")
        if skipped is not None:
            skipped.close()  # the forked process's copy alone stays open
        if started is not None:  # else every page is rendered here
            self._process, self._connection = started
        elif self._notices is not None:
            self._notices.close()
            self._notices = None

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
        # Many pages: this process has the engine's work on each, and leaves the rendering to the other (it
        # would keep what rendering them needs besides, for the rest of the build). Few, each costly (a
        # rebuild's lists of every claim): it shares them.
        return cls(outputs, recorder, share=len(outputs) < MIN_PAGES) if cost >= MIN_PAGES else None

    def take(self, output: PageOutput) -> Rendered:
        """``output`` rendered: by the other process, if it is one of those it renders and it did; else here."""
        path = output.path
        index = self._index.get(path)
        if index is None or path not in self._due:
            return render(output, self._recorder)
        try:
            return self._take(output, index)
        finally:
            self._due.discard(path)  # asked for: not kept if it comes again

    def _take(self, output: PageOutput, index: int) -> Rendered:
        path = output.path
        while True:
            found = self._early.pop(path, None)
            if found is not None:
                return found
            if self._connection is None or index in self._here:
                return render(output, self._recorder)
            if not self._share:  # the other process renders it: waited for
                self._receive(wait=True)
                continue
            if self._receive(wait=False):
                continue
            rendering = self._rendering()  # the page the other process is rendering, or will next
            if index != rendering:  # not begun over there: rendered here
                self._render_here(index, early=False)
                return render(output, self._recorder)
            ahead = self._after(index)
            if ahead is None:  # waited for
                self._receive(wait=True)
            else:  # the other renders this one: the next it would begin is rendered here meanwhile
                self._render_here(ahead, early=True)

    def _rendering(self) -> int | None:
        """The page the other process renders now, or next: the first after the last it sent that is not
        rendered here."""
        return self._after(self._received)

    def _after(self, index: int) -> int | None:
        after = index + 1
        while after in self._here:
            after += 1
        return after if after < len(self._outputs) else None

    def _render_here(self, index: int, *, early: bool) -> None:
        """Tell the other process to skip page ``index``; if ``early``, render it now, for when it is due (an
        error rendering it is met when it is)."""
        self._here.add(index)
        if self._notices is not None:
            try:
                self._notices.send(index)
            except OSError:  # the other process is gone: what it did not send is rendered here
                self.close()
        if early:
            output = self._outputs[index]
            with contextlib.suppress(Exception):
                self._early[output.path] = render(output, self._recorder)

    def _receive(self, *, wait: bool) -> bool:
        """A page from the other process, if one came (or, if ``wait``, once one comes); whether one did."""
        assert self._connection is not None
        try:
            if not wait and not self._connection.poll():
                return False
            sent, rendered = self._connection.recv()
        except (EOFError, OSError):  # the process stopped (its error is met again here, if any)
            self.close()
            return True
        index = self._index[sent]
        self._received = max(self._received, index)
        if sent in self._due and index not in self._here:  # not a page this process rendered as well
            if self._recorder is not None:  # one tuple per read in this process, as its own reads are noted
                known = self._recorder.known
                rendered = dataclasses.replace(
                    rendered, reads=frozenset(known.setdefault(r, r) for r in rendered.reads)
                )
            self._early[sent] = rendered
        return True

    def close(self) -> None:
        """Stop the other process, if it is still rendering, and let go of it."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process.close()
            self._process = None
        for connection in (self._connection, self._notices):
            if connection is not None:
                connection.close()
        self._connection = self._notices = None


def _render_all(
    outputs: Sequence[PageOutput], recorder: Recorder | None, skipped: Connection | None, sending: Connection
) -> None:
    """In the forked process: each page's :class:`Rendered`, sent in order, but those the other process
    renders itself (``skipped`` tells which, if it shares them); stops at the first error."""
    if skipped is not None:
        # A few costly pages: what the fork inherited is not collected here, where a collection would walk all
        # of it, and copy each page of memory it marks, for the sake of what these few pages make.
        gc.freeze()
    rendered_there: set[int] = set()
    with contextlib.suppress(BaseException), sending:  # the other process renders the rest, and meets it
        for index, output in enumerate(outputs):
            while skipped is not None and skipped.poll():
                rendered_there.add(skipped.recv())
            if index not in rendered_there:
                sending.send((output.path, render(output, recorder)))
