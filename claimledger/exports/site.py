"""The exports as a site publishes them (:class:`SiteExports`), and each claim's ``claim.json``.

They are made from each claim's parts (:class:`ClaimParts`: its JSON, its row of the CSV, its rows of the
database), which depend on the claim's file alone. The parts are kept in a cache beside the item cache
(:func:`parts_cache`), by the bytes of the claim's file, so that a build after an edit makes anew only the
parts of the claims that changed; what the cache keeps is made from the claim itself, never read from a
site. Where no cache is kept, every claim's parts are made from it.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..record.cache import ItemCache, modules_key
from ..record.model import Claim, Dataset
from .formats import CSV_HEADER, FORMATS, ExportFormat, Text, claim_record, csv_row, export_data

if TYPE_CHECKING:  # the database's code (sqlite-utils) is imported where a database is made, not before
    from .sqlite import ClaimRows

PARTS_SUFFIX = ".exports.pickle"  # the cache file's, beside the item cache's own


class ClaimParts(NamedTuple):
    """A claim's part of each export the site publishes, made from its export record."""

    json: str  # its record as compact JSON, without a line end: its part of claims.json, and its claim.json
    csv: str  # its row of claims.csv, with its line end
    rows: ClaimRows  # its rows of each of the database's tables of claims


def claim_parts(record: Mapping[str, Any]) -> ClaimParts:
    """The parts of the claim whose export record is ``record``."""
    from .sqlite import claim_rows

    return ClaimParts(_COMPACT.encode(record), csv_row(record), claim_rows(record))


def parts_cache(root: Path, folder: Path) -> ItemCache:
    """The cache of the claims' parts of the project at ``root``, in ``folder`` (the item cache's)."""
    return ItemCache(root.resolve(), folder, code=modules_key(("record", "exports")), suffix=PARTS_SUFFIX)


class ExportFailed(Exception):
    """Making the export the site publishes at ``path`` (or its companions) failed: the cause says why."""

    def __init__(self, path: str) -> None:
        super().__init__(f"making {path} failed")
        self.path = path


class SiteExports:
    """The exports of a dataset as its site publishes them (compact), and each claim's record as JSON (its
    ``claim.json``): made from each claim's parts when the first is asked for, one format at a time as
    asked, each handed out once and then let go, so that a build holds none of them, nor the parts they are
    made from, longer than it must. One asked for again is made again. ``cache`` opens the cache of the
    claims' parts (:func:`parts_cache`), if there is one. The JSON of each claim made along with the exports
    is held for its ``claim.json`` where ``every_claim_json`` (no previous site keeps any); else only that of
    the claims whose parts were not in the cache (the claims that changed, mostly: the previous site keeps
    the others'), and any other asked for is made again."""

    def __init__(
        self,
        dataset: Dataset,
        cache: Callable[[], ItemCache | None] | None = None,
        *,
        every_claim_json: bool = True,
    ) -> None:
        self.dataset = dataset
        self.cache = cache
        self.every_claim_json = every_claim_json
        self.paths = tuple(path for export in FORMATS.values() for path in export.site_paths)
        self._files: dict[str, Text] = {}
        self._claims: dict[str, str] = {}  # the claims' JSON (no line end) held for their claim.json, by claim id
        self._data: dict[str, Any] | None = None  # what the formats not made yet are made from
        # Each claim's parts, in order, by export: each let go once its export is made.
        self._json: list[str] = []
        self._csv: list[str] = []
        self._rows: list[ClaimRows] = []
        self._left: set[str] = set()  # the formats not made yet from the data

    def file(self, path: str) -> Text:
        """The content of the export published at ``path`` (one of :attr:`paths`); claims.json's in pieces."""
        if path not in self._files:
            export = next(export for export in FORMATS.values() if path in export.site_paths)
            if self._data is None or export.name not in self._left:
                self._start()
            self._make(export)
        return self._files.pop(path)

    def claim_json(self, claim: Claim) -> str:
        """The claim's record as JSON, as its ``claim.json``: the one made with the exports, if held for it and not
        handed out yet."""
        made = self._claims.pop(claim.id, None)
        return (made if made is not None else _COMPACT.encode(claim_record(claim))) + "\n"

    def _start(self) -> None:
        """Each claim's parts (from the cache, or made; once for every file), and every other item's record."""
        ids: list[str] = []
        anew: set[str] = set()  # the claims whose parts were not in the cache
        digests = self.dataset.digests
        with _collector_paused():  # many small objects, no cycles: see claimledger.checks.project
            cache = self.cache() if self.cache is not None else None

            def part(claim: Claim) -> ClaimParts:
                path = claim.document.path
                key = digests.get(path)
                found = cache.get(path, key) if cache is not None and key is not None else None
                if not isinstance(found, ClaimParts):
                    found = claim_parts(claim_record(claim))
                    anew.add(claim.id)
                    if cache is not None and key is not None:  # a cache keeps what the claim itself gives
                        cache.put(path, key, found)
                ids.append(claim.id)
                return found

            data = export_data(self.dataset, part)
            if cache is not None:
                cache.save()
                cache = None  # what it read is let go
            parts: list[ClaimParts] = data["claims"]
            data["claims"] = []  # the parts, by export, from now on
            self._json, self._csv, self._rows = [p.json for p in parts], [p.csv for p in parts], [p.rows for p in parts]
            held = zip(ids, self._json, strict=True)
            self._claims = {i: text for i, text in held if self.every_claim_json or i in anew}
            del parts
        self._data, self._left = data, set(FORMATS)

    def _make(self, export: ExportFormat) -> None:
        """The files of ``export``; once every format is made, the data they are made from is let go."""
        data = self._data
        assert data is not None
        try:
            made = self._content(export, data)
            companions = export.companions(data) if export.companions else {}
        except Exception as exc:
            raise ExportFailed(export.site_path) from exc
        if tuple(companions) != export.companion_names:
            named = f"{export.companion_names}, not {tuple(companions)}"
            raise ValueError(f"the {export.name} export names its companions {named}")
        self._files[export.site_path] = made
        self._files.update(zip(export.site_paths[1:], companions.values(), strict=True))
        self._left.discard(export.name)
        if export.name == "json":
            self._json = []
        elif export.name == "csv":
            self._csv = []
        elif export.name == "sqlite":
            self._rows = []
        if not self._left:
            self._data = None

    def _content(self, export: ExportFormat, data: dict[str, Any]) -> Text:
        """The file of ``export``: those of the claims made from their parts, each claim's as it is."""
        if export.name == "json":
            return _json_pieces(data, {"claims": self._json})
        if export.name == "csv":
            return [CSV_HEADER, *self._csv]
        if export.name == "sqlite":
            from .sqlite import sqlite_file

            return sqlite_file(data, self._rows)
        return export.write(data, True)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _json_pieces(data: Mapping[str, Any], made: Mapping[str, list[str]]) -> list[str]:
    """``to_json(data, compact=True)`` in pieces, the lists under the keys of ``made`` given as their items' JSON
    texts (the same bytes, without a second encoding of those items, nor the encoder's pieces of the whole):
    pieces that are those texts themselves, so that no copy of the whole is made."""
    pieces: list[str] = []
    for key, value in data.items():
        pieces += (",", _COMPACT.encode(key), ":")
        items = made.get(key)
        if items is None:
            pieces.append(_COMPACT.encode(value))
            continue
        pieces.append("[")
        for item in items:
            pieces += (item, ",")
        pieces[-1] = "]" if items else "[]"
    if not pieces:
        return ["{}\n"]
    pieces[0] = "{"  # no comma before the first key
    pieces.append("}\n")
    return pieces


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
