"""The zensical engine: Zensical, Material for MkDocs' successor, building a plain project.

Zensical reads ``mkdocs.yml`` but runs no Python plugin, so claimledger's pages reach it as files:

- :mod:`.plain`: the plain project (every generated page as a page file, the site's ``docs/``, the
  site's files, the configuration inheriting the site's), written for each build;
- :mod:`.links`: a generated page's links, rewritten as Zensical reads links in raw HTML;
- :mod:`.engine`: the engine ``claimledger build --engine zensical`` runs: writes the project into the
  staging folder and has Zensical build it there, in this process, in strict mode;
- ``overrides/``: this engine's template overrides (its ``main.html`` with the claim pages' JSON-LD
  and claimledger's stylesheet and script, and the edit link of generated pages), used together with
  those of :mod:`claimledger.engines.mkdocs`.
"""
