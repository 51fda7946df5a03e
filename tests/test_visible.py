"""What a claim tells a reader is named once (claimledger.record.visible): a change there is editorial, a
change of form is not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from claimledger.checks.project import check_project
from claimledger.record.loader import claim_from_bytes
from claimledger.record.model import Claim
from claimledger.record.visible import (
    READER_VISIBLE,
    Fingerprints,
    awaits_review,
    changed_fields,
    fingerprint,
    fingerprint_cache,
    stale,
)

from .conftest import MINIMAL

REL = "claims/claims/widget-defects-fell.yaml"
TEXT = (MINIMAL / REL).read_text(encoding="utf-8")


def _claim(text: str) -> Claim:
    claim, findings = claim_from_bytes(MINIMAL, REL, text.encode("utf-8"))
    assert claim is not None, findings
    return claim


def test_every_reader_visible_name_is_a_field_of_a_claim() -> None:
    assert set(READER_VISIBLE) <= set(Claim.__dataclass_fields__)


def test_a_change_of_form_changes_nothing_a_reader_sees() -> None:
    before = _claim(TEXT)
    reflowed = TEXT.replace("tags: [defects]", "tags:\n  - defects") + "\n# a comment\n"
    after = _claim(reflowed)
    assert changed_fields(before, after) == []
    assert fingerprint(before) == fingerprint(after)


def test_a_tag_is_no_reader_visible_change() -> None:
    assert changed_fields(_claim(TEXT), _claim(TEXT.replace("tags: [defects]", "tags: [defects, quality]"))) == []


def test_a_changed_piece_of_evidence_is_a_reader_visible_change() -> None:
    before, after = _claim(TEXT), _claim(TEXT.replace("A reader doubts the figure.", "A reader doubts it."))
    assert changed_fields(before, after) == ["rebuttals"]
    assert fingerprint(before) != fingerprint(after)


def test_a_claim_unchanged_since_its_review_has_the_fingerprint_its_review_recorded() -> None:
    claim = _claim(TEXT)
    assert claim.review is not None
    assert fingerprint(claim) == claim.review.fingerprint


def test_the_claims_fingerprints_are_kept_by_the_bytes_of_their_files(tmp_path: Path) -> None:
    dataset = check_project(MINIMAL)[0]
    claim = next(claim for claim in dataset.claims.values() if claim.review is not None)
    path = claim.document.path
    worked_out = Fingerprints(dataset, fingerprint_cache(MINIMAL, tmp_path))
    assert worked_out.of(claim) == fingerprint(claim) == Fingerprints(dataset, None).of(claim)
    worked_out.save()
    assert fingerprint_cache(MINIMAL, tmp_path).get(path, dataset.digests[path]) == fingerprint(claim)

    cache = fingerprint_cache(MINIMAL, tmp_path)
    cache.put(path, dataset.digests[path], "0" * 64)  # what the cache holds for the file as it is, is taken
    cache.save()
    kept = Fingerprints(dataset, fingerprint_cache(MINIMAL, tmp_path))
    assert kept.of(claim) == "0" * 64 and awaits_review(claim, dataset, kept.of)

    edited = dataclasses.replace(dataset, digests={**dataset.digests, path: b"\x00" * 16})
    assert Fingerprints(edited, fingerprint_cache(MINIMAL, tmp_path)).of(claim) == fingerprint(claim), "other bytes"


def test_a_review_is_awaited_only_for_a_verdict_whose_review_is_stale() -> None:
    dataset = check_project(MINIMAL)[0]
    claim = next(claim for claim in dataset.claims.values() if claim.review is not None)
    status = dataset.scale.get(claim.status) if dataset.scale is not None else None
    assert status is not None and status.verdict, "the minimal project's reviewed claim has a verdict"
    assert not stale(claim) and not awaits_review(claim, dataset)
    assert stale(claim, lambda claim: "0" * 64) and awaits_review(claim, dataset, lambda claim: "0" * 64)
