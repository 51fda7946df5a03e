"""The properdocs engine: the mkdocs engine's plugin and build, run by ProperDocs.

ProperDocs is the maintained fork of MkDocs 1.x, a drop-in replacement: once its
``properdocs.replacement`` module is imported, every ``mkdocs.*`` import in the process is answered
with ProperDocs' own module, so :mod:`claimledger.engines.mkdocs` runs on it unchanged, with the same
``mkdocs.yml``, theme and plugins. That only works in a process that has not loaded MkDocs yet:
``claimledger build --engine properdocs`` loads no site engine before it picks this one.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from . import EngineBuild, EngineUnavailable, Project


class ProperDocsEngine:
    name = "properdocs"

    def __init__(self) -> None:
        loaded = sys.modules.get("mkdocs")
        if loaded is not None and loaded.__name__ == "mkdocs":
            raise EngineUnavailable("the properdocs engine cannot run in a process that has loaded MkDocs already")
        importlib.import_module("properdocs.replacement")  # from now on, mkdocs.* is ProperDocs
        from .mkdocs.engine import MkDocsEngine

        self.engine = MkDocsEngine(package="properdocs")

    def start(self, project: Project, staging_dir: Path) -> EngineBuild:
        return self.engine.start(project, staging_dir)
