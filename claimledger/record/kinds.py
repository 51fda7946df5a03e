"""The kinds of item a dataset holds (claims, sources, parties), in one registry.

Everything that differs from one kind to the next, outside the site, is said here once: the folder
its files live in under ``claims/``, the folder of its pages on the site, the ``$defs`` entry of the
JSON Schema its files are validated against, the builder that makes its model object, where the
:class:`~claimledger.record.model.Dataset` keeps its items, and the title of an item. The loader, the
checks, ``[[kind:id]]`` references, the page list and the site's index of pages read it; what the
site shows of a kind (its template, its search text) is looked up by kind in
:mod:`claimledger.site.views`.

Adding a kind of item takes its definition (a model class and a ``$defs`` entry in the schema; its
builder is :func:`claimledger.record.items.item` of the class), one :class:`Kind` here, and its
page's template; its exports, per-kind schema file and pages follow (``tests/test_toy_kind.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from . import items
from .model import Dataset, Metric, Party, Source
from .yamlsafe import Document

Builder = Callable[[str, Document, items.Collecting], Any]
"""(id, schema-valid document, where findings go) → the model object, or None if it has problems."""


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
        found: Mapping[str, Any] = getattr(dataset, self.dataset_field)
        return found

    def page_src(self, item_id: str) -> str:
        """The source path of an item's page (``claims/<id>.md``), as the site's page specs name it."""
        return f"{self.site_folder}/{item_id}.md"

    @staticmethod
    def document_path(item: Any) -> str:
        """The item's file, relative to the project root: what its edit link opens."""
        path: str = item.document.path
        return path


KINDS: Mapping[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("claim", "claims", "claims", "claim", items.claim, "claims", attrgetter("statement")),
        Kind("source", "sources", "sources", "source", items.item(Source), "sources", attrgetter("title")),
        Kind("party", "parties", "parties", "party", items.item(Party), "parties", attrgetter("name")),
        Kind("metric", "metrics", "metrics", "metric", items.item(Metric), "metrics", attrgetter("title")),
    )
}
"""Every kind, in the order the loader reads them and the site lists their pages."""


def kind_of_page(src_uri: str) -> Kind | None:
    """The kind whose item page ``src_uri`` (``claims/<id>.md``) is, if it is one."""
    folder, slash, rest = src_uri.partition("/")
    if not slash or "/" in rest or rest == "index.md":
        return None
    for kind in KINDS.values():
        if kind.site_folder == folder:
            return kind
    return None


def known_ids(dataset: Dataset) -> dict[str, set[str]]:
    """Per kind, the ids a reference may name: the items loaded, and those whose file failed to load
    (reported once, where they are, not again at every reference)."""
    return {name: set(kind.items(dataset)) | set(dataset.broken_ids.get(name, ())) for name, kind in KINDS.items()}
