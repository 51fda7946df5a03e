"""What each output of a build was made from, so that the next build reuses the outputs whose inputs did not change.

While a page renders, a :class:`Recorder` notes every item, graph entry, snapshot and history it reads
(:func:`recording` hands the renderer a dataset, graph and history that note their reads). The
:class:`Manifest`, kept in the built site, holds for each output those reads and a digest of what they
held, with the build's key (claimledger's code, the installed packages, the engine's configuration,
the hand-written pages: :func:`build_key`). A later build with the same key recomputes an output's
digest from the same reads on its own data: where it is unchanged, the output is too, and is reused.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import itertools
import json
import os
import shutil
import sys
from array import array
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..checks.gitinfo import History
from ..record.graph import Graph, RebuttalRef
from ..record.kinds import KINDS
from ..record.model import Dataset

MANIFEST = ".claimledger-manifest.json"  # in the site folder, beside the marker
# In the staging folder, while a build that reuses the previous site's files runs: which it reused.
REUSED = ".claimledger-reused.json"
FORMAT = 3  # lines of JSON (see Manifest); an older manifest means a full build
DIGEST = 16  # bytes of a read's digest

Read = tuple[str, str | None]  # (what was read, which key of it); key None: all of it
V = TypeVar("V")


class Recorder:
    """The reads of the output being made (none noted when no output is)."""

    def __init__(self) -> None:
        self.reads: set[Read] | None = None
        self.known: dict[Read, Read] = {}  # one tuple per read, however many outputs make it

    def note(self, label: str, key: str | None) -> None:
        if self.reads is not None:
            read = (label, key)
            self.reads.add(self.known.setdefault(read, read))

    @contextlib.contextmanager
    def reading(self, reads: set[Read] | None = None) -> Iterator[set[Read]]:
        """Note reads into ``reads`` (a new set if None) meanwhile; an outer reading sees them too."""
        outer, self.reads = self.reads, set() if reads is None else reads
        try:
            yield self.reads
        finally:
            if outer is not None:
                outer |= self.reads
            self.reads = outer


class Recorded(Mapping[str, V], Generic[V]):
    """A mapping that notes each key looked up, and notes the whole of it when it is walked or counted."""

    __slots__ = ("_data", "_label", "_recorder")

    def __init__(self, data: Mapping[str, V], label: str, recorder: Recorder) -> None:
        self._data, self._label, self._recorder = data, label, recorder

    def __getitem__(self, key: str) -> V:
        self._recorder.note(self._label, key)
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._recorder.note(self._label, key)
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._recorder.note(self._label, str(key))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._recorder.note(self._label, None)
        return iter(self._data)

    def __len__(self) -> int:
        self._recorder.note(self._label, None)
        return len(self._data)

    def keys(self) -> KeysView[str]:
        self._recorder.note(self._label, None)
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        self._recorder.note(self._label, None)
        return self._data.values()

    def items(self) -> ItemsView[str, V]:
        self._recorder.note(self._label, None)
        return self._data.items()


_DATASET_FIELDS = ("claims", "sources", "parties", "metrics")  # each noted under its own name


def recording(dataset: Dataset, graph: Graph, history: History, recorder: Recorder) -> tuple[Dataset, Graph, History]:
    """``dataset``, ``graph`` and ``history`` as a renderer reads them, each read noted by ``recorder``."""
    more = {kind: Recorded(items, f"more.{kind}", recorder) for kind, items in dataset.more.items()}
    items: dict[str, Any] = {name: Recorded(getattr(dataset, name), name, recorder) for name in _DATASET_FIELDS}
    dataset = dataclasses.replace(
        dataset,
        **items,
        snapshot_texts=Recorded(dataset.snapshot_texts, "snapshots", recorder),
        more=more,
    )
    links = {f.name: Recorded(getattr(graph, f.name), f"graph.{f.name}", recorder) for f in dataclasses.fields(graph)}
    graph = dataclasses.replace(graph, **links)
    history = dataclasses.replace(
        history,
        revisions=Recorded(history.revisions, "history.revisions", recorder),
        statuses=Recorded(history.statuses, "history.statuses", recorder),
    )
    return dataset, graph, history


class recorded_property(Generic[V]):
    """A :func:`functools.cached_property` of a renderer whose reads count for every output that uses it:
    worked out once, under its own reading, whose reads are noted again at each use."""

    def __init__(self, compute: Callable[[Any], V]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def slot(self) -> str:  # not the attribute's own name: the instance's value would hide this descriptor
        return f"_recorded_{self.name}"

    def __get__(self, owner: Any, kind: type | None = None) -> V:
        recorder: Recorder | None = owner.recorder
        found: tuple[V, set[Read]] | None = owner.__dict__.get(self.slot)
        if found is None:
            if recorder is None:
                found = (self.compute(owner), set())
            else:
                with recorder.reading() as reads:
                    value = self.compute(owner)
                found = (value, set(reads))
            owner.__dict__[self.slot] = found
        elif recorder is not None and recorder.reads is not None:
            recorder.reads |= found[1]
        return found[0]


class Digests:
    """What each read held in one build's data, as a digest. None is kept: a manifest asks once for each read
    it has not the digest of already (tens of thousands of reads at 10,000 claims)."""

    def __init__(self, dataset: Dataset, graph: Graph, history: History) -> None:
        self.dataset, self.graph, self.history = dataset, graph, history
        self._sources: dict[str, Mapping[str, Any] | None] = {}
        self._items: dict[int, tuple[Any, bytes]] | None = None  # each item's token by its id, while :meth:`many`

    @contextlib.contextmanager
    def many(self) -> Iterator[None]:
        """Meanwhile, each item's token is made once, not once for each read that holds it (a read of a mapping
        whole, or of a link, holds items that other reads hold too); let go after."""
        self._items = {}
        try:
            yield
        finally:
            self._items = None

    def of(self, read: Read) -> bytes:
        """The digest of what the read holds (:data:`DIGEST` bytes)."""
        return self._digest(*read)

    def _source(self, label: str) -> Mapping[str, Any] | None:
        """The mapping a read of ``label`` looks in (looked for once per label); None for a label not known."""
        if label not in self._sources:
            self._sources[label] = self._find(label)
        return self._sources[label]

    def _find(self, label: str) -> Mapping[str, Any] | None:
        kind, _, name = label.partition(".")
        if label in _DATASET_FIELDS:
            return getattr(self.dataset, label)  # type: ignore[no-any-return]
        if kind == "more":
            return self.dataset.more.get(name, {})
        if label == "snapshots":
            return self.dataset.snapshot_texts
        if kind == "graph" and name in {f.name for f in dataclasses.fields(self.graph)}:
            return getattr(self.graph, name)  # type: ignore[no-any-return]
        if kind == "history" and name in ("revisions", "statuses"):
            return getattr(self.history, name)  # type: ignore[no-any-return]
        return None

    def _digest(self, label: str, key: str | None) -> bytes:
        data = self._source(label)
        if data is None:  # a read this build cannot say the same of: never equal to the last
            return os.urandom(16)
        values = data.items() if key is None else [(key, data.get(key, _MISSING))]
        digest = hashlib.blake2b(digest_size=16)
        for name, value in values:
            digest.update(f"{len(name)}:{name}".encode())
            digest.update(self._token(value))
        return digest.digest()

    def _token(self, value: Any) -> bytes:
        """Bytes that change whenever ``value`` would show differently."""
        kind = value.__class__
        if kind is str:
            return f"\x01{len(value)}:{value}".encode()
        if kind is tuple:
            return f"\x03{len(value)}:".encode() + b"".join([self._token(v) for v in value])
        known = self._items.get(id(value)) if self._items is not None else None
        if known is not None and known[0] is value:
            return known[1]
        return self._new_token(value)

    def _new_token(self, value: Any) -> bytes:
        if value is _MISSING:
            return b"\x00missing"
        if isinstance(value, str):
            return f"\x01{len(value)}:{value}".encode()
        if isinstance(value, RebuttalRef):
            return b"\x02" + self._token(value.claim) + str(value.index).encode()
        if isinstance(value, tuple) and not dataclasses.is_dataclass(value):  # each token says where it ends
            return f"\x03{len(value)}:".encode() + b"".join(self._token(v) for v in value)
        document = getattr(value, "document", None)
        path: str = document.path if document is not None else ""
        found = self.dataset.digests.get(path) if path else None
        if found is not None:  # an item: its file's name (its id, where pages link to) and bytes, as loaded
            token = f"\x04{len(path)}:{path}".encode() + found
            if self._items is not None:
                self._items[id(value)] = (value, token)
            return token
        shown = repr(value)  # history entries: plain frozen dataclasses of text
        return f"\x05{len(shown)}:{shown}".encode()


_MISSING = object()


def _index(value: object, length: int) -> int:
    """``value`` as an index into a table of ``length`` rows; ValueError if it is not one."""
    if type(value) is not int or not 0 <= value < length:
        raise ValueError(f"not a row of the manifest's reads: {value!r}")
    return value


def _lines(lines: Iterator[str], count: int) -> Iterator[list[Any]]:
    """The three fields of each of the next ``count`` lines of a manifest; ValueError if there are fewer, or one is
    not a JSON list of three. Lines are decoded a few thousand at a time, as one JSON list of them: a call of
    json.loads a line was a third of the time reading the manifest took."""
    left = count
    while left:
        chunk = list(itertools.islice(lines, min(left, _CHUNK)))
        if not chunk:
            raise ValueError("fewer lines than the manifest's header says")
        decoded = json.loads("[" + ",".join(chunk) + "]")
        # One value a line: a line that holds two, or half of one, makes the count differ or the list not JSON.
        if len(decoded) != len(chunk) or not all(type(fields) is list and len(fields) == 3 for fields in decoded):
            raise ValueError("not a row of a manifest")
        left -= len(chunk)
        yield from decoded


_CHUNK = 4096  # lines decoded at once


def meta_digest(key: str, meta: Iterable[object]) -> str:
    """The digest of what the build states about an output besides its reads (``meta``), under its key."""
    stated = "".join([f"{len(text)}:{text}" for text in map(str, meta)])  # each says where it ends
    return hashlib.blake2b(f"{key}\x00{stated}".encode(), digest_size=16).hexdigest()


def _order(read: Read) -> tuple[str, bool, str]:
    return read[0], read[1] is not None, read[1] or ""


@dataclasses.dataclass(frozen=True)
class Entry:
    """One output: the digest of what the build states about it, and what rendering it read."""

    meta: str
    reads: frozenset[Read]


# An output as a manifest holds it: its meta digest and the rows of its reads in the manifest's table of reads
# (a few bytes a read, where a set of reads takes hundreds: a manifest has an entry for each of a site's files).
def _pack(meta: str, rows: Iterable[int]) -> bytes:
    """An output as a manifest holds it: its meta digest's bytes, then the rows of its reads in the manifest's table
    of reads, four bytes each (one object of a few dozen bytes, where a set of reads takes hundreds)."""
    return bytes.fromhex(meta) + array("I", rows).tobytes()


def _unpack(stored: bytes) -> tuple[str, array[int]]:
    """The meta digest and rows of an output as :func:`_pack` packs it."""
    rows = array("I")
    rows.frombytes(stored[DIGEST:])
    return stored[:DIGEST].hex(), rows


_UNDESCRIBED = "00" * DIGEST  # the meta digest of an output whose reads were noted and that was not described


class _Outputs(Mapping[str, Entry]):
    """A manifest's outputs as :class:`Entry` values, each made when it is looked up."""

    def __init__(self, manifest: Manifest) -> None:
        self._manifest = manifest

    def __getitem__(self, path: str) -> Entry:
        meta, rows = _unpack(self._manifest.stored[path])
        table = self._manifest.table
        return Entry(meta, frozenset(table[row] for row in rows))

    def __iter__(self) -> Iterator[str]:
        return iter(self._manifest.stored)

    def __len__(self) -> int:
        return len(self._manifest.stored)

    def __contains__(self, path: object) -> bool:
        return path in self._manifest.stored


class Manifest:
    """The outputs of one site by path, what each read, and what each read held; ``key``: the build's key.

    Kept compact: each read once in a table (with the digest of what it held), each output the rows it read.
    Stored as lines of JSON, read and written a line at a time: a header (its format, key and counts), a line
    per read (label, key, digest), then a line per output (path, meta digest, rows)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.table: list[Read] = []  # each read once, by row
        self.held = bytearray()  # by row, DIGEST bytes each: what the read held, as the site was built
        self.rows: dict[Read, int] = {}  # the row of each read in the table
        self.stored: dict[str, bytes] = {}  # each output's meta digest and the rows it read (see _pack)
        self.fresh: dict[int, bytes] | None = None  # the rows :meth:`changed` found changed, what each holds now
        self.earlier: Mapping[str, bytes] = {}  # the outputs of the manifest this one follows, to keep (see following)

    @property
    def outputs(self) -> Mapping[str, Entry]:
        """Each output's :class:`Entry`, by path."""
        return _Outputs(self)

    @classmethod
    def following(cls, old: Manifest, key: str) -> Manifest:
        """A manifest for the build after ``old``'s (whose :meth:`changed` was asked), starting from its table of
        reads, each holding what it holds now: an output made as before is then kept as it is (:meth:`keep`).
        ``old`` hands over its lookup of rows. The reads no output made are left out by :meth:`compacted`."""
        if old.fresh is None:
            raise ValueError("the earlier manifest was not asked what changed")
        made = cls(key)
        made.table, made.held, made.earlier = list(old.table), bytearray(old.held), old.stored
        for row, digest in old.fresh.items():
            made.held[row * DIGEST : (row + 1) * DIGEST] = digest
        # Handed over; made again if an earlier build that followed ``old`` took it and failed (mkdocs serve).
        rows = old.rows if len(old.rows) == len(old.table) else {read: row for row, read in enumerate(old.table)}
        made.rows, old.rows = rows, {}
        return made

    def _compaction(self) -> tuple[list[int], array[int]]:
        """The rows of the reads the outputs made, in order, and the row each has in that order (by its row)."""
        used: set[int] = set()
        for stored in self.stored.values():
            used.update(_unpack(stored)[1])
        order = sorted(used, key=lambda row: _order(self.table[row]))
        renumbered = array("I", bytes(4 * len(self.table)))
        for written, row in enumerate(order):
            renumbered[row] = written
        return order, renumbered

    def compacted(self) -> Manifest:
        """This manifest with the reads its outputs made alone, in order (as :meth:`write` writes them), and
        nothing of the one it followed."""
        order, renumbered = self._compaction()
        made = Manifest(self.key)
        made.table = [self.table[row] for row in order]
        made.rows = {read: row for row, read in enumerate(made.table)}
        for row in order:
            made.held += self._held(row)
        for path in sorted(self.stored):
            meta, rows = _unpack(self.stored[path])
            made.stored[path] = _pack(meta, sorted(renumbered[row] for row in rows))
        return made

    @classmethod
    def read(cls, site_dir: Path, key: str | None = None) -> Manifest | None:
        """The manifest of the site in ``site_dir``; None if it has none, one this version cannot read, or (when
        ``key`` is given) one made under another key, which is then read no further than its first line."""
        failures = (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)
        with contextlib.suppress(*failures), (site_dir / MANIFEST).open(encoding="utf-8") as lines:
            return cls._parse(lines, key)
        return None

    @classmethod
    def _parse(cls, lines: Iterable[str], expected: str | None) -> Manifest | None:
        """The manifest in ``lines``; None, or ValueError, TypeError, KeyError or IndexError, if it is not one."""
        found = iter(lines)
        header = json.loads(next(found, ""))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            return None
        if expected is not None and header.get("key") != expected:
            return None
        key, count, outputs = header["key"], header["reads"], header["outputs"]
        if not isinstance(key, str) or type(count) is not int or type(outputs) is not int or min(count, outputs) < 0:
            raise ValueError("not a manifest header")
        manifest = cls(key)
        names: dict[str, str] = {}  # one string a label or key, however many reads have it
        for label, name, held in _lines(found, count):
            if not (isinstance(label, str) and (name is None or isinstance(name, str)) and isinstance(held, str)):
                raise ValueError("not a row of reads")
            digest = bytes.fromhex(held)
            if len(digest) != DIGEST:
                raise ValueError("not a digest")
            read = (names.setdefault(label, label), name if name is None else names.setdefault(name, name))
            if manifest.rows.setdefault(read, len(manifest.table)) != len(manifest.table):
                raise ValueError("a read listed twice")
            manifest.table.append(read)
            manifest.held += digest
        for path, meta, rows in _lines(found, outputs):
            if (
                not (isinstance(path, str) and isinstance(meta, str) and isinstance(rows, list))
                or path in manifest.stored
            ):
                raise ValueError("not a row of outputs, or one listed twice")
            if len(bytes.fromhex(meta)) != DIGEST or len(meta) != 2 * DIGEST:  # fromhex reads "69 a7" as two bytes
                raise ValueError("not a digest")
            manifest.stored[path] = _pack(meta, [_index(row, count) for row in rows])
        if next(found, None) is not None:
            raise ValueError("more than the manifest's header says")
        return manifest

    def write(self, site_dir: Path) -> None:
        """Write the manifest, as :meth:`compacted` has it, into ``site_dir``, a line at a time."""
        order, renumbered = self._compaction()
        header = {"format": FORMAT, "key": self.key, "reads": len(order), "outputs": len(self.stored)}
        # Each line as json.dumps(..., separators=(",", ":")) writes it, its texts encoded by the function it uses
        # (a call of json.dumps a line was most of the time a rebuild took to write the manifest).
        text = json.encoder.encode_basestring_ascii
        labels: dict[str, str] = {}
        with (site_dir / MANIFEST).open("w", encoding="utf-8") as out:
            out.write(json.dumps(header, separators=(",", ":")) + "\n")
            for row in order:
                label, key = self.table[row]
                label_text = labels.get(label) or labels.setdefault(label, text(label))
                key_text = "null" if key is None else text(key)
                out.write(f'[{label_text},{key_text},"{self._held(row).hex()}"]\n')
            for path in sorted(self.stored):
                meta, rows = _unpack(self.stored[path])
                numbers = ",".join(map(str, sorted(renumbered[row] for row in rows)))
                out.write(f'[{text(path)},"{meta}",[{numbers}]]\n')

    def _held(self, row: int) -> bytes:
        return bytes(self.held[row * DIGEST : (row + 1) * DIGEST])

    def _row(self, read: Read, digests: Digests) -> int:
        """The row of ``read``, added if it has none, holding what ``digests`` says it holds."""
        found = self.rows.get(read)
        if found is None:
            found = self.rows[read] = len(self.table)
            self.table.append(read)
            self.held += digests.of(read)
        return found

    def add(self, path: str, entry: Entry, digests: Digests) -> None:
        """Record ``path`` as made from ``entry``'s reads, holding what ``digests`` says they hold."""
        self.stored[path] = _pack(entry.meta, [self._row(read, digests) for read in entry.reads])

    def note(self, path: str, reads: Iterable[Read], digests: Digests) -> None:
        """Add ``reads`` to what ``path`` is made from; what the build states of it is said by :meth:`describe`."""
        meta, rows = _unpack(self.stored[path]) if path in self.stored else (_UNDESCRIBED, array("I"))
        self.stored[path] = _pack(meta, sorted({*rows, *(self._row(read, digests) for read in reads)}))

    def describe(self, path: str, meta: str) -> None:
        """Say what the build states of ``path`` besides its reads (``meta``)."""
        self.stored[path] = bytes.fromhex(meta) + self.stored[path][DIGEST:]

    def keep(self, path: str) -> None:
        """Record ``path`` as the manifest this one follows has it, made from the same reads (holding what they
        hold now)."""
        self.stored[path] = self.earlier[path]

    def changed(self, digests: Digests) -> frozenset[Read]:
        """The reads whose digest is not what it was when this manifest's site was built."""
        fresh = {}
        with digests.many():
            for row, read in enumerate(self.table):
                digest = digests.of(read)
                if digest != self._held(row):
                    fresh[row] = digest
        self.fresh = fresh
        return frozenset(self.table[row] for row in fresh)

    def unchanged(self, path: str, meta: str) -> bool:
        """Whether ``path`` comes out as it did: the build states the same of it (``meta``) and none of what
        it read changed (as :meth:`changed`, asked first, found)."""
        if self.fresh is None:
            raise ValueError("the manifest was not asked what changed")
        earlier = self.stored.get(path)
        if earlier is None or earlier[:DIGEST] != bytes.fromhex(meta):
            return False
        return not self.fresh or self.fresh.keys().isdisjoint(_unpack(earlier)[1])


@dataclasses.dataclass(frozen=True)
class Tree:
    """What a site folder holds, by site path: its regular files, and its folders (each path ending in ``/``,
    the folder itself not among them); ``plain``: nothing else (no symbolic link, no other kind of file, no
    folder it could not read)."""

    files: frozenset[str]
    folders: frozenset[str]
    plain: bool

    @classmethod
    def walk(cls, folder: Path) -> Tree:
        """One walk of ``folder``, never through a symbolic link, with no look per file."""
        files: list[str] = []
        folders: list[str] = []
        plain = True
        waiting = [""]
        root = os.fspath(folder)  # joined as text: a Path object a folder was a third of the walk's time
        while waiting:
            prefix = waiting.pop()
            try:
                with os.scandir(os.path.join(root, prefix)) as entries:  # noqa: PTH118 (text, see above)
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False):
                            waiting.append(f"{prefix}{entry.name}/")
                            folders.append(waiting[-1])
                        elif entry.is_file(follow_symlinks=False):
                            files.append(f"{prefix}{entry.name}")
                        else:
                            plain = False
            except OSError:  # a folder gone or unreadable: what it held is not reused
                plain = False
        return cls(frozenset(files), frozenset(folders), plain)


class PreviousSite:
    """The site a build replaces, as far as it may be reused: its files reached without a link out of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @functools.cached_property
    def tree(self) -> Tree:
        return Tree.walk(self.folder)

    @property
    def files(self) -> frozenset[str]:
        """Its regular files, by site path; none under a symbolic link."""
        return self.tree.files

    def reuse(self, staging: Path, path: str) -> bool:
        """Put its file ``path`` into the staging folder (a hard link where the file system allows, else a
        copy); False if it has no such file. The previous site is never written to."""
        if path not in self.files:
            return False
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.folder / path, target)
        except OSError:
            shutil.copyfile(self.folder / path, target)
        return True


def report_reused(staging: Path, paths: Iterable[str]) -> None:
    """Say which outputs of the build in ``staging`` are the previous site's files as they are: the engine
    wrote nothing for them, and the build is committed with them (see claimledger.site.build)."""
    (staging / REUSED).write_text(json.dumps(sorted(paths), separators=(",", ":")), encoding="utf-8")


def take_reused(staging: Path) -> frozenset[str] | None:
    """What the engine reported it reused (:func:`report_reused`), its report taken out of ``staging``; None
    if it reported nothing. ValueError if the report is there but cannot be read: which files the site
    needs from the previous one is not known."""
    report = staging / REUSED
    try:
        stored = json.loads(report.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        stored = None
    report.unlink(missing_ok=True)
    if isinstance(stored, list) and all(isinstance(path, str) for path in stored):
        return frozenset(stored)
    raise ValueError(f"the engine's {REUSED} cannot be read")


@functools.cache
def _code_and_packages() -> bytes:
    """claimledger's own files (code, templates, assets, data), Python's version and every installed package's."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    package = Path(str(resources.files("claimledger")))
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\x00")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\n".join(installed).encode())
    for kind in KINDS.values():  # a kind's templates from another package, which may be edited in place
        if kind.templates and kind.templates.partition(".")[0] != "claimledger":
            try:
                digest.update(tree_digest(Path(str(resources.files(kind.templates) / "templates"))))
            except (ImportError, TypeError, OSError):  # not known: nothing is reused
                digest.update(os.urandom(16))
    return digest.digest()


def tree_digest(folder: Path) -> bytes:
    """The names and bytes of every file under ``folder`` (nothing if it is not there)."""
    digest = hashlib.blake2b(digest_size=16)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\x00")
                digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.digest()


def build_key(*parts: object) -> str:
    """The build's key: claimledger's code and the installed packages, with ``parts`` (the engine's
    configuration, the hand-written pages, the project's own settings files: whatever every page shows)."""
    digest = hashlib.blake2b(_code_and_packages(), digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        digest.update(f"{len(data)}:".encode() + data)
    return digest.hexdigest()
