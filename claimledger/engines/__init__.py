"""Site engines: the programs that turn claimledger's outputs into a site, and their registry.

``claimledger build --engine NAME`` picks one of :data:`ENGINES` (docs/architecture.md describes
each); its build follows :class:`~claimledger.site.build.EngineBuild`. Adding an engine: a module with
its build class, and one :class:`EngineEntry` here. An entry is imported only when picked:
``claimledger check`` never imports an engine.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..site.build import Engine, EngineBuild, Project

__all__ = ["DEFAULT_ENGINE", "ENGINES", "EngineEntry", "EngineUnavailable", "Project"]


class EngineUnavailable(Exception):
    """The engine asked for cannot be used here (not installed, say); the message says what to do."""


@dataclass
class _Engine:
    name: str
    start: Callable[[Project, Path], EngineBuild]


@dataclass(frozen=True)
class EngineEntry:
    """An engine of the registry, loaded only when picked."""

    name: str
    factory: str  # "module:attribute": its build class, started with the project and the staging folder
    requires: str  # the package that must be importable
    extra: str | None  # the optional extra of claimledger that installs it; None: installed with claimledger
    preview: str  # the command that previews the site with live reload, in the project folder

    def load(self) -> Engine:
        """The engine; EngineUnavailable if its package is not installed (the message names the extra)."""
        if importlib.util.find_spec(self.requires) is None:
            install = f"pip install 'claimledger[{self.extra}]'" if self.extra else "pip install claimledger"
            raise EngineUnavailable(f"the {self.name} engine is not installed: {install}")
        module, _, attribute = self.factory.partition(":")
        return _Engine(self.name, getattr(importlib.import_module(module), attribute))


ENGINES: Mapping[str, EngineEntry] = {
    entry.name: entry
    for entry in (
        EngineEntry("mkdocs", "claimledger.engines.mkdocs.engine:MkDocsBuild", "mkdocs", None, "mkdocs serve"),
        EngineEntry(
            "properdocs",
            "claimledger.engines.properdocs:ProperDocsBuild",
            "properdocs",
            "properdocs",
            "properdocs serve -f mkdocs.yml",
        ),
        EngineEntry(
            "zensical",
            "claimledger.engines.zensical.engine:ZensicalBuild",
            "zensical",
            "zensical",
            "claimledger build --engine zensical && python -m http.server -b 127.0.0.1 -d site",
        ),
    )
}
"""Every engine ``claimledger build --engine`` offers; the first is the default."""
DEFAULT_ENGINE = next(iter(ENGINES))
