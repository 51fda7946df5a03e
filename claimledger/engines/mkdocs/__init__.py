"""The mkdocs engine (and, run by ProperDocs, the properdocs engine): MkDocs 1.x with Material.

- :mod:`.plugin`: the MkDocs plugin ``claimledger`` (the ``mkdocs.plugins`` entry point). It hands
  the outputs of :func:`claimledger.site.outputs.site_outputs` to MkDocs: a generated file for each,
  a page rendered when MkDocs writes it, search text for the search plugin, the claim pages'
  JSON-LD for the theme. Under ``claimledger build`` the build hands it the dataset already checked;
  under ``mkdocs build`` or ``mkdocs serve`` on their own it loads and checks the dataset itself.
- :mod:`.engine`: the engine ``claimledger build`` runs: reads ``mkdocs.yml`` and runs
  ``mkdocs build --strict`` in this process into the staging folder.
- :mod:`.docsguard`: the docs guard, a Python-Markdown extension the plugin registers: what
  Python-Markdown reads otherwise than ``claimledger check`` in the hand-written pages is stopped where
  they are rendered, under the plugin's ``docs_raw_html`` option.
- ``overrides/``: claimledger's additions to Material's templates (the JSON-LD in the page's head, a
  repository link that requests nothing from another site).

This package imports MkDocs through ``mkdocs.*`` only; ProperDocs answers those imports with its own
modules (:mod:`claimledger.engines.properdocs`).
"""
