"""Where a project keeps its dataset."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .kinds import KINDS

DATA_DIR = "claims"
KIND_DIRS = {kind.name: kind.data_folder for kind in KINDS.values()}
STATUS_FILE = "statuses.yaml"
PUBLISHER_FILE = "publisher.yaml"  # optional
LIMITS_FILE = "limits.yaml"  # optional
SNAPSHOT_DIR = "snapshots"
SCHEMA_COPY = "schema/claimledger.schema.json"  # the project's copy of the schema, for editors
# Where each kind of item lives, as hints name it.
KIND_FOLDERS = {
    **{kind.name: f"{DATA_DIR}/{kind.data_folder}/" for kind in KINDS.values()},
    "status": f"{DATA_DIR}/{STATUS_FILE}",
}


@dataclass(frozen=True)
class Layout:
    """The folders of one project: ``claims/claims``, ``claims/sources``, ``claims/parties``,
    ``claims/statuses.yaml`` and ``claims/snapshots``."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    def kind_dir(self, kind: str) -> Path:
        return self.data_dir / KINDS[kind].data_folder

    @property
    def status_file(self) -> Path:
        return self.data_dir / STATUS_FILE

    @property
    def publisher_file(self) -> Path:
        return self.data_dir / PUBLISHER_FILE

    @property
    def limits_file(self) -> Path:
        return self.data_dir / LIMITS_FILE

    def relative(self, path: Path | str) -> str:
        """``path`` as findings name it: relative to the project root, with forward slashes."""
        text, root = str(path), str(self.root)
        if text.startswith(root + os.sep):  # the common case, without pathlib's slow relative_to
            return text[len(root) + 1 :].replace(os.sep, "/")
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()
