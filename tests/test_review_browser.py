"""The claim page's verdict and review, in the browser: a claim still as reviewed and one changed since
its review, at 390 and 1280 px, in the light and the dark palette, with axe-core."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from . import browsing
from .conftest import MINIMAL
from .sitebuild import build

pytestmark = browsing.needs_chromium
browser_type_launch_args = browsing.browser_type_launch_args

STALE = "widget-defects-fell"  # its rationale is reworded after its review
REVIEWED = "widget-report-exists"
# The shipped site's palettes: light or dark as the reader's system prefers.
PALETTES = """  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: indigo
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: indigo
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
"""


@pytest.fixture(scope="module")
def review_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("review") / "project"
    shutil.copytree(MINIMAL, root)
    claim = root / "claims" / "claims" / f"{STALE}.yaml"
    text = claim.read_text(encoding="utf-8")
    claim.write_text(text.replace("and the report is unpublished", "and the report was never published"))
    config = root / "mkdocs.yml"
    themed = config.read_text(encoding="utf-8").replace("  font: false\n", "  font: false\n" + PALETTES)
    config.write_text(themed + "extra:\n  generator: false\n")  # as the shipped site: no theme credit
    site = root.parent / "site"
    result = build(root, site)
    assert result.returncode == 0, result.stderr
    with browsing.served(site) as url:
        yield url


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_verdict_and_its_review_read_well_at_every_width_in_both_palettes(
    browser: Browser, review_site_url: str, palette: str, width: int
) -> None:
    with browsing.axe_page(browser, palette, width) as page:
        for claim_id, badge, reviewed in (
            (STALE, "Changed since review", "Last reviewed"),
            (REVIEWED, "Corroborated", "Reviewed"),
        ):
            page.goto(f"{review_site_url}claims/{claim_id}/")
            expect(page.locator("body")).to_have_attribute(
                "data-md-color-scheme", "slate" if palette == "dark" else "default"
            )
            verdict = page.locator(".ct-verdict")
            expect(verdict.locator(".ct-verdict-line .ct-badge")).to_have_text(badge)
            expect(verdict.locator("dt", has_text=reviewed)).to_be_visible()
            expect(verdict.locator(".ct-review")).to_contain_text("by Ana Example, 1 April 2021")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, claim_id
            assert browsing.serious_violations(page) == [], (claim_id, palette, width)
        stale_note = page.locator(".ct-review-stale")
        expect(stale_note).to_have_count(0)  # the page still as reviewed says nothing of the kind
