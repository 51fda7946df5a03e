"""Where "Report an error" leads on a claim page, by what the record knows: the repository, else the
publisher's email, else its contact page, else the site's Contact page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from claimledger.checks.project import check_project
from claimledger.record.graph import build_graph
from claimledger.site.render import Renderer, SiteSettings

CONTACT_PAGE = "../../contact/#report-an-error"


def _report_error(root: Path, publisher_extra: str = "", repo_url: str = "") -> str:
    publisher = root / "claims" / "publisher.yaml"
    publisher.write_text(publisher.read_text(encoding="utf-8") + publisher_extra, encoding="utf-8")
    dataset, _ = check_project(root)
    settings = SiteSettings.of_site("Widgets", "https://widgets.example.org/", repo_url)
    renderer = Renderer(dataset, build_graph(dataset), settings)
    return renderer.report_error(dataset.claims["widget-defects-fell"], CONTACT_PAGE)


def test_with_a_repository_it_opens_an_issue_naming_the_claim_and_its_page(minimal_project: Path) -> None:
    href = _report_error(minimal_project, "email: desk@widgets.example.org\n", "https://github.com/w/claims")
    assert href.startswith("https://github.com/w/claims/issues/new?")
    body = parse_qs(urlsplit(href).query)["body"][0]
    assert "Claim: widget-defects-fell\nPage: https://widgets.example.org/claims/widget-defects-fell/" in body


def test_without_a_repository_it_writes_to_the_publishers_email(minimal_project: Path) -> None:
    href = _report_error(minimal_project, "email: desk@widgets.example.org\n")
    assert href.startswith("mailto:desk@widgets.example.org?subject=")
    assert "widget-defects-fell" in parse_qs(urlsplit(href).query)["subject"][0]


def test_without_an_email_it_leads_to_the_publishers_contact_page(minimal_project: Path) -> None:
    assert _report_error(minimal_project, "contact: https://widgets.example.org/contact/\n") == (
        "https://widgets.example.org/contact/"
    )


def test_with_no_route_on_record_it_leads_to_the_sites_contact_page(minimal_project: Path) -> None:
    assert _report_error(minimal_project) == CONTACT_PAGE
