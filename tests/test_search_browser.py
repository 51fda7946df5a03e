"""The site's own search in a real browser (Debian's chromium, driven by Playwright), as a reader
types into it: an abbreviation finds its party and that party's sources first, a person's name finds
their page and their claims before words that merely begin like it, a verbatim fragment of a quote
finds its claim, and the list pages are found by their name."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import yaml
from playwright.sync_api import Locator, Page, expect

from . import browsing
from .conftest import REPO

pytestmark = browsing.needs_chromium
# The shared fixtures: chromium for Playwright, the shipped site built once and served.
browser_type_launch_args = browsing.browser_type_launch_args
site = browsing.site
site_url = browsing.site_url


def _search(page: Page, site_url: str, words: str) -> Locator:
    """Type ``words`` into the site's search box; the result links, best first."""
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(words, delay=20)
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    expect(results.first).to_be_visible()
    return results


def _pages(results: Locator, count: int, site_url: str) -> list[str]:
    """The site pages (``parties/ustr/``) of the first ``count`` results, without the highlighted
    words (``?h=``) or a section's anchor."""
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(min(count, results.count()))]
    return [urlsplit(urljoin(site_url, href)).path.removeprefix(urlsplit(site_url).path) for href in hrefs]


def test_ustr_finds_the_ustr_party_and_its_source_first(page: Page, site_url: str) -> None:
    results = _search(page, site_url, "USTR")
    expect(results.nth(1)).to_be_visible()
    assert set(_pages(results, 2, site_url)) == {"parties/ustr/", "sources/ustr-2017-notorious-markets-list/"}


def test_a_verbatim_fragment_of_a_quote_finds_its_claim_first(page: Page, site_url: str) -> None:
    results = _search(page, site_url, "overall amount of the IP complaints dropped")
    assert _pages(results, 1, site_url) == ["claims/alibaba-2017-ip-complaints-drop-42-percent/"]
    results.first.click()
    expect(page.locator("h1").first).to_contain_text("IP complaints to Alibaba fell by 42")


def test_a_list_page_is_found_by_its_name(page: Page, site_url: str) -> None:
    results = _search(page, site_url, "timeline")
    assert "timeline/" in _pages(results, 3, site_url)


def test_a_persons_name_finds_their_page_first_and_their_claims_before_words_that_begin_like_it(
    page: Page, site_url: str
) -> None:
    results = _search(page, site_url, "Jack Ma")  # "ma" also begins "major" and "makeover"
    expect(results.nth(9)).to_be_visible()
    hrefs = [urlsplit(results.nth(i).get_attribute("href") or "") for i in range(10)]
    # A page only a word beginning with "ma" matched is highlighted for "ma" alone.
    words = [parse_qs(href.query).get("h", [""])[0].split() for href in hrefs]
    named = words.index(["ma"])
    pages = _pages(results, named, site_url)
    claimed = (REPO / "claims" / "claims").glob("*.yaml")
    his = {f"claims/{path.stem}/" for path in claimed if yaml.safe_load(path.read_text())["claimant"] == "jack-ma"}
    assert his and pages[0] == "parties/jack-ma/"
    assert his <= set(pages)
