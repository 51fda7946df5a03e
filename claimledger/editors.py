"""The editors on the record: the ids claims/publisher.yaml lists under ``editors:``.

Read from the file's YAML by the strict loader (the schema of the publisher file is applied where
the file is loaded for the site), so that anything that names an editor (who accepted a warning) can
be checked against the record. ``None`` while the publisher file lists no editors at all.
"""

from __future__ import annotations

from pathlib import Path

from . import paths
from .layout import Layout
from .loader import Limits
from .yamlsafe import YamlProblem, load_document


def editor_ids(root: Path) -> frozenset[str] | None:
    """The ids of the editors on the record; ``None`` if claims/publisher.yaml has no ``editors:``.

    An entry is a mapping with an ``id`` (and the editor's public name), or a plain id.
    """
    layout = Layout(root.resolve())
    path = layout.publisher_file
    if paths.check(layout.root, path) is not None or not path.is_file():
        return None
    try:
        if path.stat().st_size > Limits().max_file_size:
            return None  # reported, with its size, where the file is loaded
        data = load_document(layout.relative(path), path.read_bytes(), origin=str(path)).data
    except (OSError, YamlProblem):
        return None
    editors = data.get("editors") if isinstance(data, dict) else None
    if not isinstance(editors, list):
        return None
    ids = (entry.get("id") if isinstance(entry, dict) else entry for entry in editors)
    return frozenset(i for i in ids if isinstance(i, str))
