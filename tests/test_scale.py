"""Scale guards, without timing: what a page weighs does not grow with the dataset, and an edit
under ``mkdocs serve --dirty`` touches only the pages it shows on."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.record.graph import build_graph
from claimledger.site.incremental import Snapshot, stamps, touched
from claimledger.site.urls import INDEX_PAGES
from claimledger.tools.synthetic import write_site_project

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


@pytest.fixture
def dataset_root(tmp_path: Path) -> Path:
    return write_site_project(tmp_path / "p", 40)


def _snapshot(root: Path) -> tuple[Snapshot, object]:
    dataset, _ = check_project(root)
    return Snapshot(stamps(dataset), build_graph(dataset), dataset.scale), dataset


def test_an_unchanged_dataset_touches_only_the_index_pages(dataset_root: Path) -> None:
    (before, old), (after, new) = _snapshot(dataset_root), _snapshot(dataset_root)
    assert touched(before, after, new, old) == {spec.src_uri for spec in INDEX_PAGES}  # type: ignore[arg-type]


def test_an_edited_claim_touches_its_page_its_sources_and_parties_but_not_unrelated_claims(dataset_root: Path) -> None:
    before, old = _snapshot(dataset_root)
    path = dataset_root / "claims" / "claims" / "claim-00007.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Synthetic claim 7 says", "Edited claim 7 says, at more length,"), encoding="utf-8")
    after, new = _snapshot(dataset_root)
    pages = touched(before, after, new, old)  # type: ignore[arg-type]
    assert pages is not None
    claim = new.claims["claim-00007"]  # type: ignore[attr-defined]
    assert "claims/claim-00007.md" in pages
    assert f"sources/{claim.first_appearance}.md" in pages
    assert f"parties/{claim.claimant}.md" in pages
    untouched = [f"claims/claim-{n:05d}.md" for n in range(40) if f"claims/claim-{n:05d}.md" not in pages]
    assert len(untouched) > 25


def test_adding_a_claim_touches_everything(dataset_root: Path) -> None:
    before, old = _snapshot(dataset_root)
    claims = dataset_root / "claims" / "claims"
    shutil.copyfile(claims / "claim-00001.yaml", claims / "claim-99999.yaml")
    after, new = _snapshot(dataset_root)
    assert touched(before, after, new, old) is None  # type: ignore[arg-type]
