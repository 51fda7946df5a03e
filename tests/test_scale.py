"""Scale guards, without timing: what a page weighs does not grow with the dataset (what an edit
rebuilds is in tests/test_incremental.py)."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.findings import Severity
from claimledger.tools.synthetic import write_project, write_site_project

from .sitebuild import build


def _claim_page_sizes(site: Path) -> list[int]:
    return [p.stat().st_size for p in (site / "claims").glob("claim-*/index.html")]


def test_a_claim_page_weighs_the_same_in_a_small_and_a_ten_times_larger_dataset(tmp_path: Path) -> None:
    sizes = {}
    for claims in (30, 300):
        root = write_site_project(tmp_path / f"p{claims}", claims)
        result = build(root, tmp_path / f"site{claims}")
        assert result.returncode == 0, result.stderr
        sizes[claims] = _claim_page_sizes(tmp_path / f"site{claims}")
    assert len(sizes[300]) == 300
    assert statistics.mean(sizes[300]) <= 1.03 * statistics.mean(sizes[30])
    assert max(sizes[300]) <= 1.05 * max(sizes[30])


@pytest.mark.parametrize("claims", [1, 2, 20, 40, 50, 60, 110])
def test_the_synthetic_generator_makes_a_valid_dataset_at_any_size(tmp_path: Path, claims: int) -> None:
    dataset, findings = check_project(write_project(tmp_path / "project", claims))
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert len(dataset.claims) == claims
