"""The properdocs engine: ProperDocs, the maintained fork of MkDocs 1.x, running the mkdocs engine's
plugin as a plugin, with the same ``mkdocs.yml``, theme and plugins. It answers every ``mkdocs.*``
import in its process with its own modules, so it builds in a process of its own
(``properdocs build --strict``, :class:`claimledger.engines.mkdocs.engine.ProperDocsBuild`), where
the plugin loads and checks the dataset itself.
"""

from .mkdocs.engine import ProperDocsBuild

__all__ = ["ProperDocsBuild"]
