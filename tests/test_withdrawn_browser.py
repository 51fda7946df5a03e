"""A withdrawn claim's page in a real browser (Debian's chromium, driven by Playwright): a reader sees
first that it was withdrawn, when and why, and axe-core finds no serious or critical problem, in
either palette. The minimal fixture with one claim withdrawn (tests/test_withdrawn_site.py) is built
and served on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from . import browsing
from .conftest import MINIMAL, REPO
from .sitebuild import build
from .test_withdrawn_site import REASON, withdraw

pytestmark = browsing.needs_chromium
browser_type_launch_args = browsing.browser_type_launch_args
PAGE = "claims/widget-defects-fell/"


@pytest.fixture(scope="module")
def withdrawn_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("withdrawn-browser") / "project"
    shutil.copytree(MINIMAL, root)
    withdraw(root)
    # The shipped site's look: its theme (palettes, features) and no generator notice in the footer.
    shipped = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    theme = shipped[shipped.index("theme:\n") : shipped.index("\nplugins:")]
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("theme:\n  name: material\n  font: false\n", theme)
    config.write_text(text + "extra:\n  generator: false\n", encoding="utf-8")
    result = build(root, root / "site")
    assert result.returncode == 0, result.stderr
    with browsing.served(root / "site") as url:
        yield url


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_a_reader_sees_first_that_the_claim_was_withdrawn_and_axe_finds_nothing_serious(
    browser: Browser, withdrawn_url: str, palette: str
) -> None:
    with browsing.axe_page(browser, palette, 390, 800) as page:
        page.goto(withdrawn_url + PAGE)

        notice = page.locator("article .ct-withdrawn")
        expect(notice.get_by_role("heading", name="Withdrawn on 1 June 2021")).to_be_visible()
        expect(notice).to_contain_text(REASON)
        # On a phone, the notice is on the first screen, above the verdict.
        box, verdict = notice.bounding_box(), page.locator("#verdict").bounding_box()
        assert box is not None and verdict is not None
        assert box["y"] < verdict["y"] and box["y"] < 800
        expect(page.locator("article .ct-badge.ct-status-withdrawn").first).to_have_text("Withdrawn")

        assert browsing.serious_violations(page) == []

        notice.get_by_role("link", name="The withdrawal").click()
        expect(page.locator("#change-2")).to_contain_text("Withdrawal")
