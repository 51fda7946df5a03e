"""Quotes in context in a real browser (Debian's chromium, driven by Playwright), on a phone, in both
palettes: the quoted words stand out, readable, inside the sentences around them, on the shipped site
and on a site made by ``claimledger init``; where no copy of a source's text is on the record, the
page says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from claimledger.cli import main

from . import browsing
from .sitebuild import build

pytestmark = browsing.needs_chromium
browser_type_launch_args = browsing.browser_type_launch_args
site = browsing.site
site_url = browsing.site_url

CLAIM = "claims/alibaba-2017-counterfeits-1-49-per-10000-trades/"
QUOTE = "Out of every 10,000 trades, merely 1.49 were suspected as counterfeits"
REPORT = "Widgets Inc. annual report 2020\n\nOur year in brief. Widget defects fell by 12% in 2020, said the\nchief quality officer. Sales rose.\n\nWe thank our customers.\n"  # noqa: E501


@pytest.fixture(params=["light", "dark"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A page 390 px wide in the light or the dark palette, with axe-core at hand."""
    with browsing.axe_page(browser, request.param, 390, 800) as page:
        yield page


def _luminance(css: str) -> float:
    red, green, blue = (int(part) / 255 for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(page: Page, selector: str) -> float:
    """The contrast of the first element matching ``selector``: its text on its own (opaque) background."""
    colours = page.locator(selector).first.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert "rgba" not in colours[1], colours  # a tint of its own, not the page showing through
    light, dark = sorted((_luminance(c) for c in colours), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# -- the shipped site ----------------------------------------------------------------------------


def test_the_quote_is_marked_readably_inside_its_passage_on_a_phone(phone: Page, site_url: str) -> None:
    phone.goto(site_url + CLAIM)
    assert browsing.serious_violations(phone) == []  # at the top: once scrolled, the header's title is on the move
    context = phone.locator("#claimed ~ figure.ct-context").first
    mark = context.locator(".ct-passage mark")
    mark.scroll_into_view_if_needed()
    expect(mark).to_be_visible()
    expect(mark).to_have_text(QUOTE)
    expect(context.locator(".ct-passage")).to_contain_text("Alibaba cooperated with 23 provinces")
    expect(context.locator(".ct-where")).to_contain_text("Address of the original: not on the record")
    assert contrast(phone, "#claimed ~ figure.ct-context .ct-passage mark") >= 4.5
    box = mark.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_a_reader_follows_a_marked_quote_from_its_source_to_the_claim(phone: Page, site_url: str) -> None:
    phone.goto(site_url + "sources/ipkat-2018-01-12-comment-2/")
    quoted = phone.locator("#quoted ~ .ct-quoted .ct-passage mark").first
    expect(quoted).to_contain_text("no reaction for almost 2 months")
    assert contrast(phone, ".ct-quoted .ct-passage mark") >= 4.5
    assert browsing.serious_violations(phone) == []
    quoted.click()
    expect(phone.locator("h1")).to_contain_text("2 months")
    expect(phone.locator("#claimed ~ figure.ct-context mark")).to_contain_text("no reaction for almost 2 months")


# -- a site made by init -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def init_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new project from ``claimledger init`` with two claims made as its next steps say: one quoting a
    report whose text is kept as a snapshot, one quoting a radio interview with no copy on the record."""
    root = tmp_path_factory.mktemp("context-init") / "project"
    report = root.parent / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    rationale = ("--rationale", "Not yet checked against other evidence.")
    for args in (
        ("init", str(root), "--title", "Widget watch"),
        ("new", "party", "widgets-inc", "--name", "Widgets Inc.", "--kind", "organisation"),
        ("new", "source", "widget-report", "--title", "Widgets Inc. annual report 2020", "--kind", "report"),
        ("new", "source", "widget-radio", "--title", "Radio interview with Widgets Inc.", "--kind", "web-page"),
        ("new", "claim", "widget-defects-fell", "--statement", "Widget defects fell by 12 % in 2020.", *rationale),
        ("new", "claim", "widget-sales-rose", "--statement", "Widgets Inc. sales rose in 2020.", *rationale),
    ):
        more: tuple[str, ...] = ()
        if args[:3] == ("new", "source", "widget-report"):
            more = ("--snapshot", str(report), "--author", "widgets-inc", "--publisher", "widgets-inc")
        elif args[:2] == ("new", "claim"):
            source, quote = (
                ("widget-report", "Widget defects fell by 12% in 2020")
                if args[2] == "widget-defects-fell"
                else ("widget-radio", "Sales were up")
            )
            more = ("--quote", quote, "--claimant", "widgets-inc", "--source", source)
        assert main([*args, *more, *(("--root", str(root)) if args[0] == "new" else ())]) == 0, args
    result = build(root, root / "site")
    assert result.returncode == 0, result.stderr
    with browsing.served(root / "site") as url:
        yield url


def test_on_an_init_site_the_quote_is_marked_inside_its_passage(phone: Page, init_url: str) -> None:
    phone.goto(init_url + "claims/widget-defects-fell/")
    passage = phone.locator("#claimed ~ figure.ct-context .ct-passage")
    expect(passage).to_have_text(
        "Our year in brief. Widget defects fell by 12% in 2020, said the chief quality officer. Sales rose."
    )
    expect(passage.locator("mark")).to_have_text("Widget defects fell by 12% in 2020")
    assert contrast(phone, "#claimed ~ figure.ct-context .ct-passage mark") >= 4.5
    assert browsing.serious_violations(phone) == []


def test_on_an_init_site_a_quote_without_a_copy_of_its_source_says_so(phone: Page, init_url: str) -> None:
    phone.goto(init_url + "claims/widget-sales-rose/")
    expect(phone.locator("#claimed ~ blockquote.ct-quote")).to_have_text("Sales were up")
    expect(phone.locator(".ct-context-none")).to_have_text(
        "No copy of the text of Radio interview with Widgets Inc. is on the record,"
        " so the quote cannot be shown in its context."
    )
    expect(phone.locator(".ct-where").first).to_contain_text("Address of the original: not on the record")
    expect(phone.locator("mark")).to_have_count(0)
    assert browsing.serious_violations(phone) == []


def test_an_init_site_s_source_page_shows_its_quoted_passage_and_nothing_far_from_it(
    phone: Page, init_url: str
) -> None:
    phone.goto(init_url + "sources/widget-report/")
    expect(phone.locator(".ct-quoted .ct-passage mark")).to_have_text("Widget defects fell by 12% in 2020")
    expect(phone.locator(".ct-quoted")).to_contain_text("Widget defects fell by 12 % in 2020.")  # the claim quoting it
    expect(phone.locator("article.ct-source")).not_to_contain_text("We thank our customers")
    assert browsing.serious_violations(phone) == []
