"""Each item's own findings, kept by the digest of its file, so that a check after an edit reads the edited items only.

The checks of an item's own (:data:`claimledger.checks.ITEM_CHECKS`, and the markdown's problems) read
nothing but the item and what is the same for the whole project: the status scale, the publisher (and
whether its file loaded), the kinds of item and claimledger's own code. They are handed the item and a
dataset holding only those (:func:`project_wide`): they cannot read another item. Their findings, with the
ids the item's markdown cites, are kept in the item cache's folder under the digest of the item's file
(:attr:`claimledger.record.model.Dataset.digests`), in a file keyed by the code of the checks and by
what the project-wide part holds; a change to either starts afresh. The cache is never trusted blindly:
a file that cannot be read, of another shape or another version is ignored, and so is an entry of
another shape, whose item is checked again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..findings import Finding
from ..record.cache import ItemCache, modules_key
from ..record.kinds import KINDS
from ..record.lean import lean
from ..record.loader import PUBLISHER
from ..record.model import Dataset
from ..record.parallel import map_chunks
from . import markup

# (item, the project-wide part of the dataset) -> the item's findings
ItemCheck = Callable[[Any, Dataset], Iterable[Finding]]
SUFFIX = ".findings.pickle"  # the cache file's, beside the item cache's own


@lean
@dataclass(frozen=True, slots=True)
class ItemFindings:
    """What an item's own checks found, and the items its markdown cites (``kind:id``), to be resolved."""

    findings: tuple[Finding, ...]
    cited: tuple[str, ...]


NOTHING = ItemFindings((), ())  # most items': one object shared by all


def project_wide(dataset: Dataset) -> Dataset:
    """The part of ``dataset`` that is the same for every item: its status scale and publisher, and whether the
    publisher's file failed to load; no item."""
    broken = {PUBLISHER: dataset.broken_ids[PUBLISHER]} if PUBLISHER in dataset.broken_ids else {}
    return Dataset(
        claims={}, sources={}, parties={}, scale=dataset.scale, publisher=dataset.publisher, broken_ids=broken
    )


def item_findings(
    dataset: Dataset,
    checks: Sequence[ItemCheck],
    workers: int | None = None,
    *,
    root: Path | None = None,
    cache_dir: Path | None = None,
) -> list[tuple[Any, ItemFindings]]:
    """Every item of ``dataset`` (kind by kind, in id order) with its own findings: from the cache in
    ``cache_dir`` (the item cache's folder, for the project at ``root``) where it holds them for the item's
    file as it is, worked out by ``checks`` (in ``workers`` processes) for the others."""
    project = project_wide(dataset)
    items = [item for kind in KINDS.values() for item in kind.items(dataset).values()]
    cache = None
    if cache_dir is not None and root is not None:
        cache = ItemCache(root.resolve(), cache_dir, _context(project, checks), code=_code(), suffix=SUFFIX)
    found: list[ItemFindings | None] = [None] * len(items)
    keys: list[bytes | None] = [None] * len(items)
    if cache is not None:
        for index, item in enumerate(items):
            keys[index] = key = dataset.digests.get(item.document.path) if _keepable(item) else None
            if key is not None:
                found[index] = _sound(cache.get(item.document.path, key))
    missing = [index for index, value in enumerate(found) if value is None]

    def work(indices: Sequence[int]) -> list[ItemFindings]:
        return [read_item(items[index], project, checks) for index in indices]

    for index, value in zip(missing, map_chunks(work, missing, workers), strict=True):
        found[index] = value = _shared(value)
        key = keys[index]
        if cache is not None and key is not None:
            cache.put(items[index].document.path, key, value)
    if cache is not None:
        cache.save()
    return [(item, value or NOTHING) for item, value in zip(items, found, strict=True)]


def read_item(item: Any, project: Dataset, checks: Sequence[ItemCheck]) -> ItemFindings:
    """The item's own findings (its markdown's first, then each check's in turn) and what its markdown cites."""
    findings, cited = markup.read_item(item)
    for check in checks:
        findings.extend(check(item, project))
    return _shared(ItemFindings(tuple(findings), tuple(cited)))


def _shared(value: ItemFindings) -> ItemFindings:
    return value if value.findings or value.cited else NOTHING


def _sound(value: object) -> ItemFindings | None:
    """``value`` if it is an item's findings as this code keeps them, else None (the item is checked again)."""
    if not isinstance(value, ItemFindings):
        return None
    fields = (value.findings, value.cited)
    if not all(type(field) is tuple for field in fields):
        return None
    if not all(type(f) is Finding for f in value.findings) or not all(type(c) is str for c in value.cited):
        return None
    return _shared(value)


def _keepable(item: Any) -> bool:
    """Whether the item's findings may be kept: an item of claimledger's own model, whose code the key covers
    (a kind registered from elsewhere is checked every time)."""
    return type(item).__module__.startswith("claimledger.")


@functools.cache
def _code() -> str:
    """A digest of the code an item's findings come from: claimledger's checks, its record (the model, the
    markdown, the arithmetic), its findings, markdown-it-py's version, which parses the markdown, and Python's
    own to the release (a release may change how urllib reads an address)."""
    try:
        parser = metadata.version("markdown-it-py")
    except metadata.PackageNotFoundError:
        parser = "-"
    return f"{modules_key(('checks', 'record'), ('findings.py', 'rules.py'))}-{parser}"


def _context(project: Dataset, checks: Sequence[ItemCheck]) -> str:
    """A digest of the project-wide part of the dataset, of the kinds of item and of the checks run."""
    described = (
        _plain(project.scale),
        _plain(project.publisher),
        sorted(project.broken_ids),
        [(kind.name, kind.data_folder, kind.schema_def) for kind in KINDS.values()],
        [f"{check.__module__}.{check.__qualname__}" for check in checks],
    )
    return "-" + hashlib.blake2b(repr(described).encode("utf-8"), digest_size=16).hexdigest()


def _plain(value: Any) -> Any:
    """``value`` as plain data, the same in every process: dataclasses by their compared fields (a document's
    positions are not), sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        compared = (f.name for f in dataclasses.fields(value) if f.compare)
        return (type(value).__qualname__, [(name, _plain(getattr(value, name))) for name in compared])
    if isinstance(value, (tuple, list)):
        return [_plain(entry) for entry in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_plain(entry)) for entry in value)
    if isinstance(value, dict):
        return sorted((repr(key), _plain(entry)) for key, entry in value.items())
    return repr(value)
