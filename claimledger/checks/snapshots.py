"""A snapshot's SHA-256 must match the file kept in the repository."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

from ..findings import Finding, error
from ..record.model import Dataset


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for source in dataset.sources.values():
        snapshot = source.snapshot
        if snapshot is None or snapshot.file not in dataset.snapshot_texts:
            continue
        text = dataset.snapshot_texts[snapshot.file]
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != snapshot.sha256:
            doc = source.document
            unix = text.replace("\r\n", "\n").removeprefix("\ufeff")
            line_endings = hashlib.sha256(unix.encode("utf-8")).hexdigest() == snapshot.sha256
            yield error(
                doc.path,
                doc.position(("snapshot", "sha256")),
                "snapshot-hash",
                "snapshot.sha256",
                f"{snapshot.file} has SHA-256 {digest}, not the recorded one"
                + (": only its line endings (CRLF) or a byte-order mark differ" if line_endings else ""),
                f"restore the file as it was (`git checkout -- claims/{snapshot.file}`); on Windows, set "
                "`git config core.autocrlf input` so git keeps LF line endings"
                if line_endings
                else "a snapshot is never edited; if a new copy was taken on purpose, save it with "
                f"`claimledger snapshot {source.id} FILE --force`, which records its hash and retrieval date",
            )
