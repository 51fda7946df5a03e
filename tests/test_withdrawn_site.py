"""A withdrawn claim on the site, from a real build: its page stays and says first that it was withdrawn,
when and why; the Corrections page and feed list the withdrawal; indexes, search and exports keep it,
marked; it carries no ClaimReview. The shipped data has no withdrawn claim: the minimal fixture is used."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.findings import has_errors

from .conftest import MINIMAL
from .sitebuild import build

ATOM = "{http://www.w3.org/2005/Atom}"
WITHDRAWN = "claims/claims/widget-defects-fell.yaml"
REASON = "Widgets Inc. never made this claim: it was recorded from a misread press release."


def withdraw(root: Path) -> None:
    """Withdraw the minimal project's defects claim, as CONTRIBUTING.md says to."""
    path = root / WITHDRAWN
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: disputed", "status: withdrawn")
    text = text.replace("rationale: A reader disputes the figure and", "rationale: Withdrawn; recorded in error, and")
    text += (
        "log:\n"
        "  - date: 2021-03-01\n    kind: correction\n    summary: The figure was 12 %, not 21 %.\n"
        f"  - date: 2021-06-01\n    kind: retraction\n    summary: >-\n      {REASON}\n"
    )
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("withdrawn") / "project"
    shutil.copytree(MINIMAL, root)
    withdraw(root)
    # A metric whose only figure is the withdrawn claim's.
    (root / "claims" / "metrics").mkdir()
    (root / "claims" / "metrics" / "widget-defects.yaml").write_text(
        "title: Widget defects\ncounts: Defective widgets.\ncounted_by: widgets-inc\nperiod: A calendar year.\n"
        "sources: [widget-report]\n",
        encoding="utf-8",
    )
    path = root / WITHDRAWN
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "unit: percent-change\n", "unit: percent-change\nmetric: widget-defects\n"
        ),
        encoding="utf-8",
    )
    _, findings = check_project(root)
    assert not has_errors(findings), findings
    result = build(root, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_the_page_says_first_that_the_claim_was_withdrawn_when_and_why(site: Path) -> None:
    html = _page(site, "claims/widget-defects-fell")
    notice = html[html.index('<section class="ct-withdrawn"') : html.index("</section>", html.index("ct-withdrawn"))]
    assert html.index('id="claim"') < html.index('class="ct-withdrawn"') < html.index('id="verdict"')
    assert '<h2 id="withdrawn">Withdrawn on 1 June 2021</h2>' in notice
    assert REASON in notice
    assert "This claim was withdrawn from the record." in notice
    assert 'href="#change-2"' in notice  # the withdrawal, under Changes
    assert 'href="../../corrections/"' in notice


def test_the_page_keeps_the_record_as_it_stood(site: Path) -> None:
    html = _page(site, "claims/widget-defects-fell")
    assert "Widget defects fell by 12% in 2020" in html  # the quote
    assert "A reader doubts the figure." in html  # the evidence
    assert '<li class="ct-change ct-change-retraction" id="change-2">' in html
    assert '<span class="ct-change-kind">Withdrawal</span>' in html


def test_the_page_is_titled_and_badged_withdrawn_and_carries_no_claimreview(site: Path) -> None:
    html = _page(site, "claims/widget-defects-fell")
    assert "<title>Withdrawn — Widgets Inc., 15 January 2021: Widget defects fell by 12 % in 2020." in html
    assert '<span class="ct-badge ct-status-withdrawn"' in html
    assert "ClaimReview" not in html
    assert "ClaimReview" in _page(site, "claims/widget-report-exists")  # a verdict still carries one


def test_the_corrections_page_lists_the_withdrawal(site: Path) -> None:
    html = _page(site, "corrections")
    listed = html[html.index('class="ct-changes ct-corrections"') :]
    first = listed[: listed.index("</li>")]  # newest first
    assert '<li class="ct-change ct-change-retraction" id="widget-defects-fell-change-2">' in first
    assert '<span class="ct-change-kind">Withdrawal</span>' in first
    assert 'href="../claims/widget-defects-fell/#change-2"' in first
    assert REASON in first
    assert "a <strong>withdrawal</strong>" in html


def test_the_feed_lists_the_withdrawal(site: Path) -> None:
    feed = ET.fromstring((site / "corrections.xml").read_bytes())
    entry = feed.findall(f"{ATOM}entry")[0]
    assert (
        entry.findtext(f"{ATOM}title")
        == "Withdrawal — Widgets Inc., 15 January 2021: Widget defects fell by 12 % in 2020."
    )
    assert entry.findtext(f"{ATOM}id") == "https://widgets.example.org/claims/widget-defects-fell/#change-2"
    assert entry.findtext(f"{ATOM}updated") == "2021-06-01T00:00:00Z"
    category = entry.find(f"{ATOM}category")
    assert category is not None and category.attrib == {"term": "retraction", "label": "Withdrawal"}
    assert REASON in (entry.findtext(f"{ATOM}summary") or "")


def test_indexes_keep_the_claim_marked_withdrawn(site: Path) -> None:
    index = _page(site, "claims")
    row = index[index.index('<tr data-status="withdrawn"') :]
    assert "widget-defects-fell" in row[: row.index("</tr>")]
    assert '<option value="withdrawn">Withdrawn (1)</option>' in index
    dashboard = _page(site, "dashboard")
    assert "How the 2 claims hold up (1 of them withdrawn: kept on the record, marked" in dashboard
    assert '<h2 id="status-withdrawn">Withdrawn (1)</h2>' in dashboard


def test_search_and_exports_keep_the_claim_with_its_status_and_withdrawal(site: Path) -> None:
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    page = next(doc for doc in docs if doc["location"] == "claims/widget-defects-fell/")
    assert "Withdrawn" in page["text"]
    claims = json.loads((site / "claims.json").read_text(encoding="utf-8"))["claims"]
    claim = next(c for c in claims if c["id"] == "widget-defects-fell")
    assert claim["status"] == "withdrawn"
    assert claim["log"][-1] == {"date": "2021-06-01", "kind": "retraction", "summary": REASON}
    assert "widget-defects-fell" in (site / "claims.csv").read_text(encoding="utf-8")


def test_a_withdrawn_figure_is_no_figure_of_its_metric(site: Path) -> None:
    html = _page(site, "metrics/widget-defects")
    series = html[html.index('id="series"') :]
    assert "No claim states a figure of this metric yet." in series
    assert "widget-defects-fell" not in series
