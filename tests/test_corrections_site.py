"""The published record of changes: a claim's "Changes", the Corrections page and its Atom feed, bases
and paraphrases on the pages, and the publisher on the About page; from real builds."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.findings import has_errors
from claimledger.site.feed import atom

from .conftest import MINIMAL
from .sitebuild import build

ATOM = "{http://www.w3.org/2005/Atom}"
DEFECTS = "claims/claims/widget-defects-fell.yaml"
REPORT = "claims/claims/widget-report-exists.yaml"


def _log(root: Path, relative: str, entries: list[tuple[str, str, str]]) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8") + "log:\n"
    for date, kind, summary in entries:
        text += f"  - date: {date}\n    kind: {kind}\n    summary: {summary}\n"
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project with logged changes, a paraphrase and an About page, built once."""
    root = tmp_path_factory.mktemp("corrections") / "project"
    shutil.copytree(MINIMAL, root)
    _log(
        root,
        DEFECTS,
        [
            ("2021-03-01", "correction", "The figure was 12 %, not 21 %."),
            ("2021-04-01", "status-change", "A reader disputes the figure; it is now *disputed*."),
        ],
    )
    path = root / REPORT
    text = path.read_text(encoding="utf-8").replace(
        "quote: Widgets Inc. annual report\nclaimant",
        "paraphrase:\n  text: Widgets Inc. annual report\n  by: blogger\n  source: widget-post\nclaimant",
    )
    path.write_text(text.replace("claimant: blogger", "claimant: widgets-inc"), encoding="utf-8")
    _log(root, REPORT, [("2021-03-15", "clarification", "Shown as the blogger's paraphrase.")])
    (root / "docs" / "about.md").write_text("# About\n\nPublished by [[publisher]].\n", encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - Home: index.md\n", "  - Home: index.md\n  - About: about.md\n")
    )
    _, findings = check_project(root)
    assert not has_errors(findings), findings
    site = root / "site"
    result = build(root, site)
    assert result.returncode == 0, result.stderr
    return site


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_a_claim_page_shows_its_log_under_changes_newest_first(site: Path) -> None:
    html = _page(site, "claims/widget-defects-fell")
    changes = html[html.index('id="changes"') : html.index('id="history"')]
    assert changes.index("1 April 2021") < changes.index("1 March 2021")
    assert '<li class="ct-change ct-change-correction" id="change-1">' in changes
    assert "The figure was 12 %, not 21 %." in changes
    assert "it is now <em>disputed</em>." in changes  # the summary is markdown


def test_the_corrections_page_lists_every_change_newest_first_with_its_claim(site: Path) -> None:
    html = _page(site, "corrections")
    listed = html[html.index('class="ct-changes ct-corrections"') :]
    assert listed.index("1 April 2021") < listed.index("15 March 2021") < listed.index("1 March 2021")
    assert 'href="../claims/widget-defects-fell/#change-2"' in listed
    assert 'href="../corrections.xml"' in html
    assert "Widget Watch" in html


def test_the_feed_is_atom_with_ids_and_dates_newest_first(site: Path) -> None:
    root = ET.fromstring((site / "corrections.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == "https://widgets.example.org/corrections/"
    assert root.findtext(f"{ATOM}updated") == "2021-04-01T00:00:00Z"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Widget Watch"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "https://widgets.example.org/claims/widget-defects-fell/#change-2",
        "https://widgets.example.org/claims/widget-report-exists/#change-1",
        "https://widgets.example.org/claims/widget-defects-fell/#change-1",
    ]
    assert [e.findtext(f"{ATOM}updated") for e in entries] == [
        "2021-04-01T00:00:00Z",
        "2021-03-15T00:00:00Z",
        "2021-03-01T00:00:00Z",
    ]
    assert all(e.find(f"{ATOM}title") is not None and e.find(f"{ATOM}link") is not None for e in entries)


def test_every_page_names_the_feed_for_feed_readers(site: Path) -> None:
    assert '<link rel="alternate" type="application/atom+xml" title="Corrections" href="../../corrections.xml">' in (
        _page(site, "claims/widget-defects-fell")
    )


def test_the_feed_is_the_same_for_the_same_data(minimal_project: Path) -> None:
    dataset, _ = check_project(minimal_project)
    first = atom(dataset, site_url="https://x.example/", site_name="X")
    again, _ = check_project(minimal_project)
    assert atom(again, site_url="https://x.example/", site_name="X") == first
    assert ET.fromstring(first.encode()).findtext(f"{ATOM}updated") == "2021-04-01T00:00:00Z"  # newest review


def test_a_paraphrase_is_shown_as_one_credited_to_whoever_wrote_it(site: Path) -> None:
    html = _page(site, "claims/widget-report-exists")
    assert (
        '<span class="ct-paraphrase-label">Paraphrase</span> by <a href="../../parties/blogger/">A blogger</a>' in html
    )
    assert "the claimant’s own words are not on the record" in html


def test_an_inferred_fact_is_shown_as_inferred_with_its_reasoning(site: Path) -> None:
    html = _page(site, "sources/widget-post")
    assert '<span class="ct-inferred">Inferred</span> The blog' in html
    timeline = _page(site, "timeline")
    assert 'title="Inferred, not stated by a source: see why">inferred</a>' in timeline


def test_a_stated_fact_names_its_source_and_words(site: Path) -> None:
    html = _page(site, "parties/cqo")
    assert "Stated in <a" in html
    assert "<q>Widget defects fell by 12% in 2020, said the chief quality officer.</q>" in html


def test_the_about_page_names_the_publisher(site: Path) -> None:
    html = _page(site, "about")
    assert 'Published by <strong>Widget Watch</strong> · <a href="https://widgets.example.org/about/">' in html
    assert '<a href="https://widgets.example.org/logo.png">logo</a>' in html
