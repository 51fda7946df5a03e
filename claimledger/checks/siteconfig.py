"""What the checks need of the site configuration (``mkdocs.yml``), read as YAML nodes, which run
nothing (the site policy reads the file with the same functions): which hand-written pages may hold
raw HTML (the claimledger plugin's ``docs_raw_html``: ``true``, or a list of pages as findings name them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PLUGIN = "claimledger"
GUIDE_PAGE = "contributing.md"  # where the contributor guide (paths.GUIDE) is shown on the site
OPTION = "docs_raw_html"


@dataclass(frozen=True)
class DocsPolicy:
    """Which hand-written pages may hold raw HTML: none, all (True), or those named."""

    raw_html: bool | frozenset[str] = False

    @classmethod
    def from_option(cls, value: object) -> DocsPolicy:
        """The policy ``docs_raw_html: value`` sets; anything but ``true`` or a list of page paths
        sets the default, no raw HTML."""
        if isinstance(value, bool):
            return cls(value)
        if isinstance(value, list) and all(isinstance(page, str) for page in value):
            return cls(frozenset(page.strip("/") for page in value))
        return cls()

    def allows_raw_html(self, page: str) -> bool:
        return self.raw_html if isinstance(self.raw_html, bool) else page in self.raw_html


CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ["str", "int", "float", "bool", "null", "seq", "map", "binary", "timestamp", "set", "omap", "pairs"]
)


def plain_text(node: Node | None) -> str | None:
    """A plain scalar's text, or None (a tagged value, a list, a mapping)."""
    if isinstance(node, ScalarNode) and (node.tag in CORE_TAGS):
        return str(node.value)
    return None


def settings_of(node: Node | None) -> list[tuple[str, Node, Node]]:
    """A mapping's entries with plain keys: (key, key node, value node)."""
    if not isinstance(node, MappingNode):
        return []
    return [(key, k, v) for k, v in node.value if (key := plain_text(k)) is not None]


def mapping_entry(node: Node | None, name: str) -> tuple[Node, Node] | None:
    """The entry ``name`` of a mapping: the last, as MkDocs reads it (a second is reported)."""
    return next(((key_node, value) for key, key_node, value in reversed(settings_of(node)) if key == name), None)


def named_entries(node: Node | None) -> Iterator[tuple[str, Node, Node | None, str]]:
    """The named entries of a ``plugins:`` or ``markdown_extensions:`` setting, in either form:
    (name, where it is named, its options, its field)."""
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            name = plain_text(item)
            if name is not None:
                yield name, item, None, f"[{index}]"
            elif isinstance(item, MappingNode) and len(item.value) == 1 and (name := plain_text(item.value[0][0])):
                yield name, item.value[0][0], item.value[0][1], f"[{index}]"
    for name, key_node, value in settings_of(node):
        yield name, key_node, value, f".{name}"


def plugin_option(config: Node | None, option: str) -> tuple[Node, Node] | None:
    """An option of the claimledger plugin in a configuration's nodes: (its key, its value)."""
    plugins = mapping_entry(config, "plugins")
    entries = named_entries(plugins[1] if plugins else None)
    return mapping_entry(next((options for name, _, options, _ in entries if name == PLUGIN), None), option)


def read_docs_policy(config_file: Path) -> DocsPolicy:
    """The docs policy ``config_file`` sets; the default (no raw HTML) if it cannot be read (the site
    policy reports why) or the option is given by a tag (``!ENV``)."""
    try:
        found = plugin_option(yaml.compose(config_file.read_bytes(), Loader=yaml.SafeLoader), OPTION)
        value = yaml.safe_load(yaml.serialize(found[1])) if found else None
    except (OSError, yaml.YAMLError, ValueError, RecursionError):  # the site policy reports what is wrong
        return DocsPolicy()
    return DocsPolicy.from_option(value)
