"""What each finding's rule id means, and what each status's evidence rule demands.

The texts are in ``data/rules.yaml``, one paragraph each; the Methodology and rating scale pages show
them, so that a contributor who meets a rule id can look it up.
"""

from __future__ import annotations

from importlib import resources

import yaml

# libyaml's loader where PyYAML has it: it reads the file in about 6 ms, the pure-Python one in about 45.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TEXTS = yaml.load((resources.files("claimledger") / "data" / "rules.yaml").read_text(encoding="utf-8"), _LOADER)
RULES: dict[str, str] = _TEXTS["rules"]
EVIDENCE_RULES: dict[str, str] = _TEXTS["evidence"]  # in a reader's words, by the name statuses.yaml gives
