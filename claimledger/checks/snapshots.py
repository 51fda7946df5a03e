"""A snapshot's SHA-256 must match the file kept in the repository."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

from ..findings import Finding, error
from ..model import Dataset


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for source in dataset.sources.values():
        snapshot = source.snapshot
        if snapshot is None or snapshot.file not in dataset.snapshot_texts:
            continue
        digest = hashlib.sha256(dataset.snapshot_texts[snapshot.file].encode("utf-8")).hexdigest()
        if digest != snapshot.sha256:
            doc = source.document
            yield error(
                doc.path,
                doc.position(("snapshot", "sha256")),
                "snapshot-hash",
                "snapshot.sha256",
                f"{snapshot.file} has SHA-256 {digest}, not the recorded one",
                "a snapshot is never edited; if a new copy was taken on purpose, record its hash and retrieval date",
            )
