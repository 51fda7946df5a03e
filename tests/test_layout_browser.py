"""What a reader meets on a phone, in either palette, in a real browser (Debian's chromium, driven by
Playwright): charts in the theme's colours, a claims index that does not move as its script starts,
a header that keeps the site's subject, and a helpful page for an address the site does not have,
under a sub-folder too; and the claims table's figures sorted by unit, and a person's name found
first in search. On the shipped site, and on a site made by ``claimledger init`` with a few claims
of its own."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from claimledger.cli import main

from . import browsing
from .conftest import REPO
from .sitebuild import build

pytestmark = browsing.needs_chromium
# The shared fixtures: chromium for Playwright, the shipped site built once and served.
browser_type_launch_args = browsing.browser_type_launch_args
site = browsing.site
site_url = browsing.site_url

INIT_TITLE = "Ministry of Widgets: statistics 2024"
# Where both sites are published in these tests: a sub-folder, as a GitHub Pages project site is.
PUBLISHED = {"CLAIMLEDGER_SITE_URL": "https://example.org/sub/"}


class _SubFolder(SimpleHTTPRequestHandler):
    """A static host serving the site under /sub/, and its 404.html (with status 404) for any
    address it does not have, at any depth, as GitHub Pages does."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if not path.startswith("/sub/"):
            return str(Path(self.directory) / "no such file")
        return super().translate_path(path.removeprefix("/sub"))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _served_under_sub(site: Path) -> contextlib.AbstractContextManager[str]:
    return browsing.served(site, _SubFolder, "sub/")


@pytest.fixture(scope="module")
def published_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped site, built for its address in a sub-folder, and served there."""
    site = tmp_path_factory.mktemp("published") / "site"
    result = build(REPO, site, env=PUBLISHED)
    assert result.returncode == 0, result.stderr
    with _served_under_sub(site) as url:
        yield url


# A new site's first records: a minister's figure against its baseline, a depot's share (its name
# begins like hers), and a claim with no figure.
INIT_RECORDS = {
    "parties/mina-park.yaml": "name: Mina Park\nkind: person\n",
    "parties/widget-works.yaml": "name: Widget Works\nkind: organisation\n",
    "sources/ministry-release.yaml": "title: Widget statistics 2024\nkind: report\npublished: unknown\n",
    "claims/mina-park-output-up.yaml": """\
statement: Widget output rose to 1,120 widgets in 2024, from 1,000 in 2023.
quote: output rose to 1,120 widgets
claimant: mina-park
date: unknown
value: 1120
unit: count
counted: widgets
period: 2024
baseline:
  value: 1000
  period: 2023
  quote: from 1,000 in 2023
""",
    "claims/parkway-depot-share.yaml": """\
statement: The Parkway depot made 40 % of the widgets in 2024.
quote: the Parkway depot made 40%
claimant: widget-works
date: unknown
value: 40
unit: percent
""",
    "claims/widget-works-quality.yaml": """\
statement: Widget Works makes the best widgets in the region.
quote: the best widgets in the region
claimant: widget-works
date: unknown
""",
}
INIT_APPEARANCE = """\
first_appearance: ministry-release
appearances:
  - source: ministry-release
    quote: {quote}
status: unverified
rationale: Not checked yet.
"""


@pytest.fixture(scope="module")
def init_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site made by ``claimledger init``, with a few records added, built for its address in a
    sub-folder, and served there."""
    root = tmp_path_factory.mktemp("init") / "ministry"
    with contextlib.redirect_stdout(None):
        assert main(["init", str(root), "--title", INIT_TITLE]) == 0
    for name, text in INIT_RECORDS.items():
        path = root / "claims" / name
        path.parent.mkdir(exist_ok=True)
        if name.startswith("claims/"):
            text += INIT_APPEARANCE.replace("{quote}", text.split("quote: ")[1].split("\n")[0])
        path.write_text(text, encoding="utf-8")
    result = build(root, root / "site", env=PUBLISHED)
    assert result.returncode == 0, result.stderr
    with _served_under_sub(root / "site") as url:
        yield url


# -- charts: the theme's colours, readable in both palettes -----------------------------------------

# Each bar's and each label's colour against what lies behind it (colours with transparency laid
# over the page's background first), WCAG's contrast ratio, and the text's size on screen. A bar
# counts as seen by its fill or, if it has one, by its outline, whichever stands out more.
CONTRASTS = """selector => {
  const rgba = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
  const backdrop = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) layers.unshift(colour);
      if (colour[3] === 1) break;
    }
    return layers.reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = c => {
    const [r, g, b] = c.slice(0, 3).map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  return [...document.querySelectorAll(selector)].map(el => {
    const style = getComputedStyle(el);
    const bar = el.classList.contains('ct-bar') || el.classList.contains('ct-status-bar');
    const behind = backdrop(el.parentElement);
    const colour = over(rgba(bar ? style.backgroundColor : style.color), behind);
    const outlined = bar && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const edge = outlined ? ratio(over(rgba(style.outlineColor), behind), behind) : 0;
    const size = parseFloat(style.fontSize) * el.getBoundingClientRect().height / (el.offsetHeight || 1);
    return {bar, ratio: Math.max(ratio(colour, behind), edge), size, text: el.textContent};
  });
}"""

CHART_PAGES = (
    ("site_url", "metrics/alibaba-suspected-counterfeit-trades-per-10000/"),  # a metric's figures over time
    ("site_url", "claims/alibaba-2017-counterfeits-1-49-per-10000-trades/"),  # a figure against its baseline
    ("init_url", "claims/mina-park-output-up/"),  # the same, on a new site
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("site_fixture", "path"), CHART_PAGES)
def test_chart_bars_and_labels_keep_their_contrast_at_320_px(
    page: Page, request: pytest.FixtureRequest, site_fixture: str, path: str, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(request.getfixturevalue(site_fixture) + path)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate" if scheme == "dark" else "default")
    seen = page.evaluate(CONTRASTS, ".ct-chart .ct-bar, .ct-chart .ct-chart-label, .ct-chart .ct-chart-value")
    bars = [item for item in seen if item["bar"]]
    texts = [item for item in seen if not item["bar"]]
    assert len(bars) >= 2 and len(texts) == 2 * len(bars)
    assert min(bar["ratio"] for bar in bars) >= 3, bars
    assert min(text["ratio"] for text in texts) >= 4.5, texts
    assert min(text["size"] for text in texts) >= 12, texts


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboards_bars_stand_out_whatever_the_scales_colours(page: Page, site_url: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(site_url + "dashboard/")
    bars = page.evaluate(CONTRASTS, ".ct-status-bar:not(.ct-empty)")
    assert bars and min(bar["ratio"] for bar in bars) >= 3, bars


# -- the claims index does not move as its script starts --------------------------------------------

# The page's layout shift, as Chromium measures it for Core Web Vitals: the sum of the shifts no
# input caused, from the first paint until a second after the table's script has run.
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 1000);
})"""


def _layout_shift(page: Page, url: str) -> float:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.wait_for_function("() => !document.querySelector('[data-ct-table]') || document.querySelector('.ct-sortable')")
    shift: float = page.evaluate(LAYOUT_SHIFT)
    return shift


def test_the_claims_index_does_not_shift_as_its_script_starts(page: Page, site_url: str) -> None:
    assert _layout_shift(page, site_url + "claims/") < 0.1
    expect(page.get_by_role("button", name="Figure")).to_be_visible()  # the sort buttons, on a phone
    expect(page.get_by_label("Status", exact=True)).to_be_visible()  # and the filters


def test_a_new_sites_claims_index_does_not_shift_either(page: Page, init_url: str) -> None:
    assert _layout_shift(page, init_url + "claims/") < 0.1


@pytest.mark.parametrize("site_fixture", ["site_url", "init_url"])
def test_the_claims_index_shows_no_controls_where_its_script_is_blocked(
    page: Page, request: pytest.FixtureRequest, site_fixture: str
) -> None:
    """Scripts run, but not claimledger's (blocked, or failed to load): filters and sort buttons that
    would do nothing are not shown, and keep their place."""
    page.route("**/claimledger.js*", lambda route: route.abort())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(request.getfixturevalue(site_fixture) + "claims/")
    expect(page.locator("[data-ct-table] tbody tr").first).to_be_visible()  # the table is all there
    expect(page.get_by_label("Status", exact=True)).to_be_hidden()
    expect(page.locator(".ct-sort-icon").first).to_be_hidden()
    page.unroute("**/claimledger.js*")
    shown = page.locator("[data-ct-filters]").bounding_box()
    page.reload()
    expect(page.get_by_label("Status", exact=True)).to_be_visible()  # with its script: the same place
    assert page.locator("[data-ct-filters]").bounding_box() == shown


def test_a_new_sites_claims_sort_by_figure_within_each_unit_and_without_a_figure_last(
    page: Page, init_url: str
) -> None:
    page.goto(init_url + "claims/")
    page.get_by_role("button", name="Figure").click()
    figures = page.locator("[data-ct-table] tbody tr .ct-col-figure")
    expect(figures).to_have_text(["40\u00a0%", "1,120\u00a0widgets", ""])  # percent before counts; none last


def test_a_new_sites_search_finds_a_persons_page_and_claim_before_words_that_begin_like_her_name(
    page: Page, init_url: str
) -> None:
    page.goto(init_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("Mina Park", delay=20)  # "park": "Parkway"
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    expect(results.nth(2)).to_be_visible()
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(3)]
    assert [href.split("?")[0].removeprefix(init_url) for href in hrefs] == [
        "parties/mina-park/",
        "claims/mina-park-output-up/",
        "claims/parkway-depot-share/",
    ]


# -- the header keeps the site's subject ------------------------------------------------------------


def _site_name_in_header(page: Page, url: str, width: int) -> dict[str, Any]:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    site_name = page.locator(".md-header__topic").first.locator(".md-ellipsis")
    name: dict[str, Any] = site_name.evaluate(
        """el => ({text: el.textContent.trim(), size: parseFloat(getComputedStyle(el).fontSize),
                   clipped: el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1})"""
    )
    return name


@pytest.mark.parametrize("width", [320, 390])
def test_the_header_shows_the_whole_site_name_on_a_phone(page: Page, site_url: str, width: int) -> None:
    name = _site_name_in_header(page, site_url, width)
    assert name == {"text": "claimledger · Alibaba 2017 IP report", "size": name["size"], "clipped": False}
    assert name["size"] >= 12


def test_a_new_sites_header_shows_its_whole_title_at_320_px(page: Page, init_url: str) -> None:
    name = _site_name_in_header(page, init_url, 320)
    assert (name["text"], name["clipped"]) == (INIT_TITLE, False)
    assert name["size"] >= 12


# -- an address the site does not have --------------------------------------------------------------


def _not_found(page: Page, url: str) -> list[str]:
    """Open a missing address deep under the site; what failed to load besides the page itself."""
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    missing = url + "claims/no-such-claim/deeper/"
    response = page.goto(missing)
    assert response is not None and response.status == 404
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page).to_have_title(re.compile(r"^Page not found - "))
    return [address for address in failed if address != missing]


@pytest.mark.parametrize("site_fixture", ["published_url", "init_url"])
def test_the_not_found_page_works_under_a_sub_folder(
    page: Page, request: pytest.FixtureRequest, site_fixture: str
) -> None:
    url: str = request.getfixturevalue(site_fixture)
    assert _not_found(page, url) == []  # the theme's and claimledger's styles and scripts all load
    header = page.locator(".md-header").evaluate("el => getComputedStyle(el).position")
    assert header == "sticky"  # Material's stylesheet applies
    expect(page.locator(".ct-not-found-search")).to_have_css("display", "flex")  # and claimledger's
    page.get_by_role("link", name="All claims").click()
    expect(page).to_have_url(url + "claims/")
    expect(page.locator("h1")).to_have_text("All claims")


def test_the_not_found_page_searches_the_site(page: Page, published_url: str) -> None:
    _not_found(page, published_url)
    page.get_by_label("Search the site").fill("Jack Ma")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sub/\?q=Jack\+Ma$"))
    first = page.locator(".md-search-result__item > a.md-search-result__link").first
    expect(first).to_have_attribute("href", re.compile(r"parties/jack-ma/"))


def test_the_not_found_page_links_home(page: Page, init_url: str) -> None:
    _not_found(page, init_url)
    page.get_by_role("link", name="The home page").click()
    expect(page).to_have_url(init_url)
    expect(page.locator("h1").first).to_contain_text(INIT_TITLE)
