"""The zensical engine: Zensical, Material for MkDocs' successor. It reads ``mkdocs.yml`` but runs
no Python plugin, so claimledger's pages reach it as the files of a plain project (:mod:`.plain`),
built by :mod:`.engine`; ``overrides/`` holds this engine's template overrides, used together with
those of :mod:`claimledger.engines.mkdocs`."""
