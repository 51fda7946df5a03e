"""The mkdocs engine: MkDocs 1.x with Material, through the plugin ``claimledger`` (:mod:`.plugin`,
also run by ProperDocs), built by :mod:`.engine`; ``overrides/`` holds claimledger's additions to
Material's templates (the JSON-LD in the page's head, a repository link that requests nothing from
another site). The package imports MkDocs through ``mkdocs.*`` only, which ProperDocs answers."""
