"""Which generated pages an edit touches, so that ``mkdocs serve --dirty`` rewrites only those.

An edited item touches its own page, the pages of everything it is linked to (before and after the
edit), and the index pages; any other change (the scale, an item added or removed) touches every page.
Pages citing the item only inline (``[[kind:id]]``) catch up at the next full build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..record.graph import Graph
from ..record.kinds import KINDS, kind_of_page
from ..record.model import Dataset
from .urls import INDEX_PAGES
from .views import view


@dataclass(frozen=True)
class Snapshot:
    """What the last build saw: each item file's modification stamp, and the graph it built."""

    stamps: Mapping[str, tuple[int, int]]
    graph: Graph
    scale: object


def stamps(dataset: Dataset) -> dict[str, tuple[int, int]]:
    """(mtime in ns, size) of every item's file, by page source path; (-1, -1) where unknown."""
    result: dict[str, tuple[int, int]] = {}
    for kind in KINDS.values():
        for item_id, item in kind.items(dataset).items():
            result[kind.page_src(item_id)] = (-1, -1)
            if origin := item.document.origin:
                with contextlib.suppress(OSError):
                    stat = Path(origin).stat()
                    result[kind.page_src(item_id)] = (stat.st_mtime_ns, stat.st_size)
    return result


def _neighbours(page: str, graph: Graph, dataset: Dataset) -> set[str]:
    kind = kind_of_page(page)
    if kind is None:
        return set()
    return view(kind.name).neighbours(page.rpartition("/")[2].removesuffix(".md"), graph, dataset)


def touched(previous: Snapshot | None, current: Snapshot, dataset: Dataset, before: Dataset | None) -> set[str] | None:
    """The page source paths to rewrite, or None for all of them."""
    if previous is None or before is None or previous.scale != current.scale:
        return None
    if previous.stamps.keys() != current.stamps.keys():
        return None  # an item was added, removed or renamed: lists and links change everywhere
    changed = {page for page, stamp in current.stamps.items() if stamp != previous.stamps[page] or stamp[0] < 0}
    pages = set(changed)
    for page in changed:
        pages |= _neighbours(page, current.graph, dataset) | _neighbours(page, previous.graph, before)
    return pages | {spec.src_uri for spec in INDEX_PAGES}
