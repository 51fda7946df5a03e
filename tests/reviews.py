"""Claim texts signed off as ``claimledger review`` would sign them, for tests that write claims."""

from __future__ import annotations

import re
from pathlib import Path

from claimledger.findings import Finding
from claimledger.record import items
from claimledger.record.visible import fingerprint
from claimledger.record.yamlsafe import YamlProblem, load_document

# A fingerprint no claim has: a review that no longer covers its claim.
STALE = "a" * 64


class _Sink:
    def __init__(self) -> None:
        self.findings: list[Finding] = []


def fingerprint_of(text: str, claim_id: str = "test-claim") -> str:
    """The fingerprint of the claim ``text`` holds; :data:`STALE` if it does not build."""
    try:
        claim = items.claim(claim_id, load_document(f"claims/claims/{claim_id}.yaml", text.encode("utf-8")), _Sink())
    except (YamlProblem, KeyError, AttributeError, TypeError):
        return STALE
    return STALE if claim is None else fingerprint(claim)


def signed(text: str, by: str = "ana", date: str = "2021-04-01", claim_id: str = "test-claim") -> str:
    """``text`` (a claim without a review, ending in a line break) with a review of what it says."""
    return text + f"review:\n  by: {by}\n  date: {date}\n  fingerprint: {fingerprint_of(text, claim_id)}\n"


def resign(path: Path) -> None:
    """Record a fresh review of the claim file ``path`` (if it has one and builds): as an editor
    would after an edit, so that a test of something else meets no stale review."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"(?m)^  fingerprint: \S+$", text)
    if found is None:
        return
    print_ = fingerprint_of(text, path.stem)
    if print_ != STALE:
        path.write_text(text[: found.start()] + f"  fingerprint: {print_}" + text[found.end() :], encoding="utf-8")
