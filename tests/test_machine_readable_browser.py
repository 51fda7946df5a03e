"""What machines read of a built site, as a browser fetches it: each reviewed claim's ClaimReview
(schema.org, as Google's Fact Check Explorer, Bing and Data Commons read it), the site-wide DataFeed
of every ClaimReview, and the Frictionless datapackage.json of the exports, on the shipped site and
on a site made by ``claimledger init``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import frictionless
import pytest
from playwright.sync_api import Page

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.exports.formats import CSV_COLUMNS

from . import browsing
from .conftest import REPO
from .sitebuild import build

pytestmark = browsing.needs_chromium
browser_type_launch_args = browsing.browser_type_launch_args

ADDRESS = "https://claims.test/"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The shipped site, built with its published address, and where it is served."""
    site = tmp_path_factory.mktemp("machine") / "site"
    result = build(REPO, site, env={"CLAIMLEDGER_SITE_URL": ADDRESS})
    assert result.returncode == 0, result.stderr
    with browsing.served(site) as url:
        yield site, url


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A site made by ``claimledger init``, with the minimal fixture's items in it, a publisher who
    states the licence of its data, and a blog post known only by its archived copy."""
    root = tmp_path_factory.mktemp("init") / "widgets"
    assert main(["init", str(root), "--title", "Widget Watch", "--publisher", "Widget Watch"]) == 0
    for folder in ("claims", "sources", "parties", "snapshots"):
        shutil.copytree(MINIMAL / "claims" / folder, root / "claims" / folder, dirs_exist_ok=True)
    publisher = root / "claims" / "publisher.yaml"
    text = publisher.read_text(encoding="utf-8").replace("editors: []", "editors:\n  - id: ana\n    name: Ana Example")
    publisher.write_text(text + f"license: {LICENCE}\n", encoding="utf-8")
    post = root / "claims" / "sources" / "widget-post.yaml"
    post.write_text(
        post.read_text(encoding="utf-8").replace("url: https://blog.example.org/widgets", "url: unknown"),
        encoding="utf-8",
    )
    site = root / "site"
    result = build(root, site, env={"CLAIMLEDGER_SITE_URL": ADDRESS})
    assert result.returncode == 0, result.stderr
    with browsing.served(site) as url:
        yield root, url


def claim_review(page: Page, url: str) -> dict[str, Any]:
    page.goto(url)
    scripts = page.locator('head script[type="application/ld+json"]')
    assert scripts.count() == 1
    data: dict[str, Any] = json.loads(scripts.text_content() or "")
    return data


def fetched(page: Page, url: str) -> Any:
    response = page.request.get(url)
    assert response.ok
    return response.json()


# The shipped site.


def test_a_verdict_on_the_scale_carries_its_rating_between_worst_and_best(page: Page, made: tuple[Path, str]) -> None:
    # The shipped record has no rated verdict today (its claims are inconclusive or unverifiable).
    review = claim_review(page, made[1] + "claims/widget-report-exists/")
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Corroborated",
        "ratingExplanation": review["reviewRating"]["ratingExplanation"],
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_an_unverifiable_claim_carries_its_label_and_no_rating_number(page: Page, shipped: tuple[Path, str]) -> None:
    review = claim_review(page, shipped[1] + "claims/alibaba-2017-ip-complaints-drop-42-percent/")
    rating = review["reviewRating"]
    assert rating["alternateName"] == "Unverifiable"
    assert not {"ratingValue", "bestRating", "worstRating"} & set(rating)


def test_no_claim_review_of_the_shipped_site_rates_a_status_that_is_no_rating(shipped: tuple[Path, str]) -> None:
    dataset, _ = check_project(REPO)
    unrated = {s.label for s in dataset.scale.statuses if s.rating_value is None}
    assert {"Unverifiable", "Unverified", "Inconclusive"} <= unrated
    feed = json.loads((shipped[0] / "claimreview.json").read_text(encoding="utf-8"))
    for element in feed["dataFeedElement"]:
        rating = element["item"]["reviewRating"]
        assert ("ratingValue" in rating) == (rating["alternateName"] not in unrated), element["url"]


def test_a_claim_review_gives_the_claim_its_date_its_appearances_and_the_sites_language(
    page: Page, shipped: tuple[Path, str]
) -> None:
    review = claim_review(page, shipped[1] + "claims/alibaba-2017-ip-complaints-drop-42-percent/")
    assert review["url"] == ADDRESS + "claims/alibaba-2017-ip-complaints-drop-42-percent/"
    assert review["inLanguage"] == "en"
    item = review["itemReviewed"]
    assert item["datePublished"] == "2018-01-10"
    # The report's address is unknown and no copy is archived: named, with no address made up.
    assert item["firstAppearance"] == {
        "@type": "CreativeWork",
        "name": "2017 Annual Report on Intellectual Property Protection",
    }
    assert item["appearance"] == [
        {
            "@type": "CreativeWork",
            "name": "Alibaba released the 2017 Annual Report on Intellectual Property Protection",
            "datePublished": "2018-01-12",
            "inLanguage": "en",
        }
    ]


def test_a_claim_made_on_an_unknown_day_has_no_date_in_its_claim_review(page: Page, shipped: tuple[Path, str]) -> None:
    review = claim_review(page, shipped[1] + "claims/ustr-2017-commends-alibaba-efforts-to-date/")
    assert "datePublished" not in review["itemReviewed"]
    # Where the list appeared is known: its own address.
    assert review["itemReviewed"]["firstAppearance"]["url"].startswith("https://ustr.gov/")


def test_without_a_licence_on_record_the_shipped_reviews_state_none(page: Page, shipped: tuple[Path, str]) -> None:
    review = claim_review(page, shipped[1] + "claims/alibaba-2017-ip-complaints-drop-42-percent/")
    assert "sdLicense" not in review


def test_the_data_feed_holds_every_claim_review_of_the_site_as_its_pages_carry_them(
    page: Page, shipped: tuple[Path, str]
) -> None:
    site, url = shipped
    page.goto(url)
    link = page.locator('head link[rel="alternate"][type="application/ld+json"]')
    feed = fetched(page, url + (link.get_attribute("href") or ""))
    assert feed["@context"] == "https://schema.org" and feed["@type"] == "DataFeed"
    assert feed["url"] == ADDRESS + "claimreview.json"
    assert feed["publisher"]["name"] == "The claimledger project"
    assert feed["dateModified"] == max(element["dateModified"] for element in feed["dataFeedElement"])
    pages = {
        path.parent.name: json.loads(
            path.read_text(encoding="utf-8").split('application/ld+json">')[1].split("</script>")[0]
        )
        for path in (site / "claims").glob("*/index.html")
        if "application/ld+json" in path.read_text(encoding="utf-8")
    }
    elements = feed["dataFeedElement"]
    assert len(elements) == len(pages) > 0
    for element in elements:
        claim_id = element["url"].removeprefix(ADDRESS + "claims/").strip("/")
        assert element["@type"] == "DataFeedItem"
        assert element["item"] == {key: value for key, value in pages[claim_id].items() if key != "@context"}
        assert element["dateCreated"] == element["item"]["datePublished"]


def test_the_exports_are_described_by_a_valid_data_package(page: Page, shipped: tuple[Path, str]) -> None:
    site, url = shipped
    page.goto(url + "methodology/")
    href = page.locator("#data + p a", has_text="datapackage.json").get_attribute("href")
    package = fetched(page, url + "methodology/" + (href or ""))
    assert package == json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["path"]: resource for resource in package["resources"]}
    assert set(resources) == {"claims.csv", "claims.json", "claims.db"}
    assert resources["claims.db"]["format"] == "sqlite"
    fields = resources["claims.csv"]["schema"]["fields"]
    assert [field["name"] for field in fields] == list(CSV_COLUMNS)
    assert {field["name"] for field in fields if field["type"] == "number"} == {
        "value",
        "baseline_value",
        "change_value",
    }
    assert "licenses" not in package  # the shipped data states no licence
    report = frictionless.validate(str(site / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])


def test_the_methodology_page_links_the_feed_and_the_package(page: Page, shipped: tuple[Path, str]) -> None:
    page.goto(shipped[1] + "methodology/")
    data = page.locator("#data + p")
    for name in ("claimreview.json", "datapackage.json"):
        link = data.get_by_role("link", name=name, exact=True)
        assert link.count() == 1
        assert page.request.get(shipped[1] + "methodology/" + (link.get_attribute("href") or "")).ok


# A site made by `claimledger init`.


def test_a_new_sites_claim_review_states_the_publishers_licence(page: Page, made: tuple[Path, str]) -> None:
    review = claim_review(page, made[1] + "claims/widget-defects-fell/")
    assert review["sdLicense"] == LICENCE
    assert review["inLanguage"] == "en"
    assert review["reviewRating"]["bestRating"] == 5 and review["reviewRating"]["worstRating"] == 1
    assert review["itemReviewed"]["datePublished"] == "2021-01-15"


def test_a_new_sites_appearance_known_only_by_its_archived_copy_links_that_copy(
    page: Page, made: tuple[Path, str]
) -> None:
    item = claim_review(page, made[1] + "claims/widget-defects-fell/")["itemReviewed"]
    [appearance] = item["appearance"]
    assert appearance["url"] == "https://web.archive.org/web/20210202120000/https://blog.example.org/widgets"
    assert appearance["datePublished"] == "2021-02-01"
    assert "url" not in item["firstAppearance"] and item["firstAppearance"]["datePublished"] == "2021-01"


def test_a_new_sites_data_feed_and_data_package_carry_its_licence(page: Page, made: tuple[Path, str]) -> None:
    root, url = made
    feed = fetched(page, url + "claimreview.json")
    assert feed["license"] == LICENCE
    assert {element["item"]["claimReviewed"] for element in feed["dataFeedElement"]} == {
        "Widget defects fell by 12 % in 2020.",
        "Widgets Inc. published an annual report for 2020.",
    }
    package = fetched(page, url + "datapackage.json")
    assert package["licenses"] == [{"path": LICENCE}]
    assert package["contributors"] == [{"title": "Widget Watch", "roles": ["publisher"]}]
    report = frictionless.validate(str(root / "site" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
