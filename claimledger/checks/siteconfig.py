"""What the checks need of the site configuration (``mkdocs.yml``), read without MkDocs.

Hand-written pages (under docs/, and the contributor guide the site shows) follow the markdown
policy of claim fields; raw HTML in them is refused unless the site's owner allows it with the
claimledger plugin's ``docs_raw_html`` option: ``true`` for every page, or a list of the pages
that may hold it, each as findings name it (``docs/about.md``, ``CONTRIBUTING.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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


class _TagBlindLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for plain values: its tags (``!ENV``, ``!!python/name:…``) are read as
    nothing, never run."""


def _nothing(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


for _prefix in ("!", "tag:yaml.org,2002:python/"):
    _TagBlindLoader.add_multi_constructor(_prefix, _nothing)


def _plugin_options(plugins: object) -> Any:
    """The options given to the claimledger plugin in a ``plugins:`` setting, in either of its forms."""
    entries: Iterable[object] = [plugins] if isinstance(plugins, dict) else plugins if isinstance(plugins, list) else ()
    for entry in entries:
        if isinstance(entry, dict) and "claimledger" in entry:
            return entry["claimledger"]
    return None


def read_docs_policy(config_file: Path) -> DocsPolicy:
    """The docs policy ``config_file`` sets; the default (no raw HTML) if it cannot be read, in which
    case the site policy (:mod:`claimledger.checks.sitepolicy`) reports what is wrong."""
    try:
        with config_file.open("rb") as stream:
            config = yaml.load(stream, Loader=_TagBlindLoader)
    except (OSError, yaml.YAMLError, ValueError, RecursionError):  # the site policy reports what is wrong
        return DocsPolicy()
    options = _plugin_options(config.get("plugins") if isinstance(config, dict) else None)
    return DocsPolicy.from_option(options.get(OPTION)) if isinstance(options, dict) else DocsPolicy()
