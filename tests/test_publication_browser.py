"""A publication readers can audit, in a real browser, on the shipped site and on a site made by
``claimledger init``: each claim titled and listed with who made it and when; a verdict that names its
reviewers and links its status to the rating scale; a way to report an error; reader pages apart
from the makers' documentation; and the transparency pages (rating scale, corrections policy,
ownership, funding and team, contact) made from the data."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from claimledger.cli import main

from . import browsing
from .conftest import MINIMAL, REPO
from .sitebuild import build

pytestmark = browsing.needs_chromium
browser_type_launch_args = browsing.browser_type_launch_args
site = browsing.site
site_url = browsing.site_url

READER_NAV = [
    "Home",
    "Claims",
    "Dashboard",
    "Timeline",
    "Tags",
    "Sources",
    "Parties",
    "Metrics",
    "How we work",
    "Methodology",
    "Rating scale",
    "Corrections",
    "Corrections policy",
    "About",
    "About this site",
    "Ownership, funding and team",
    "Contact",
]
MAKERS = ("Contributing", "Start your own site", "Developers", "Reference", "Architecture", "Scale", "Security")
REPOSITORY = "https://github.com/widget-watch/widget-claims"
UNREVIEWED = """status: unverified
rationale: Not checked yet.
basis:
  date:
    inferred: The post is filed under that day in the blog's archive.
    source: widget-post
"""


@dataclass(frozen=True)
class Site:
    """A built site, served: where, and one of its reviewed claims as its page should head it."""

    url: str
    claim: str  # the claim's page, site-relative
    heading: str  # who made it and when, then its statement
    status: str
    reviewers: str


@pytest.fixture(scope="module")
def init_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A project made by ``claimledger init``, with the small fixture's claims, a publisher that states
    its ownership, funding and email, and a repository on GitHub: built and served."""
    root = tmp_path_factory.mktemp("init") / "widget-claims"
    assert main(["init", str(root), "--title", "Widget claims"]) == 0
    shutil.rmtree(root / "claims")
    shutil.copytree(MINIMAL / "claims", root / "claims")
    publisher = root / "claims" / "publisher.yaml"
    extra = "email: desk@widgets.example.org\nownership: Owned by its two editors.\nfunding: Reader donations only.\n"
    publisher.write_text(publisher.read_text(encoding="utf-8") + extra, encoding="utf-8")
    # A claim no editor has reviewed yet, made on a day no source states.
    reviewed = (root / "claims" / "claims" / "widget-report-exists.yaml").read_text(encoding="utf-8")
    unreviewed = reviewed.partition("status:")[0] + UNREVIEWED
    (root / "claims" / "claims" / "widget-report-unreviewed.yaml").write_text(unreviewed, encoding="utf-8")
    site = root.parent / "site"
    result = build(root, site, env={"CLAIMLEDGER_REPO_URL": REPOSITORY})
    assert result.returncode == 0, result.stderr
    with browsing.served(site) as url:
        yield url


@pytest.fixture(params=["shipped", "init"])
def built(request: pytest.FixtureRequest) -> Site:
    if request.param == "shipped":
        return Site(
            request.getfixturevalue("site_url"),
            "claims/alibaba-2017-ip-complaints-drop-42-percent/",
            "Alibaba Group, 10 January 2018: IP complaints to Alibaba fell by 42 % in 2017.",
            "unverifiable",
            "The claimledger editors",
        )
    return Site(
        request.getfixturevalue("init_site_url"),
        "claims/widget-report-exists/",
        "A blogger, 1 February 2021: Widgets Inc. published an annual report for 2020.",
        "corroborated",
        "Ana Example",
    )


# -- attribution first -------------------------------------------------------------------------------


def test_a_claim_page_is_headed_and_titled_by_who_made_it_and_when(page: Page, built: Site) -> None:
    page.goto(built.url + built.claim)
    expect(page.locator("h1")).to_have_text(built.heading)
    expect(page).to_have_title(re.compile(re.escape(" — " + built.heading)))


@pytest.mark.parametrize("path", ["claims/", "dashboard/", "tags/", "sources/widget-post/", "parties/widgets-inc/"])
def test_every_claim_listed_leads_with_who_made_it_and_when(page: Page, init_site_url: str, path: str) -> None:
    page.goto(init_site_url + path)
    # Not the quoted words marked in a source's passage, which link to their claim: the list under it is attributed.
    claim = "a[href*='claims/widget-']:not(.ct-mark-link)"
    links = page.locator(f"article {claim}, .md-content {claim}")
    expect(links.first).to_be_visible()
    for i in range(links.count()):
        led = links.nth(i).evaluate("a => a.previousElementSibling?.classList.contains('ct-attribution')")
        assert led, (path, links.nth(i).inner_text())


def test_the_shipped_lists_lead_with_who_made_each_claim_and_when(page: Page, site_url: str) -> None:
    page.goto(site_url + "dashboard/")
    first = page.locator("#status-inconclusive + p + ul li").first
    expect(first.locator(".ct-attribution")).to_have_text(re.compile(r"^[^:]+, (\d+ \w+ \d{4}|date unknown):$"))
    page.goto(site_url + "timeline/")
    evidence = page.locator(".ct-event-evidence").first
    expect(evidence.locator(".ct-attribution").first).to_have_text(re.compile(r", (\d+ \w+ \d{4}|date unknown):$"))


def test_a_claim_cited_on_a_hand_written_page_is_cited_with_who_made_it_and_when(page: Page, site_url: str) -> None:
    page.goto(site_url)
    cited = page.locator(".md-content li", has_text="The headline figure").get_by_role("link")
    expect(cited).to_have_text("Alibaba Group, 10 January 2018: IP complaints to Alibaba fell by 42 % in 2017.")


def test_search_shows_a_claim_under_who_made_it_and_when(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("overall amount of the IP complaints dropped", delay=20)
    first = page.locator(".md-search-result__item").first
    expect(first.locator("h1")).to_contain_text("Alibaba Group, 10 January 2018: IP complaints to Alibaba")


# -- the verdict box ---------------------------------------------------------------------------------


def test_the_verdict_names_its_reviewers_and_links_them_to_the_team(page: Page, built: Site) -> None:
    page.goto(built.url + built.claim)
    reviewers = page.locator(".ct-verdict .ct-review a")
    expect(reviewers).to_have_text(built.reviewers)
    reviewers.click()
    expect(page).to_have_url(re.compile(r"team/#team$"))
    expect(page.locator(".ct-team")).to_contain_text(built.reviewers)


def test_the_status_badge_leads_to_its_definition_on_the_rating_scale(page: Page, built: Site) -> None:
    page.goto(built.url + built.claim)
    page.locator(".ct-verdict .ct-badge-link").click()
    expect(page).to_have_url(re.compile(f"rating-scale/#status-{built.status}$"))
    definition = page.locator(f"#status-{built.status} + dd")
    expect(definition).to_be_in_viewport()
    expect(definition).to_contain_text("Evidence required")


def test_a_claim_not_reviewed_says_so_plainly(page: Page, init_site_url: str) -> None:
    page.goto(init_site_url + "claims/widget-report-unreviewed/")
    expect(page.locator(".ct-verdict .ct-review")).to_have_text(
        "not yet: no editor has reviewed this claim, and no verdict has been given"
    )


def test_a_date_no_source_states_reads_as_inferred_wherever_the_claim_is_titled(page: Page, init_site_url: str) -> None:
    page.goto(init_site_url + "claims/widget-report-unreviewed/")
    expect(page.locator("h1 .ct-attribution")).to_have_text("A blogger, 1 February 2021 (inferred):")
    page.goto(init_site_url + "dashboard/")
    expect(page.locator("#status-unverified + p + ul li")).to_contain_text("A blogger, 1 February 2021 (inferred):")


# -- report an error ---------------------------------------------------------------------------------


def test_without_a_repository_or_contact_report_an_error_leads_to_the_contact_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "claims/alibaba-2017-ip-complaints-drop-42-percent/")
    page.get_by_role("link", name="Report an error on this page").click()
    expect(page).to_have_url(re.compile(r"contact/#report-an-error$"))
    expect(page.locator("#report-an-error")).to_be_in_viewport()


def test_with_a_repository_report_an_error_opens_an_issue_naming_the_claim(page: Page, init_site_url: str) -> None:
    page.goto(init_site_url + "claims/widget-report-exists/")
    href = page.get_by_role("link", name="Report an error on this page").get_attribute("href") or ""
    address = urlsplit(href)
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{REPOSITORY}/issues/new"
    fields = parse_qs(address.query)
    assert "widget-report-exists" in fields["title"][0]
    # Built without the site's address: no page address rather than a relative one.
    assert fields["body"][0].startswith("Claim: widget-report-exists\n\nWhat is wrong")


# -- readers' site and makers' docs apart ------------------------------------------------------------


def test_the_navigation_holds_only_reader_pages(page: Page, built: Site) -> None:
    page.goto(built.url)
    titles = page.locator("nav.md-nav--primary .md-nav__link").evaluate_all(
        "links => links.filter(a => !a.closest('.md-nav--secondary')).map(a => a.textContent.trim())"
    )
    assert list(dict.fromkeys(" ".join(t.split()) for t in titles if t.strip())) == READER_NAV


@pytest.mark.parametrize("words", ["1.49", "USTR", "claimledger check"])
def test_reader_search_finds_no_makers_page(page: Page, site_url: str, words: str) -> None:
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(words, delay=20)
    expect(page.locator(".md-search-result__meta")).to_contain_text(re.compile("matching|No matching"))
    hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
    makers = ("reference/", "developers/", "architecture/", "benchmarks/", "security/", "start/", "contributing/")
    assert [href for href in hrefs if any(f"/{m}" in href for m in makers)] == []


def test_the_makers_pages_are_published_and_linked_from_about(page: Page, site_url: str) -> None:
    page.goto(site_url + "about/")
    page.get_by_role("link", name="Reference", exact=True).click()
    expect(page).to_have_url(re.compile(r"reference/$"))
    expect(page.locator("h1")).to_contain_text("Reference")


def test_a_source_page_speaks_the_readers_language(page: Page, site_url: str) -> None:
    page.goto(site_url + "sources/ipkat-2018-01-12-alibaba-2017-ip-report/")
    facts = page.locator(".ct-source > .ct-facts")
    expect(facts).to_contain_text("Blog post")
    shown = facts.inner_text()
    assert "blog-post" not in shown and "SHA-256" not in shown and "claims/snapshots" not in shown
    page.locator(".ct-snapshot-file summary").click()  # the file and its checksum, for whoever asks
    expect(page.locator(".ct-snapshot-file")).to_contain_text("SHA-256")


def test_a_claim_page_speaks_of_earlier_versions_not_commits(page: Page, built: Site) -> None:
    page.goto(built.url + built.claim)
    expect(page.locator("article.ct-claim")).not_to_contain_text(re.compile("commit", re.IGNORECASE))


# -- transparency pages from the data ----------------------------------------------------------------


def test_the_rating_scale_defines_every_status_with_an_anchor(page: Page, site_url: str) -> None:
    scale = yaml.safe_load((REPO / "claims" / "statuses.yaml").read_text(encoding="utf-8"))
    page.goto(site_url + "rating-scale/")
    for status in scale["statuses"]:
        expect(page.locator(f"#status-{status['id']}")).to_have_text(status["label"])
        rating = status["rating_value"] if status.get("verdict", True) else None
        expect(page.locator(f"#status-{status['id']} + dd .ct-scale-rating")).to_contain_text(
            f"{rating} of {scale['best_rating']}" if rating is not None else "none"
        )


def test_the_corrections_policy_is_in_the_navigation_and_points_at_the_corrections(page: Page, built: Site) -> None:
    page.goto(built.url)
    page.locator("nav.md-nav--primary").get_by_role("link", name="Corrections policy").click()
    expect(page.locator("h1")).to_contain_text("Corrections policy")
    page.locator(".md-content").get_by_role("link", name="Corrections", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"corrections/$"))


def test_ownership_and_funding_not_stated_are_said_to_be_not_stated(page: Page, site_url: str) -> None:
    page.goto(site_url + "team/")
    expect(page.locator("#ownership + p")).to_contain_text("Not stated")
    expect(page.locator("#funding + p")).to_contain_text("Not stated")
    expect(page.locator(".ct-team")).to_have_text("The claimledger editors (an editorial team, signing as one)")


def test_ownership_funding_and_team_stated_are_shown(page: Page, init_site_url: str) -> None:
    page.goto(init_site_url + "team/")
    expect(page.locator("#ownership + p")).to_have_text("Owned by its two editors.")
    expect(page.locator("#funding + p")).to_have_text("Reader donations only.")
    expect(page.locator(".ct-team li")).to_have_text(["Ana Example", "Ben Example"])


def test_the_contact_page_gives_each_route_on_the_record(page: Page, init_site_url: str) -> None:
    page.goto(init_site_url + "contact/")
    expect(page.get_by_role("link", name="desk@widgets.example.org")).to_have_attribute(
        "href", "mailto:desk@widgets.example.org"
    )
    expect(page.get_by_role("link", name="opening an issue")).to_have_attribute("href", f"{REPOSITORY}/issues/new")


def test_without_a_contact_on_record_the_contact_page_says_so(page: Page, site_url: str) -> None:
    page.goto(site_url + "contact/")
    expect(page.locator(".md-content")).to_contain_text("It has not stated how to reach it yet.")


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_axe_finds_nothing_serious_on_the_new_pages_of_an_init_site(
    browser: Browser, init_site_url: str, palette: str
) -> None:
    found = {}
    with browsing.axe_page(browser, palette) as page:
        for path in ("claims/widget-report-exists/", "rating-scale/", "team/", "contact/", "corrections-policy/"):
            page.goto(init_site_url + path)
            found[path] = browsing.serious_violations(page)
    assert {path: ids for path, ids in found.items() if ids} == {}
