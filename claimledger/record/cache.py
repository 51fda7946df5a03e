"""A cache of loaded items, so that checking an unchanged dataset again is quick.

Each file's item (claim, source or party, already checked against the schema) is kept under the
hash of the file's bytes: a file whose bytes are unchanged is not parsed again. The cache lives in
the folder :class:`claimledger.settings.Settings` names (the user's cache folder: ``$CLAIMLEDGER_CACHE_DIR``,
else ``$XDG_CACHE_HOME/claimledger``, else ``~/.cache/claimledger``), never in the repository, since it
holds pickled objects: only claimledger running as this user ever writes it. Without a folder there is
no cache (``CLAIMLEDGER_NO_CACHE=1``). Files with problems are never cached, so their findings are
always fresh.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

# The modules whose code decides what a cached item holds: a change to any of them starts afresh.
_SHAPING_MODULES = (
    "record/model.py",
    "record/loader.py",
    "record/items.py",
    "record/yamlsafe.py",
    "record/schema.py",
    "schema/claimledger.schema.json",
)


def _code_key() -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__} {sys.version_info[:2]}".encode())
    package = resources.files("claimledger")
    for name in _SHAPING_MODULES:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """Read a cache only if this user owns it and its folder, and nobody else can write to them."""
    try:
        for item in (path, path.parent):
            stat = item.stat()
            if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def file_key(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


class ItemCache:
    """Items by project-relative path and content hash; read once, written once if anything changed."""

    def __init__(self, root: Path, folder: Path | None, settings: str = "") -> None:
        """The cache of the project at ``root``, in ``folder`` (None: no cache; nothing is kept).
        ``settings``: the project's settings that decide what loads (its limits), if not the defaults;
        items loaded under other settings are not used."""
        self.enabled = folder is not None
        self.path = (folder or Path()) / (hashlib.blake2b(str(root).encode(), digest_size=12).hexdigest() + ".pickle")
        self.code = _code_key() + settings if self.enabled else ""
        self.old: dict[str, tuple[bytes, Any]] = {}
        self.new: dict[str, tuple[bytes, Any]] = {}
        if self.enabled and self.path.is_file() and _private(self.path):
            try:
                stored = pickle.loads(self.path.read_bytes())
                if isinstance(stored, dict) and stored.get("code") == self.code:
                    self.old = stored["items"]
            except Exception:  # a cache is disposable: any trouble reading it means starting afresh
                self.old = {}

    def get(self, relative: str, key: bytes) -> Any | None:
        found = self.old.get(relative)
        if found is None or found[0] != key:
            return None
        self.new[relative] = found
        return found[1]

    def has(self, relative: str, key: bytes) -> bool:
        """Whether the cache holds the item of these bytes (without marking it as used)."""
        found = self.old.get(relative)
        return found is not None and found[0] == key

    def put(self, relative: str, key: bytes, item: Any) -> None:
        self.new[relative] = (key, item)

    def save(self) -> None:
        if not self.enabled or (
            self.new.keys() == self.old.keys() and all(self.new[k][0] == self.old[k][0] for k in self.new)
        ):
            return
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.path.parent, delete=False, suffix=".tmp") as handle:
                handle.write(pickle.dumps({"code": self.code, "items": self.new}, protocol=pickle.HIGHEST_PROTOCOL))
            Path(handle.name).replace(self.path)
        except OSError:
            pass  # no cache folder to write to: the next run parses again, nothing else changes


def template_cache(folder: Path | None) -> BytecodeCache | None:
    """Compiled templates, in ``folder`` (None where there is none, or it is not this user's alone).

    Compiling templates is a fifth of building a small site (claimledger's and the theme's). Jinja2
    files a compiled template under its name, file and source only; here the settings of the
    environment compiling it are part of the key too, looked at at each lookup (a plugin may add a
    filter after the cache is set), so that code compiled under other settings is never read.
    """
    folder = _private_folder(folder) if folder is not None else None
    if folder is None:
        return None
    from jinja2 import FileSystemBytecodeCache
    from jinja2.bccache import Bucket

    class SettingsKeyedCache(FileSystemBytecodeCache):
        def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
            bucket = Bucket(environment, template_key(environment, name, filename), self.get_source_checksum(source))
            self.load_bytecode(bucket)
            return bucket

    return SettingsKeyedCache(str(folder))


def _private_folder(folder: Path) -> Path | None:
    """``folder``, made if need be, if it is this user's alone."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    probe = folder / ".private"
    try:
        probe.touch(mode=0o600, exist_ok=True)
    except OSError:
        return None
    return folder if _private(probe) and _private(folder) else None


def template_key(env: Environment, name: str, filename: str | None) -> str:
    """The key a template compiled in ``env`` is kept under: its name and file, and the settings of
    the environment."""
    where = name if filename is None else f"{name}|{filename}"
    return hashlib.sha1(where.encode("utf-8")).hexdigest() + _environment_key(env)


def _environment_key(env: Environment) -> str:
    """A digest of what, besides a template's source, shapes the code it compiles to: the
    environment's class and settings, its filters and tests (compiled code depends on what each takes,
    and constant arguments are run through them at compile time), and the versions of the packages
    that make them. Worked out once per shape of environment: the objects themselves are the key."""
    shape = (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        tuple(sorted(env.extensions)),
        env.autoescape,
        env.finalize,
        env.undefined,
        repr(sorted(env.policies.items())),
        getattr(env, "newstyle_gettext", None),
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

    (kind, *plain, extensions, autoescape, finalize, undefined, policies, newstyle, filters, tests) = shape
    settings = (
        _versions(),
        _describe(kind),
        jinja2.__version__,
        *plain,
        list(extensions),
        _describe(autoescape),
        _describe(finalize),
        _describe(undefined),
        policies,
        newstyle,
        sorted((name, _describe(function)) for name, function in filters),
        sorted((name, _describe(function)) for name, function in tests),
    )
    return hashlib.blake2b(repr(settings).encode(), digest_size=12).hexdigest()


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
    if value is None or isinstance(value, (str, int, float, bool)):
        return repr(value)
    if isinstance(value, (tuple, frozenset)) and all(
        v is None or isinstance(v, (str, int, float, bool)) for v in value
    ):
        return repr(sorted(map(repr, value)) if isinstance(value, frozenset) else value)
    return type(value).__qualname__
