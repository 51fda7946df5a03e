"""The item cache and the template cache, so that checking or building an unchanged dataset again is quick.

Each valid file's item is kept under the hash of the file's bytes. The cache lives in the user's cache
folder (:class:`claimledger.settings.Settings`), never in the repository, since it holds pickled
objects: only claimledger running as this user ever writes it. Files with problems are never cached.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from .. import __version__

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

# The modules whose code decides what a cached item holds: a change to any of them starts afresh.
_SHAPING_MODULES = (
    "record/model.py",
    "record/lean.py",
    "record/loader.py",
    "record/items.py",
    "record/yamlsafe.py",
    "record/schema.py",
    "schema/claimledger.schema.json",
)


def _code_key() -> str:
    """A digest of claimledger's version, Python's and the code that shapes an item."""
    return code_key(_SHAPING_MODULES)


@functools.cache
def code_key(names: tuple[str, ...]) -> str:
    """A digest of claimledger's version, Python's and the package's files ``names`` (paths inside it), as
    this process found them first: the code it runs is the code it imported."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__} {sys.version_info[:2]}".encode())
    package = resources.files("claimledger")
    for name in names:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


@functools.cache
def modules_key(folders: tuple[str, ...], files: tuple[str, ...] = ()) -> str:
    """:func:`code_key` of every module in the package's ``folders`` and of its ``files``, and Python's own release
    (its json and csv modules write what some caches keep, its urllib reads addresses)."""
    package = resources.files("claimledger")
    names = sorted(
        f"{folder}/{entry.name}"
        for folder in folders
        for entry in (package / folder).iterdir()
        if entry.name.endswith(".py")
    )
    return f"{code_key((*names, *files))}-{sys.version}"


def _private(path: Path) -> bool:
    """Whether this user owns ``path`` and its folder, and nobody else can write to them."""
    try:
        stats = [item.stat() for item in (path, path.parent)]
    except OSError:
        return False
    return all(stat.st_uid == os.getuid() and not stat.st_mode & 0o022 for stat in stats)


def file_key(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def _entry(value: object) -> bool:
    """Whether ``value`` has the shape of an entry: a content key and what is kept under it."""
    return type(value) is tuple and len(value) == 2 and type(value[0]) is bytes


# Items are pickled this many to a part: each part's pickler remembers only its own objects, and a part
# is read and written on its own, so neither the whole file nor a memo of every object is held at once.
ITEMS_PER_PART = 2000


@dataclass(frozen=True)
class _Part:
    """A part of the file as read: a digest of the entries it holds (:func:`_entries_digest`), and its bytes' place."""

    entries: bytes
    start: int
    end: int


def _entries_digest(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A digest of the paths and content keys of a part's entries, in order."""
    digest = hashlib.blake2b(digest_size=16)
    for path, key in entries:
        digest.update(f"{len(path)}:{path}{len(key)}:".encode())
        digest.update(key)
    return digest.digest()


class ItemCache:
    """Items by project-relative path and content hash; read once, written once if anything changed.

    The file holds a header (the code key and the number of parts) and then the items in parts of
    :data:`ITEMS_PER_PART`, each pickled on its own. A part that holds the same entries as the file read
    had in its place is copied from that file as it is, not pickled again: after one edit, one part is."""

    def __init__(
        self, root: Path, folder: Path, settings: str = "", *, code: str | None = None, suffix: str = ".pickle"
    ) -> None:
        """The cache of the project at ``root``, in ``folder``. ``settings``: the project's settings that
        decide what loads (its limits), if not the defaults; items loaded under other settings are not used.
        Another use of the same shape (an item's findings) names the ``code`` its values come from, and the
        ``suffix`` of its own file beside this one."""
        self.path = folder / (hashlib.blake2b(str(root).encode(), digest_size=12).hexdigest() + suffix)
        self.code = (_code_key() if code is None else code) + settings
        self.old: dict[str, tuple[bytes, Any]] = {}  # as read; an item used is moved to ``new``
        self.new: dict[str, tuple[bytes, Any]] = {}
        self.changed = False  # whether an item was put (a new or edited file)
        self._put: set[str] = set()  # the paths whose items were put
        self._parts: list[_Part] = []  # the parts of the file as read
        self._read_from: tuple[int, int, int, int] | None = None  # that file's device, inode, size and time
        # Pickles are read only from a file this user alone can write.
        if self.path.is_file() and _private(self.path):
            with contextlib.suppress(Exception):  # a cache is disposable: any trouble means starting afresh
                self.old = self._read()

    def _read(self) -> dict[str, tuple[bytes, Any]]:
        found: dict[str, tuple[bytes, Any]] = {}
        parts: list[_Part] = []
        with self.path.open("rb") as handle:
            header = pickle.load(handle)
            if not isinstance(header, dict) or header.get("code") != self.code:
                return {}
            for _ in range(header["parts"]):
                start = handle.tell()
                part = pickle.load(handle)
                if not isinstance(part, dict) or not all(map(_entry, part.values())):
                    return {}
                entries = _entries_digest((path, entry[0]) for path, entry in part.items())
                parts.append(_Part(entries, start, handle.tell()))
                found.update(part)
            self._parts, self._read_from = parts, _identity(os.fstat(handle.fileno()))
        return found

    def has(self, relative: str, key: bytes) -> bool:
        """Whether the cache holds the item of these bytes (without marking it as used)."""
        found = self.old.get(relative) or self.new.get(relative)
        return found is not None and found[0] == key

    def get(self, relative: str, key: bytes) -> Any | None:
        if not self.has(relative, key):
            return None
        if relative in self.old:
            self.new[relative] = self.old.pop(relative)
        return self.new[relative][1]

    def put(self, relative: str, key: bytes, item: Any) -> None:
        self.new[relative] = (key, item)
        self.old.pop(relative, None)
        self.changed = True
        self._put.add(relative)

    def save(self) -> None:
        """Write the items used or put, unless they are exactly those read: then the file stays as it is."""
        if not self.changed and not self.old:
            return
        entries = sorted(self.new.items())  # in the order of their paths: an edit leaves the other parts as they were
        parts = range(0, len(entries), ITEMS_PER_PART)
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile(dir=self.path.parent, delete=False, suffix=".tmp")  # noqa: SIM115
        except OSError:  # no cache folder to write to: the next run parses again
            return
        try:
            with self._earlier() as earlier, handle:
                pickle.dump({"code": self.code, "parts": len(parts)}, handle, protocol=pickle.HIGHEST_PROTOCOL)
                for index, start in enumerate(parts):
                    chunk = entries[start : start + ITEMS_PER_PART]
                    same = earlier is not None and self._same_part(index, chunk)
                    if same and earlier is not None:
                        _copy(earlier, handle, self._parts[index].start, self._parts[index].end)
                    else:
                        pickle.dump(dict(chunk), handle, protocol=pickle.HIGHEST_PROTOCOL)
            Path(handle.name).replace(self.path)
        except BaseException as exc:  # the cache stays as it was, and its half-written copy goes
            with contextlib.suppress(OSError):
                Path(handle.name).unlink()
            if not isinstance(exc, OSError):  # the disk full, say: the next run parses again
                raise

    def _same_part(self, index: int, chunk: list[tuple[str, tuple[bytes, Any]]]) -> bool:
        """Whether ``chunk`` holds what the part in its place in the file read held, none of it put since."""
        if index >= len(self._parts) or any(path in self._put for path, _ in chunk):
            return False
        return self._parts[index].entries == _entries_digest((path, entry[0]) for path, entry in chunk)

    @contextlib.contextmanager
    def _earlier(self) -> Iterator[BinaryIO | None]:
        """The file as it was read, open, if it is still that file (None if it was replaced since, or is gone)."""
        try:
            handle = self.path.open("rb") if self._read_from is not None else None
        except OSError:
            handle = None
        try:
            if handle is not None and _identity(os.fstat(handle.fileno())) != self._read_from:
                handle.close()
                handle = None
            yield handle
        finally:
            if handle is not None:
                handle.close()


def _copy(source: BinaryIO, target: IO[bytes], start: int, end: int) -> None:
    """The bytes of ``source`` from ``start`` to ``end``, appended to ``target`` a piece at a time."""
    source.seek(start)
    while start < end:
        piece = source.read(min(end - start, 1 << 20))
        if not piece:
            raise OSError("the cache file read ended early")
        target.write(piece)
        start += len(piece)


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def template_cache(folder: Path | None) -> BytecodeCache | None:
    """Compiled templates, in ``folder`` (None where there is none, or it is not this user's alone), keyed
    also by the settings of the environment at each lookup (a plugin may add a filter after the cache is set)."""
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (folder / ".private").touch(mode=0o600, exist_ok=True)
    except OSError:
        return None
    if not (_private(folder / ".private") and _private(folder)):
        return None
    from jinja2 import FileSystemBytecodeCache
    from jinja2.bccache import Bucket

    class SettingsKeyedCache(FileSystemBytecodeCache):
        def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
            where = name if filename is None else f"{name}|{filename}"
            key = hashlib.sha1(where.encode("utf-8")).hexdigest() + _environment_key(environment)
            bucket = Bucket(environment, key, self.get_source_checksum(source))
            self.load_bytecode(bucket)
            return bucket

    return SettingsKeyedCache(str(folder))


# The environment's settings that shape the code a template compiles to, besides its filters and tests.
_SETTINGS = [
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "autoescape",
    "finalize",
    "undefined",
    "newstyle_gettext",
]


def _environment_key(env: Environment) -> str:
    """A digest of what, besides a template's source, shapes the code it compiles to: the environment's
    class and settings, its filters and tests (constant arguments are run through them at compile time)
    and the versions of the packages that make them. Worked out once per shape of environment."""
    shape = (
        type(env),
        *(getattr(env, name, None) for name in _SETTINGS),
        tuple(sorted(env.extensions)),
        repr(sorted(env.policies.items())),
        tuple(env.filters.items()),
        tuple(env.tests.items()),
    )
    try:
        return _shape_digest(shape)
    except TypeError:  # a setting that cannot be a key (an unhashable callable): worked out afresh
        return _shape_digest.__wrapped__(shape)


@functools.lru_cache(maxsize=64)
def _shape_digest(shape: tuple[Any, ...]) -> str:
    import jinja2

    *settings, filters, tests = shape
    described: list[Any] = [_describe(value) for value in settings]
    described += [sorted((name, _describe(function)) for name, function in pairs) for pairs in (filters, tests)]
    return hashlib.blake2b(repr((_versions(), jinja2.__version__, described)).encode(), digest_size=12).hexdigest()


@functools.cache
def _versions() -> tuple[str, ...]:
    """claimledger's version and those of the packages whose filters and templates a build uses."""
    from importlib import metadata

    found = [__version__]
    for package in ("mkdocs", "mkdocs-material"):
        try:
            found.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            found.append("-")
    return tuple(found)


def _describe(value: Any) -> str:
    """A setting that may be a function: its name, what it takes (context, environment) and the values
    it closes over; never its address."""
    if not callable(value):
        return repr(value)
    cells = tuple(_plain_value(cell.cell_contents) for cell in getattr(value, "__closure__", None) or ())
    takes = getattr(value, "jinja_pass_arg", None)
    name = getattr(value, "__qualname__", type(value).__qualname__)
    return f"{getattr(value, '__module__', '')}.{name}{cells}{takes}"


def _plain_value(value: Any) -> str:
    """Simple values as they are; anything else by its type (its text may hold an address)."""
    plain = (str, int, float, bool, type(None))
    if isinstance(value, plain):
        return repr(value)
    if isinstance(value, (tuple, frozenset)) and all(isinstance(v, plain) for v in value):
        return repr(sorted(map(repr, value)) if isinstance(value, frozenset) else value)
    return type(value).__qualname__
