"""The properdocs engine: ProperDocs, the maintained fork of MkDocs 1.x, running the mkdocs engine's
plugin as a plugin, with the same ``mkdocs.yml``, theme and plugins.

ProperDocs answers every ``mkdocs.*`` import in its process with its own module, so it builds in a
process of its own (:class:`claimledger.engines.mkdocs.engine.ProperDocsBuild`).
"""

from __future__ import annotations

from pathlib import Path

from ..site.build import Project
from .mkdocs.engine import ProperDocsBuild


class ProperDocsEngine:
    name = "properdocs"

    def start(self, project: Project, staging_dir: Path) -> ProperDocsBuild:
        return ProperDocsBuild(project, staging_dir)
