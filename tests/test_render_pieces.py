"""What the renderer makes once per build or per page (a claim's attribution, an item's address, a quote's
passage), the lists made in Python (the timeline's days) and the snapshots a page reads: each page still
shows, and notes as read, exactly what it would alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.record.graph import build_graph
from claimledger.site.manifest import Read, Recorder
from claimledger.site.render import Event, PageContext, Renderer, SiteSettings
from claimledger.site.urls import page_specs
from claimledger.tools.synthetic import write_site_project

from .conftest import MINIMAL
from .sitebuild import build

SETTINGS = SiteSettings("Widget claims", "https://widgets.example.org/", "https://example.org/edit/main/")


def _renderer(recorder: Recorder | None = None) -> Renderer:
    dataset, findings = check_project(MINIMAL, today=dt.date(2026, 1, 1))
    assert findings == []
    return Renderer(dataset, build_graph(dataset), SETTINGS, recorder=recorder)


def _alone(src_uri: str) -> tuple[str, set[Read]]:
    """A page rendered by a renderer that has rendered nothing else: its HTML and what it read."""
    recorder = Recorder()
    renderer = _renderer(recorder)
    spec = {s.src_uri: s for s in page_specs(renderer.loaded)}[src_uri]
    with recorder.reading() as reads:
        html = renderer.render(spec)
    return html, reads


def test_a_page_reads_and_shows_the_same_after_other_pages_made_the_pieces_it_shares() -> None:
    recorder = Recorder()
    renderer = _renderer(recorder)
    specs = page_specs(renderer.loaded)
    for spec in specs:  # every piece a page uses is made by an earlier page, or by this one before
        with recorder.reading():
            renderer.render(spec)
    for spec in reversed(specs):
        with recorder.reading() as reads:
            html = renderer.render(spec)
        assert (html, reads) == _alone(spec.src_uri), spec.src_uri


def test_a_claim_link_notes_the_claimants_name_it_shows_each_time_it_is_used() -> None:
    recorder = Recorder()
    renderer = _renderer(recorder)
    claim = renderer.dataset.claims["widget-defects-fell"]
    p = PageContext(renderer, "tags/")
    with recorder.reading() as first:
        link = p.claim_link(claim)
    with recorder.reading() as second:
        assert p.claim_link(claim) == link
    assert ("parties", claim.claimant) in first
    assert second == {("parties", claim.claimant)}


def test_the_table_of_all_claims_is_each_claims_row_on_a_line_of_its_own() -> None:
    renderer = _renderer()
    claims = list(renderer.dataset.claims.values())
    units = ["percent", "count"]
    p = PageContext(renderer, "claims/")
    rows = "".join(p.claim_rows(claims, units))
    assert rows == "".join(f"{PageContext(renderer, 'claims/').claim_row(claim, units)}\n" for claim in claims)
    assert rows.count("<tr ") == len(claims) > 1


def test_a_claimants_name_shown_in_many_rows_is_noted_as_read_by_every_page_that_shows_it() -> None:
    recorder = Recorder()
    renderer = _renderer(recorder)
    claims = list(renderer.dataset.claims.values())
    claimants = {("parties", claim.claimant) for claim in claims}
    for page in ("claims/", "claims/"):
        with recorder.reading() as reads:
            list(PageContext(renderer, page).claim_rows(claims, []))
        assert claimants <= reads


def test_a_claims_headline_in_a_list_is_its_headline_linked_to_its_page(renderer: Renderer) -> None:
    claims = list(renderer.dataset.claims.values())
    p = PageContext(renderer, "dashboard/")
    expected = "".join(f"<li>{renderer.headline(claim, p.url('claim', claim.id))}</li>" for claim in claims)
    assert p.headline_items(claims) == expected
    assert p.claim_items(claims) == "".join(f"<li>{p.claim_link(claim)}</li>" for claim in claims)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return _renderer()


def test_the_timeline_lists_claims_one_party_made_on_a_day_together_with_their_count(renderer: Renderer) -> None:
    claims = [renderer.dataset.claims["widget-defects-fell"], renderer.dataset.claims["widget-report-exists"]]
    events = [Event("claim", None, claim, party="widgets-inc") for claim in claims]
    html = PageContext(renderer, "timeline/").events(events)
    links = [PageContext(renderer, "timeline/").claim_link(claim, attributed=False) for claim in claims]
    assert html == (
        '<ul class="ct-events" data-search-exclude>\n'
        '  <li class="ct-event ct-event-claim"><span class="ct-event-kind">2 claims made</span> by Widgets Inc.:'
        "    <ul>\n"
        f"      <li>{links[0]}</li>\n"
        f"      <li>{links[1]}</li>\n"
        "    </ul>\n"
        "  </li>\n"
        "</ul>\n"
    )


def test_the_timeline_shows_a_single_event_on_its_entrys_line(renderer: Renderer) -> None:
    claim = renderer.dataset.claims["widget-defects-fell"]
    p = PageContext(renderer, "timeline/")
    html = p.events([Event("claim", None, claim, party=claim.claimant)])
    assert html == (
        '<ul class="ct-events" data-search-exclude>\n'
        '  <li class="ct-event ct-event-claim"><span class="ct-event-kind">Claim made</span> by Widgets Inc.:'
        f" {p.claim_link(claim, attributed=False)}  </li>\n"
        "</ul>\n"
    )


def test_the_timeline_groups_evidence_by_source_then_party_in_the_order_of_their_ids(renderer: Renderer) -> None:
    claims = renderer.dataset.claims
    given = [
        (claim, number, rebuttal)
        for claim in claims.values()
        for number, rebuttal in enumerate(claim.rebuttals, start=1)
    ]
    assert given, "the fixture has evidence"
    sources = renderer.dataset.sources
    events = [
        Event("evidence", sources[rebuttal.source], claim, number, party, rebuttal.stance)
        for claim, number, rebuttal in given
        for party in ("zz-party", "aa-party")
    ]
    html = PageContext(renderer, "timeline/").events(events)
    assert html.index("from aa-party in") < html.index("from zz-party in")
    assert html.count('<li class="ct-event ct-event-evidence">') == 2 * len({r.source for _, _, r in given})


def test_the_passages_of_one_source_are_those_found_among_every_sources_passages(renderer: Renderer) -> None:
    passages = renderer.passages
    claims = list(renderer.dataset.claims.values())
    every = passages.of_sources(claims)
    assert every, "the fixture has quotes in the copy of a source"
    for source_id in renderer.dataset.sources:
        only = passages.of_sources(claims, source_id)
        assert only == ({source_id: every[source_id]} if source_id in every else {})


def test_a_quotes_passage_is_found_once_a_page_and_its_reads_noted_at_each_use() -> None:
    recorder = Recorder()
    renderer = _renderer(recorder)
    claim = renderer.dataset.claims["widget-defects-fell"]
    source_id, quote = claim.appearances[0].source, claim.appearances[0].quote
    p = PageContext(renderer, "claims/widget-defects-fell/")
    with recorder.reading() as first:
        passage = p.around(source_id, quote)
    with recorder.reading() as second:
        assert p.around(source_id, quote) is passage
    assert passage is not None and passage == renderer.passages.around(source_id, quote)
    assert first == second and ("sources", source_id) in first


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_edited_snapshot_rerenders_the_pages_that_quote_it_not_every_page_that_shows_a_quote(
    tmp_path: Path,
) -> None:
    project = write_site_project(tmp_path / "project", 60)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    snapshot = project / "claims" / "snapshots" / "source-00001.txt"
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + "A sentence added at the end.\n", encoding="utf-8")
    source = project / "claims" / "sources" / "source-00001.yaml"
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    source.write_text(re.sub(r"sha256: \w+", f"sha256: {digest}", source.read_text(encoding="utf-8")), "utf-8")
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = re.search(r"claimledger: (\d+) of (\d+) generated pages reused", rebuilt.stderr)
    assert found, rebuilt.stderr
    assert int(found[1]) > int(found[2]) // 2  # the claim and source pages that quote other sources are reused
    full = tmp_path / "full"
    assert build(project, full, "--full").returncode == 0
    assert _tree(site) == _tree(full)


def test_the_table_rows_shown_whole_by_a_template_are_the_rows_looped_over() -> None:
    renderer = _renderer()
    claims = list(renderer.dataset.claims.values())
    p = PageContext(renderer, "claims/")
    shown = renderer.env.from_string("{{ p.claim_rows(claims, []) }}").render(p=p, claims=claims)
    assert shown == "".join(PageContext(renderer, "claims/").claim_rows(claims, [])) and shown.count("<tr ") > 1
