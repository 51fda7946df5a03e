"""Site engines: the programs that turn claimledger's outputs into a site, and the one interface to them.

claimledger says what a site contains (:func:`claimledger.site.outputs.site_outputs`); an engine adds
the hand-written pages under ``docs/`` and the theme's frame (navigation, search, header, footer)
and writes the site. ``claimledger build --engine NAME`` picks one from :data:`ENGINES`:

- ``mkdocs`` (the default): MkDocs 1.x with Material, through the plugin of
  :mod:`claimledger.engines.mkdocs`;
- ``properdocs``: the same plugin run by ProperDocs, the maintained fork of MkDocs 1.x
  (``pip install 'claimledger[properdocs]'``);
- ``zensical``: Zensical, Material's successor, building the site's pages written as plain files
  (:mod:`claimledger.engines.zensical`; ``pip install 'claimledger[zensical]'``).

The interface an engine follows (:class:`~claimledger.site.build.Engine`) is defined with the build
that drives it, :class:`claimledger.site.build.StagedBuild`: the checks first, the stale staging
folders of killed builds removed, the staging folder, the atomic swap, and the exit codes.

Adding an engine: a module with a class that follows :class:`Engine`, and one :class:`EngineEntry`
here naming it, the package it needs, the optional extra that installs it and its preview command.
The entry is loaded only when the engine is picked: ``claimledger check`` never imports an engine.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from ..site.build import Engine, EngineBuild, Project, SiteInput

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Engine",
    "EngineBuild",
    "EngineEntry",
    "EngineUnavailable",
    "Project",
    "SiteInput",
]


class EngineUnavailable(Exception):
    """The engine asked for cannot be used here (not installed, say); the message says what to do."""


@dataclass(frozen=True)
class EngineEntry:
    """An engine of the registry, loaded only when picked."""

    name: str
    factory: str  # "module:attribute", called with no arguments to make the Engine
    requires: str  # the package that must be importable
    extra: str | None  # the optional extra of claimledger that installs it; None: installed with claimledger
    preview: str  # the command that previews the site with live reload, in the project folder

    def load(self) -> Engine:
        """The engine; EngineUnavailable if its package is not installed (the message names the extra)."""
        if importlib.util.find_spec(self.requires) is None:
            install = f"pip install 'claimledger[{self.extra}]'" if self.extra else "pip install claimledger"
            raise EngineUnavailable(f"the {self.name} engine is not installed: {install}")
        module, _, attribute = self.factory.partition(":")
        return cast(Engine, getattr(importlib.import_module(module), attribute)())


ENGINES: Mapping[str, EngineEntry] = {
    entry.name: entry
    for entry in (
        EngineEntry("mkdocs", "claimledger.engines.mkdocs.engine:MkDocsEngine", "mkdocs", None, "mkdocs serve"),
        EngineEntry(
            "properdocs",
            "claimledger.engines.properdocs:ProperDocsEngine",
            "properdocs",
            "properdocs",
            "properdocs serve -f mkdocs.yml",
        ),
        EngineEntry(
            "zensical",
            "claimledger.engines.zensical.engine:ZensicalEngine",
            "zensical",
            "zensical",
            "claimledger build --engine zensical && python -m http.server -b 127.0.0.1 -d site",
        ),
    )
}
"""Every engine ``claimledger build --engine`` offers; the first is the default."""
DEFAULT_ENGINE = next(iter(ENGINES))
