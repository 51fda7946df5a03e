"""The kinds of item a dataset holds (claims, sources, parties, metrics), in one registry.

Everything that differs from one kind to the next outside the site is said here once. Adding a kind
takes its definition (a model class and a ``$defs`` entry in the schema), one :class:`Kind` here and
its page's template; its exports, schema file and pages follow (``tests/test_toy_kind.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from . import items
from .model import Dataset, Metric, Party, Source
from .yamlsafe import Document

# (id, schema-valid document, where findings go) → the model object, or None if it has problems.
Builder = Callable[[str, Document, items.Collecting], Any]


@dataclass(frozen=True)
class Kind:
    """One kind of item."""

    name: str  # as ids name it: [[claim:x]], rule ref-claim, `claimledger new claim`
    data_folder: str  # its files' folder under claims/
    site_folder: str  # its pages' folder on the site: <site_folder>/<id>/
    schema_def: str  # the schema's $defs entry its files are validated against
    build: Builder
    dataset_field: str | None  # the Dataset field holding its items by id; None: in Dataset.more
    title: Callable[[Any], str]  # an item's title: its page's title and the text of links to it
    templates: str | None = None  # the package whose templates/<name>.html shows an item (None: the site's)

    def items(self, dataset: Dataset) -> Mapping[str, Any]:
        """The kind's items in ``dataset``, by id, sorted by id."""
        if self.dataset_field is None:
            return dataset.more.get(self.name, {})
        return getattr(dataset, self.dataset_field)  # type: ignore[no-any-return]

    def page_src(self, item_id: str) -> str:
        """The source path of an item's page (``claims/<id>.md``), as the site's page specs name it."""
        return f"{self.site_folder}/{item_id}.md"

    @staticmethod
    def document_path(item: Any) -> str:
        """The item's file, relative to the project root: what its edit link opens."""
        return item.document.path  # type: ignore[no-any-return]


KINDS: Mapping[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("claim", "claims", "claims", "claim", items.claim, "claims", attrgetter("statement")),
        Kind("source", "sources", "sources", "source", items.item(Source), "sources", attrgetter("title")),
        Kind("party", "parties", "parties", "party", items.item(Party), "parties", attrgetter("name")),
        Kind("metric", "metrics", "metrics", "metric", items.item(Metric), "metrics", attrgetter("title")),
    )
}


def kind_of_page(src_uri: str) -> Kind | None:
    """The kind whose item page ``src_uri`` (``claims/<id>.md``) is, if it is one."""
    folder, slash, rest = src_uri.partition("/")
    if not slash or "/" in rest or rest == "index.md":
        return None
    return next((kind for kind in KINDS.values() if kind.site_folder == folder), None)


def known_ids(dataset: Dataset) -> dict[str, set[str]]:
    """Per kind, the ids a reference may name: the items loaded, and those whose file failed to load
    (reported once, where they are, not again at every reference)."""
    return {name: set(kind.items(dataset)) | set(dataset.broken_ids.get(name, ())) for name, kind in KINDS.items()}
