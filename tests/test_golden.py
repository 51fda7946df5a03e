"""Rendered pages of the fixture project match the golden files in tests/golden/.

The HTML is the product: a change to it must be deliberate.  After an
intended change, regenerate with ``UPDATE_GOLDEN=1 scripts/test tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.record.graph import build_graph
from claimledger.site.render import Renderer, SiteSettings
from claimledger.site.urls import page_specs

from .conftest import MINIMAL, TESTS

GOLDEN = TESTS / "golden"
PAGES = [
    "claims/widget-defects-fell.md",
    "claims/widget-report-exists.md",
    "sources/widget-post.md",
    "parties/widgets-inc.md",
    "claims/index.md",
    "dashboard.md",
    "timeline.md",
    "tags.md",
    "corrections.md",
]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    dataset, findings = check_project(MINIMAL, today=dt.date(2026, 1, 1))
    assert findings == []
    settings = SiteSettings("Widget claims", "https://widgets.example.org/", "https://example.org/edit/main/")
    return Renderer(dataset, build_graph(dataset), settings)


@pytest.mark.parametrize("src_uri", PAGES)
def test_rendered_page_matches_golden_file(renderer: Renderer, src_uri: str) -> None:
    spec = {s.src_uri: s for s in page_specs(renderer.dataset)}[src_uri]
    html = renderer.render(spec)
    golden = GOLDEN / (src_uri.replace("/", "__").removesuffix(".md") + ".html")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with UPDATE_GOLDEN=1 once"
    assert html == golden.read_text(encoding="utf-8")


def test_claim_review_json_ld_matches_golden_file(renderer: Renderer) -> None:
    claim = renderer.dataset.claims["widget-defects-fell"]
    text = renderer.claim_jsonld(claim) + "\n"
    golden = GOLDEN / "claims__widget-defects-fell.jsonld"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == Path(golden).read_text(encoding="utf-8")
