"""Editorial integrity: every fact has a basis, a paraphrase is no quote, changes are logged, and the
publisher is data. Run through ``check_project`` on edited copies of the minimal project."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from claimledger.checks.project import check_project
from claimledger.exports.formats import export_data
from claimledger.findings import Finding, Severity
from claimledger.record.graph import build_graph
from claimledger.site.jsonld import claim_review
from claimledger.site.outputs import PageOutput, site_outputs
from claimledger.site.render import Renderer, SiteSettings

from .reviews import resign

TODAY = dt.date(2022, 1, 1)
CLAIM = "claims/claims/test-claim.yaml"
PARTY = "claims/parties/press-officer.yaml"
SOURCE = "claims/sources/newsletter.yaml"


def check(root: Path) -> list[Finding]:
    _, findings = check_project(root, today=TODAY)
    return findings


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rules(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.path, f.rule, f.field) for f in findings]


def write_claim(root: Path, words: str, extra: str = "") -> None:
    """A valid claim but for ``words`` (its quote or paraphrase) and ``extra`` fields."""
    write(
        root,
        CLAIM,
        "statement: A test claim.\n"
        f"{words}"
        "claimant: widgets-inc\ndate: 2021-01-15\nfirst_appearance: widget-report\n"
        "appearances:\n  - source: widget-post\n    quote: Widget defects fell by 12% in 2020\n"
        f"status: unverified\nrationale: Test.\n{extra}",
    )


# Every fact has a basis.


def test_an_affiliation_stated_by_a_source_with_its_words_is_accepted(minimal_project: Path) -> None:
    write(
        minimal_project,
        PARTY,
        "name: A press officer\nkind: person\naffiliation: widgets-inc\nbasis:\n  affiliation:\n"
        "    source: widget-post\n    quote: said the chief quality officer\n",
    )
    assert check(minimal_project) == []


def test_an_inferred_affiliation_with_its_reasoning_is_accepted(minimal_project: Path) -> None:
    write(
        minimal_project,
        PARTY,
        "name: A press officer\nkind: person\naffiliation: widgets-inc\nbasis:\n  affiliation:\n"
        "    inferred: Speaks for the company in the post, which names no other employer.\n"
        "    source: widget-post\n",
    )
    assert check(minimal_project) == []
    dataset, _ = check_project(minimal_project, today=TODAY)
    basis = dataset.parties["press-officer"].basis_of("affiliation")
    assert basis is not None and basis.is_inferred and basis.source == "widget-post"


def test_an_affiliation_without_a_basis_is_an_error_naming_the_rule_it_feeds(minimal_project: Path) -> None:
    write(minimal_project, PARTY, "name: A press officer\nkind: person\naffiliation: widgets-inc\n")
    (finding,) = check(minimal_project)
    assert (finding.path, finding.line, finding.rule, finding.field) == (PARTY, 3, "fact-basis", "affiliation")
    assert finding.severity is Severity.ERROR
    assert "independence rule" in finding.message
    assert "affiliation: unknown" in finding.hint


def test_an_unknown_affiliation_needs_no_basis_and_makes_no_one_dependent(minimal_project: Path) -> None:
    write(minimal_project, PARTY, "name: A press officer\nkind: person\naffiliation: unknown\n")
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    party = dataset.parties["press-officer"]
    assert party.affiliation is None
    assert party.unknown == {"affiliation"}


def test_a_role_without_a_basis_is_a_warning_not_an_error(minimal_project: Path) -> None:
    write(minimal_project, PARTY, "name: A press officer\nkind: person\nrole: Press officer\n")
    (finding,) = check(minimal_project)
    assert (finding.rule, finding.field, finding.severity) == ("fact-unsourced", "role", Severity.WARNING)


def test_a_role_said_to_be_unknown_needs_no_basis(minimal_project: Path) -> None:
    write(minimal_project, PARTY, "name: A press officer\nkind: person\nrole: unknown\n")
    assert check(minimal_project) == []


def test_a_publication_date_without_a_basis_is_an_error(minimal_project: Path) -> None:
    write(minimal_project, SOURCE, "title: A newsletter\nkind: news-report\npublished: 2021-03\nurl: unknown\n")
    assert rules(check(minimal_project)) == [(SOURCE, "fact-basis", "published")]


def test_an_author_is_backed_by_the_name_the_source_shows(minimal_project: Path) -> None:
    write(
        minimal_project,
        SOURCE,
        "title: A newsletter\nkind: news-report\nauthor: blogger\npublished: unknown\nurl: unknown\n",
    )
    assert rules(check(minimal_project)) == [(SOURCE, "fact-basis", "author")]
    write(
        minimal_project,
        SOURCE,
        "title: A newsletter\nkind: news-report\nauthor: blogger\nauthor_shown: A. Blogger\n"
        "published: unknown\nurl: unknown\n",
    )
    assert check(minimal_project) == []


def test_full_text_available_is_backed_by_a_snapshot_on_the_record(minimal_project: Path) -> None:
    comment = minimal_project / "claims/sources/widget-comment.yaml"
    comment.write_text(comment.read_text(encoding="utf-8") + "full_text: available\n", encoding="utf-8")
    assert check(minimal_project) == []  # part of widget-post, whose text the snapshot holds
    write(
        minimal_project,
        SOURCE,
        "title: A newsletter\nkind: news-report\npublished: unknown\nurl: unknown\nfull_text: available\n",
    )
    assert rules(check(minimal_project)) == [(SOURCE, "fact-basis", "full_text")]


def test_a_basis_quote_read_via_another_source_is_checked_against_that_snapshot(minimal_project: Path) -> None:
    write(
        minimal_project,
        PARTY,
        "name: A press officer\nkind: person\naffiliation: widgets-inc\nbasis:\n  affiliation:\n"
        "    source: widget-report\n    via: widget-post\n    quote: Widgets Inc. annual report\n",
    )
    assert check(minimal_project) == []
    text = (minimal_project / PARTY).read_text(encoding="utf-8")
    (minimal_project / PARTY).write_text(text.replace("annual report\n", "annual review\n"), encoding="utf-8")
    assert rules(check(minimal_project)) == [(PARTY, "quote-not-in-snapshot", "basis.affiliation.quote")]


def test_a_basis_naming_an_unknown_source_is_an_error(minimal_project: Path) -> None:
    write(
        minimal_project,
        PARTY,
        "name: A press officer\nkind: person\naffiliation: widgets-inc\nbasis:\n  affiliation:\n"
        "    source: staff-list\n",
    )
    assert rules(check(minimal_project)) == [(PARTY, "ref-source", "basis.affiliation.source")]


def test_a_basis_with_neither_source_nor_reasoning_is_a_schema_error(minimal_project: Path) -> None:
    write(
        minimal_project,
        PARTY,
        "name: A press officer\nkind: person\naffiliation: widgets-inc\nbasis:\n  affiliation:\n    locator: page 2\n",
    )
    assert {f.rule for f in check(minimal_project)} == {"schema"}


# Quote or paraphrase.


PARAPHRASE = (
    "paraphrase:\n  text: Widget defects fell by 12% in 2020, said the chief quality officer.\n"
    "  by: blogger\n  source: widget-post\n"
)


def test_a_claim_known_only_from_a_paraphrase_needs_no_quote(minimal_project: Path) -> None:
    write_claim(minimal_project, PARAPHRASE)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    claim = dataset.claims["test-claim"]
    assert claim.quote is None
    assert claim.paraphrase is not None and claim.paraphrase.by == "blogger"
    assert claim.words == "Widget defects fell by 12% in 2020, said the chief quality officer."


def test_a_claim_with_neither_quote_nor_paraphrase_is_a_schema_error(minimal_project: Path) -> None:
    write_claim(minimal_project, "")
    findings = check(minimal_project)
    assert [(f.rule, f.field) for f in findings] == [("schema", "quote")]


def test_a_paraphrase_is_checked_word_for_word_against_its_source(minimal_project: Path) -> None:
    write_claim(minimal_project, PARAPHRASE.replace("said the chief", "said the head"))
    assert rules(check(minimal_project)) == [(CLAIM, "quote-not-in-snapshot", "paraphrase.text")]


def test_the_claimants_own_words_are_not_a_paraphrase(minimal_project: Path) -> None:
    write_claim(minimal_project, PARAPHRASE.replace("by: blogger", "by: widgets-inc"))
    found = rules(check(minimal_project))
    assert (CLAIM, "paraphrase-by", "paraphrase.by") in found


def test_a_paraphrase_whose_author_the_source_does_not_show_is_by_unknown(minimal_project: Path) -> None:
    write_claim(minimal_project, PARAPHRASE.replace("by: blogger", "by: unknown"))
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    paraphrase = dataset.claims["test-claim"].paraphrase
    assert paraphrase is not None and paraphrase.by is None


def test_a_paraphrase_credited_to_a_party_who_did_not_write_the_source_says_it_may_be_unknown(
    minimal_project: Path,
) -> None:
    write_claim(minimal_project, PARAPHRASE.replace("by: blogger", "by: auditor"))
    (finding,) = [f for f in check(minimal_project) if f.rule == "paraphrase-by"]
    assert "did not write or publish widget-post" in finding.message
    assert "`by: unknown`" in finding.hint


# A claim's date may have a basis too: where no appearance gives the day, the source that does, or the
# reasoning that infers it.

QUOTED = "quote: Widget defects fell by 12% in 2020\n"


def test_a_claims_inferred_date_is_accepted_and_shown_with_its_reasoning(minimal_project: Path) -> None:
    write_claim(
        minimal_project,
        QUOTED,
        "basis:\n  date:\n    inferred: The comment is dated the day after the report it quotes.\n"
        "    source: widget-comment\n",
    )
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    renderer = Renderer(dataset, build_graph(dataset), SiteSettings("Widgets", "", ""))
    page = next(o for o in site_outputs(dataset, renderer) if isinstance(o, PageOutput) and o.spec.key == "test-claim")
    made = page.render().partition("<dt>Made</dt>")[2].partition("</dd>")[0]
    assert '<span class="ct-inferred">Inferred</span> The comment is dated the day after the report it quotes.' in made
    # The source it starts from lists the claim, so an edit of that source rewrites the claim's page.
    assert "test-claim" in {c.id for c in build_graph(dataset).claims_in_source["widget-comment"]}


def test_a_claims_date_basis_quote_is_checked_against_the_sources_text(minimal_project: Path) -> None:
    write_claim(minimal_project, QUOTED, "basis:\n  date:\n    source: widget-post\n    quote: On 15 January\n")
    assert rules(check(minimal_project)) == [(CLAIM, "quote-not-in-snapshot", "basis.date.quote")]


def test_a_basis_for_a_claim_date_said_to_be_unknown_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, QUOTED, "basis:\n  date:\n    inferred: A guess.\n")
    path = minimal_project / CLAIM
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2021-01-15", "date: unknown"), encoding="utf-8")
    (finding,) = check(minimal_project)
    assert (finding.rule, finding.field) == ("fact-basis", "basis.date")
    assert "which this file says is unknown" in finding.message


def test_a_paraphrase_naming_an_unknown_source_or_party_is_a_reference_error(minimal_project: Path) -> None:
    write_claim(minimal_project, PARAPHRASE.replace("by: blogger", "by: bloger").replace("widget-post", "widget-pots"))
    found = {f.field: f for f in check(minimal_project)}
    assert {(f.rule, name) for name, f in found.items()} == {
        ("ref-source", "paraphrase.source"),
        ("ref-party", "paraphrase.by"),
    }
    assert "did you mean 'widget-post'?" in found["paraphrase.source"].hint
    assert "did you mean 'blogger'?" in found["paraphrase.by"].hint


def test_a_paraphrase_by_unknown_in_the_claimants_own_source_is_a_quote(minimal_project: Path) -> None:
    # widget-report is Widgets Inc.'s own: whatever it says of the claim is the claimant's own words.
    write_claim(
        minimal_project, PARAPHRASE.replace("by: blogger", "by: unknown").replace("widget-post", "widget-report")
    )
    found = [f for f in check(minimal_project) if f.rule == "paraphrase-by"]
    assert [(f.field, f.message) for f in found] == [
        (
            "paraphrase.by",
            "widget-report is the claimant's own: its words are the claimant's, a quote, not a paraphrase",
        )
    ]


def test_a_presentation_date_based_on_the_source_itself_needs_its_text(minimal_project: Path) -> None:
    write(
        minimal_project,
        SOURCE,
        "title: A newsletter\nkind: news-report\npublished: unknown\npresented: 1999-01-01\nurl: unknown\n"
        "basis: {presented: self}\n",
    )
    (finding,) = check(minimal_project)
    assert (finding.rule, finding.field) == ("fact-basis-self", "basis.presented")
    assert "presentation date" in finding.message


# The log of editorial changes.


LOG = (
    "log:\n  - date: 2021-03-02\n    kind: correction\n    summary: The statement now gives the year.\n"
    "  - date: 2021-04-01\n    kind: status-change\n    summary: New evidence; the status is now *unverified*.\n"
)


def test_a_log_oldest_first_is_accepted_and_exported(minimal_project: Path) -> None:
    write_claim(minimal_project, "quote: Widget defects fell by 12% in 2020\n", LOG)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    (record,) = [c for c in export_data(dataset)["claims"] if c["id"] == "test-claim"]
    assert record["log"] == [
        {"date": "2021-03-02", "kind": "correction", "summary": "The statement now gives the year."},
        {"date": "2021-04-01", "kind": "status-change", "summary": "New evidence; the status is now *unverified*."},
    ]


def test_a_log_entry_dated_in_the_future_is_an_error(minimal_project: Path) -> None:
    write_claim(minimal_project, "quote: Widget defects fell by 12% in 2020\n", LOG.replace("2021-04-01", "2030-01-01"))
    assert rules(check(minimal_project)) == [(CLAIM, "date-future", "log[1].date")]


def test_a_log_entry_of_an_unknown_kind_is_a_schema_error(minimal_project: Path) -> None:
    write_claim(minimal_project, "quote: Widget defects fell by 12% in 2020\n", LOG.replace("status-change", "fix"))
    assert rules(check(minimal_project)) == [(CLAIM, "schema", "log[1].kind")]


def test_a_log_summary_is_checked_as_markdown(minimal_project: Path) -> None:
    write_claim(minimal_project, "quote: Widget defects fell by 12% in 2020\n", LOG.replace("*unverified*", "<b>x</b>"))
    assert rules(check(minimal_project)) == [(CLAIM, "markdown-html", "log[1].summary")]


# A conversion whose maker, rate and date the source does not give.


def test_a_conversion_by_an_unknown_hand_is_recorded_as_such(minimal_project: Path) -> None:
    path = minimal_project / "claims/claims/widget-defects-fell.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "first_appearance:",
        "conversions:\n  - value: -0.12\n    unit: ratio\n    by: unknown\n    source: widget-post\n"
        "    rate: unknown\nfirst_appearance:",
    )
    path.write_text(text, encoding="utf-8")
    resign(path)
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    (conversion,) = dataset.claims["widget-defects-fell"].conversions
    assert (conversion.by, conversion.rate) == (None, "unknown")


# Who publishes.


def test_the_publisher_is_data_and_signs_every_claim_review(minimal_project: Path) -> None:
    dataset, findings = check_project(minimal_project, today=TODAY)
    assert findings == []
    assert dataset.publisher is not None and dataset.publisher.name == "Widget Watch"
    review = claim_review(dataset.claims["widget-defects-fell"], dataset, "https://x.example/", "Site name")
    expected = {
        "@type": "Organization",
        "name": "Widget Watch",
        "url": "https://widgets.example.org/about/",
        "logo": {"@type": "ImageObject", "url": "https://widgets.example.org/logo.png"},
    }
    assert review["author"] == expected
    assert review["publisher"] == expected
    assert export_data(dataset)["publisher"]["name"] == "Widget Watch"


def test_without_a_publisher_file_the_site_name_signs_the_review(minimal_project: Path) -> None:
    (minimal_project / "claims/publisher.yaml").unlink()
    dataset, findings = check_project(minimal_project, today=TODAY)
    # With no publisher on record there are no editors either: the verdicts' reviewers are unknown.
    assert {f.rule for f in findings} == {"review-editor"}
    review = claim_review(dataset.claims["widget-defects-fell"], dataset, "https://x.example/", "Site name")
    assert review["author"] == review["publisher"] == {"@type": "Organization", "name": "Site name"}


def test_a_publisher_address_that_is_not_http_is_an_error(minimal_project: Path) -> None:
    write(minimal_project, "claims/publisher.yaml", "name: Widget Watch\nurl: javascript:alert(1)\n")
    assert rules(check(minimal_project)) == [("claims/publisher.yaml", "url-scheme", "url")]


def test_corrections_are_in_the_claim_review_and_date_its_last_modification(minimal_project: Path) -> None:
    write_claim(minimal_project, "quote: Widget defects fell by 12% in 2020\n", LOG.replace("2021-04-01", "2021-05-01"))
    dataset, _ = check_project(minimal_project, today=TODAY)
    review = claim_review(dataset.claims["test-claim"], dataset, "https://x.example/", "Site name")
    assert review["dateModified"] == "2021-05-01"
    assert review["correction"] == [
        {"@type": "CorrectionComment", "text": "The statement now gives the year.", "datePublished": "2021-03-02"}
    ]
