"""The site built from the shipped claims: every page, link, export and ClaimReview."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from claimledger.checks.gitinfo import load_history
from claimledger.checks.project import check_project
from claimledger.record.schema import schema_text

from .conftest import REPO
from .sitebuild import build, lychee

# The addresses the deploy workflow gives the build (the repository's mkdocs.yml reads them).
PUBLISHED = {"CLAIMLEDGER_SITE_URL": "https://claims.test/", "CLAIMLEDGER_REPO_URL": "https://github.com/o/c"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("built") / "site"
    result = build(REPO, site_dir, env=PUBLISHED)
    assert result.returncode == 0, result.stderr
    return site_dir


SITE_NAME = "claimledger · Alibaba 2017 IP report"


@pytest.fixture(scope="module")
def unaddressed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The site built without its addresses (as on a laptop or in a pull request), and what the
    build printed on standard error."""
    site_dir = tmp_path_factory.mktemp("unaddressed") / "site"
    result = build(REPO, site_dir)
    assert result.returncode == 0, result.stderr
    return site_dir, result.stderr


@pytest.fixture(scope="module")
def dataset() -> Any:
    data, _ = check_project(REPO)
    return data


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.json_ld: list[str] = []
        self.external: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        resource = values.get("src") if tag in ("script", "img", "iframe") else None
        if tag == "link" and values.get("rel") in ("stylesheet", "preconnect", "preload"):
            resource = values.get("href")
        if resource and re.match(r"^(https?:)?//", resource):
            self.external.append(resource)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data


def _parse(path: Path) -> _Scripts:
    parser = _Scripts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _pages(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


@pytest.mark.parametrize("folder", ["claims", "sources", "parties"])
def test_every_item_has_a_page(site: Path, dataset: Any, folder: str) -> None:
    items = {"claims": dataset.claims, "sources": dataset.sources, "parties": dataset.parties}[folder]
    assert items
    missing = [item_id for item_id in items if not (site / folder / item_id / "index.html").is_file()]
    assert missing == []


def test_every_reviewed_claim_page_carries_exactly_one_valid_claim_review(site: Path, dataset: Any) -> None:
    statuses = {s.id: s for s in dataset.scale.statuses}
    history = load_history(REPO)
    reviewed = [claim for claim in dataset.claims.values() if statuses[claim.status].verdict]
    assert reviewed
    for claim in reviewed:
        scripts = _parse(site / "claims" / claim.id / "index.html").json_ld
        assert len(scripts) == 1, claim.id
        review = json.loads(scripts[0])
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == claim.statement
        assert review["url"] == f"https://claims.test/claims/{claim.id}/"
        rating = review["reviewRating"]
        status = statuses[claim.status]
        assert rating["alternateName"] == status.label
        if status.rating_value is not None:
            assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
            assert rating["ratingValue"] == status.rating_value
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["author"]["name"] == dataset.parties[claim.claimant].name
        assert item["firstAppearance"]["name"] == dataset.sources[claim.first_appearance].title
        assert len(item["appearance"]) == len(claim.appearances)
        assert review["author"]["@type"] == "Organization"
        url = dataset.publisher.url or PUBLISHED["CLAIMLEDGER_SITE_URL"]  # the site's, where it has none of its own
        publisher = {"@type": "Organization", "name": dataset.publisher.name, "url": url}
        assert review["author"] == review["publisher"] == publisher
        # First published when the claim's file was first committed (when reviewed, outside a checkout).
        revisions = history.revisions.get(claim.document.path, ())
        assert review["datePublished"] == (revisions[-1].date if revisions else str(claim.review.date))
        logged = [str(entry.date) for entry in claim.log]
        assert review["dateModified"] == max([str(claim.review.date), *logged])
        # The editors who signed it off, by their public names: the project's team, as a contributor.
        assert review["contributor"] == [{"@type": "Organization", "name": "The claimledger editors"}]


def test_an_inconclusive_claim_carries_its_verdict_but_no_rating_number(site: Path, dataset: Any) -> None:
    # Checked, settling nothing: a verdict, without a number machines would read as "half true".
    inconclusive = [claim for claim in dataset.claims.values() if claim.status == "inconclusive"]
    assert inconclusive
    for claim in inconclusive:
        (review,) = [json.loads(block) for block in _parse(site / "claims" / claim.id / "index.html").json_ld]
        assert review["reviewRating"]["alternateName"] == "Inconclusive", claim.id
        assert "ratingValue" not in review["reviewRating"], claim.id


def test_each_claim_page_says_who_reviewed_its_verdict_and_when(site: Path, dataset: Any) -> None:
    for claim in dataset.claims.values():
        verdict = (site / "claims" / claim.id / "index.html").read_text(encoding="utf-8").partition("ct-verdict")[2]
        verdict = verdict.partition("</section>")[0]
        if claim.review is None:  # unverified: nobody has given a verdict
            assert '<dt>Reviewed</dt>\n  <dd class="ct-review">not yet: no editor has reviewed' in verdict
        else:
            day = claim.review.date
            assert (
                '<dd class="ct-review">by <a href="../../team/#team">The claimledger editors</a>,'
                f' <time datetime="{day}">{day.human()}</time></dd>'
            ) in verdict, claim.id
        assert "Changed since review" not in verdict, claim.id


def test_no_published_file_names_a_placeholder_address(unaddressed: tuple[Path, str]) -> None:
    site_dir, _ = unaddressed
    named = [
        path.relative_to(site_dir).as_posix()
        for path in site_dir.rglob("*")
        if path.is_file()
        and any(word in path.read_bytes() for word in (b"claimledger.example.org", b"/edit/main/", b"/blob/main/"))
    ]
    assert named == []


def test_a_build_without_the_sites_address_writes_no_absolute_address_and_says_why_once(
    unaddressed: tuple[Path, str],
) -> None:
    site_dir, stderr = unaddressed
    assert stderr.count("the site's address is not known") == 1
    assert not (site_dir / "sitemap.xml.gz").exists()
    assert "<loc>" not in (site_dir / "sitemap.xml").read_text("utf-8")  # empty: the theme's script asks for it
    page = (site_dir / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    assert 'rel="canonical"' not in page and 'property="og:url"' not in page
    review = json.loads(
        _parse(site_dir / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").json_ld[0]
    )
    assert "url" not in review and "url" not in review["author"]


def test_a_build_with_the_sites_address_publishes_canonical_links_and_a_sitemap(site: Path) -> None:
    page = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    address = "https://claims.test/claims/alibaba-2017-counterfeits-1-49-per-10000-trades/"
    assert f'<link rel="canonical" href="{address}">' in page
    assert address in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://github.com/o/c/edit/main/claims/claims/alibaba-2017-counterfeits-1-49-per-10000-trades.yaml" in page


def test_pages_without_claims_carry_no_claim_review(site: Path) -> None:
    for page in (site / "index.html", site / "sources" / "ustr-2017-notorious-markets-list" / "index.html"):
        assert _parse(page).json_ld == []


def test_no_page_requests_anything_from_another_site(site: Path) -> None:
    for page in _pages(site):
        assert _parse(page).external == [], page
        assert "fonts.googleapis" not in page.read_text(encoding="utf-8"), page


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    result = lychee(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Successful\.+[1-9][0-9]*", result.stdout), result.stdout


def test_claims_json_has_the_export_shape_with_each_items_page(site: Path, dataset: Any) -> None:
    data = json.loads((site / "claims.json").read_text(encoding="utf-8"))
    assert {c["id"] for c in data["claims"]} == set(dataset.claims)
    for item in (*data["claims"], *data["sources"], *data["parties"]):
        assert (site / item["page"] / "index.html").is_file()
    ustr = next(p for p in data["parties"] if p["id"] == "ustr")
    assert ustr["url"] == "https://ustr.gov/"


def test_csv_and_schema_are_published(site: Path, dataset: Any) -> None:
    lines = (site / "claims.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,page,statement,value,unit")
    assert len(lines) == len(dataset.claims) + 1
    assert (site / "schema" / "claimledger.schema.json").read_text(encoding="utf-8") == schema_text()


def test_search_index_finds_claims_by_statement_and_quote(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
    assert "1.49 of every 10,000 trades were suspected" in text
    assert "merely 1.49 were suspected as counterfeits" in text


def _index(site: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    return docs


def test_search_index_tags_a_party_and_its_sources_with_its_short_name(site: Path) -> None:
    tagged = {doc["location"] for doc in _index(site) if "USTR" in doc.get("tags", ())}
    assert tagged == {"parties/ustr/", "sources/ustr-2017-notorious-markets-list/"}


def test_search_index_names_a_sources_author_and_publisher(site: Path) -> None:
    source = next(d for d in _index(site) if d["location"] == "sources/ustr-2017-notorious-markets-list/")
    assert "Office of the United States Trade Representative (USTR)" in source["text"]


def test_search_index_holds_the_list_pages(site: Path) -> None:
    locations = {doc["location"] for doc in _index(site)}
    assert {"claims/", "dashboard/", "timeline/", "tags/", "sources/", "parties/"} <= locations


def test_search_index_keeps_table_cells_apart(site: Path) -> None:
    rules = next(d for d in _index(site) if d["location"] == "methodology/#checks")
    assert "RuleWhat" not in rules["text"] and "Rule What it requires" in rules["text"]


def test_search_splits_words_at_brackets(site: Path) -> None:
    separator = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]["separator"]
    assert [w for w in re.split(separator, "Representative (USTR)") if w] == ["Representative", "USTR"]


def test_every_page_has_a_description_and_link_preview_tags(site: Path) -> None:
    descriptions = {}
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html or page.name == "404.html":
            continue
        found = re.search(r'<meta name="description" content="([^"]*)">', html)
        assert found, page
        descriptions[page] = found[1]
        for tag in ('property="og:title"', 'property="og:description"', 'name="twitter:card" content="summary"'):
            assert tag in html, (page, tag)
    claim = site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html"
    assert descriptions[claim].startswith("Unverifiable: In 2017, 1.49 of every 10,000 trades")
    generated = [
        text for page, text in descriptions.items() if page.parent.parent.name in ("claims", "sources", "parties")
    ]
    assert len(set(generated)) == len(generated)


def test_a_claim_pages_title_gives_its_verdict_then_who_made_it_and_when(site: Path) -> None:
    html = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    assert "<title>Unverifiable — Alibaba Group, 10 January 2018: In 2017, 1.49 of every 10,000 trades" in html


def test_the_claims_index_filters_a_claim_by_every_source_its_page_cites(site: Path, dataset: Any) -> None:
    index = (site / "claims" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(
        r'<tr data-status[^>]* data-sources="([^"]*)">\s*<td class="ct-col-claim">.*?href="\.\./claims/([^/"]+)/"',
        index,
    )
    assert len(rows) == len(dataset.claims)
    for sources, claim_id in rows:
        page = (site / "claims" / claim_id / "index.html").read_text(encoding="utf-8")
        cited = re.search(r'<ul class="ct-source-list">(.*?)</ul>', page, re.DOTALL)
        listed = re.findall(r'href="\.\./\.\./sources/([^/"]+)/"', cited[1]) if cited else []
        assert sorted(sources.split()) == sorted(listed), claim_id


def test_generated_pages_stay_out_of_the_sidebar(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="claims/" class="md-nav__link"' in home
    assert re.findall(r'href="(?:claims|sources|parties)/[^"]+/" class="md-nav__link"', home) == []


def test_claim_page_shows_badge_rationale_rebuttals_and_edit_link(site: Path) -> None:
    html = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    assert 'class="ct-badge ct-status-unverifiable"' in html
    assert "ct-stance-qualifies" in html
    assert 'href="../../sources/ustr-2017-notorious-markets-list/"' in html
    assert "claims/claims/alibaba-2017-counterfeits-1-49-per-10000-trades.yaml" in html
    assert '<figure class="ct-chart"' in html
    assert "−0.61\u00a0per 10,000\u00a0trades (−29\u00a0%)" in html


def test_claim_page_reads_as_a_fact_check_verdict_first(site: Path) -> None:
    html = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    article = html[html.index('<article class="ct-claim"') :]
    sections = re.findall(r'<h2 id="([a-z-]+)"', article)
    assert sections == [
        "verdict",
        "claimed",
        "evidence",
        "appearances",
        "provenance",
        "related",
        "changes",
        "history",
        "sources",
        "data",
    ]
    verdict = article[article.index('<section class="ct-verdict"') : article.index("</section>")]
    for part in (
        "Unverifiable",
        "second-hand evidence qualifies a claim and settles nothing",
        "1.49\u00a0per 10,000\u00a0trades",
        "Alibaba Group",
        "10 January 2018",
    ):
        assert part in verdict


def test_a_source_is_cited_with_its_author_and_publisher(site: Path) -> None:
    html = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    step = re.search(r'<span class="ct-role">Summarised</span> in (.*?)</li>', html)
    assert step is not None
    assert "Alibaba released the 2017 Annual Report on Intellectual Property Protection</a></cite>" in step[1]
    assert '<span class="ct-credit">(Tian Lu, The IPKat)</span>' in step[1]


def test_every_generated_page_has_a_table_of_contents_and_so_a_skip_link(site: Path) -> None:
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 60
    assert [page for page in pages if 'class="md-skip"' not in page.read_text("utf-8")] == []
    claim = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    assert '<a href="#claim" class="md-skip">' in claim
    assert 'href="#evidence" class="md-nav__link"' in claim  # the right sidebar lists the page's sections


def test_a_page_without_sections_has_no_empty_sidebar(site: Path) -> None:
    for page in ("claims", "sources", "parties"):
        html = (site / page / "index.html").read_text("utf-8")
        assert 'data-md-type="toc" hidden' in html, page
    assert 'data-md-type="toc" hidden' not in (site / "timeline" / "index.html").read_text("utf-8")


def test_the_timeline_names_each_date_once_and_says_what_happened(site: Path) -> None:
    html = (site / "timeline" / "index.html").read_text("utf-8")
    article = html[html.index('<h1 id="timeline">') :]
    assert article.count(">10 January 2018<") == 1  # the date heading; no more "10 January 2018 — claim:" per event
    assert re.search(r'<h3 id="day-2018-01-10"><time datetime="2018-01-10">10 January 2018</time></h3>', article)
    assert '<span class="ct-event-kind">20 claims made</span> by Alibaba Group' in article
    assert (
        '<span class="ct-event-kind">Published</span> <cite><a href="../sources/ustr-2017-notorious-markets-list/">'
        in article
    )
    assert (
        'qualifies <span class="ct-attribution">Alibaba Group, 10 January 2018:</span>'
        ' <a href="../claims/alibaba-2017-counterfeits-1-49-per-10000-trades/#rebuttal-1">'
    ) in article


def test_source_page_links_back_to_the_claims_its_evidence_bears_on(site: Path) -> None:
    html = (site / "sources" / "ustr-2017-notorious-markets-list" / "index.html").read_text("utf-8")
    assert 'href="../../claims/alibaba-2017-ip-complaints-drop-42-percent/#rebuttal-1"' in html


def test_the_same_input_builds_byte_identical_output(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert build(REPO, again, env=PUBLISHED).returncode == 0
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_conversion_by_someone_unnamed_is_shown_as_rough_as_its_figure_and_not_called_another_partys(
    site: Path,
) -> None:
    html = (site / "claims" / "alibaba-2017-cases-involved-430-million-yuan" / "index.html").read_text("utf-8")
    conversion = html[html.index('<p class="ct-conversion">') :].partition("</p>")[0]
    assert "Also given as about" in conversion
    assert "by someone the source does not name" in conversion
    assert "not the claimant" not in conversion


def test_a_report_presented_before_its_text_was_published_shows_both_facts_with_their_bases(site: Path) -> None:
    html = (site / "sources" / "alibaba-2017-ip-report" / "index.html").read_text("utf-8")
    facts = html[html.index("<dt>Published</dt>") :].partition("</dl>")[0]
    assert "<dt>Published</dt><dd>date unknown" in facts
    inferred = '<div class="ct-basis ct-basis-inferred"><span class="ct-inferred">Inferred</span>'
    assert f"<dt>Presented</dt><dd>10 January 2018{inferred}" in facts


def test_a_claim_page_lists_every_source_it_cites_oldest_first(site: Path) -> None:
    html = (site / "claims" / "alibaba-2017-counterfeits-1-49-per-10000-trades" / "index.html").read_text("utf-8")
    listed = html[html.index('<h2 id="sources">') : html.index('<h2 id="data">')]
    cited = re.findall(r'href="\.\./\.\./sources/([a-z0-9-]+)/"', listed)
    # Its first appearance, the post it was read in, and the evidence (the USTR list through comment 6).
    assert {"alibaba-2017-ip-report", "ipkat-2018-01-12-alibaba-2017-ip-report"} <= set(cited)
    assert {"ustr-2017-notorious-markets-list", "ipkat-2018-01-12-comment-6"} <= set(cited)
    assert len(cited) == len(set(cited))
    # January 2018 (the list), 12 January 2018 (the post), then the undated comment.
    order = [cited.index(s) for s in ("ustr-2017-notorious-markets-list", "ipkat-2018-01-12-alibaba-2017-ip-report")]
    assert order == sorted(order) and cited[-1] == "ipkat-2018-01-12-comment-6"
    assert 'href="https://ustr.gov/' in listed
