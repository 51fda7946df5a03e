"""Quotes in context: a claim page shows each quote inside the sentences around it in the copy of its
source kept as evidence, a source page shows the passages of it that claims quote, and no more of a
third party's text than those passages is published anywhere on the site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimledger.checks.quotes import normalise
from claimledger.site.passages import CONTEXT, Passage, passage_in, sentences

from .conftest import REPO
from .sitebuild import build

SNAPSHOT = REPO / "claims" / "snapshots" / "ipkat-2018-01-12-alibaba-2017-ip-report.txt"
POST = "sources/ipkat-2018-01-12-alibaba-2017-ip-report/index.html"
CLAIM = "claims/alibaba-2017-counterfeits-1-49-per-10000-trades/index.html"
# Sentences of the IPKat snapshot that no claim quotes, nor the sentence before or after one:
# the first reader comment, and the blog's comment policy.
FAR_FROM_ANY_QUOTE = (
    "If the subject matter eligibility question can be avoided",
    "Current practice is to, however, allow a limited number of comments",
)


def shown(passage: Passage | None) -> str:
    """A passage as text, its quoted words in [brackets]."""
    assert passage is not None
    return "".join(f"[{piece.text}]" if piece.quoted else piece.text for piece in passage.pieces)


# -- sentences -----------------------------------------------------------------------------------


def test_each_list_item_of_the_post_is_a_sentence_of_its_own() -> None:
    found = sentences(SNAPSHOT.read_text(encoding="utf-8"))
    assert (
        "• Out of every 10,000 trades, merely 1.49 were suspected as counterfeits (2.1 in the previous year)." in found
    )


def test_a_short_abbreviation_does_not_end_a_sentence() -> None:
    found = sentences(SNAPSHOT.read_text(encoding="utf-8"))
    assert "-- Ms. Junfang Zheng, the Chief Platform Governance Officer at Alibaba said." in found
    assert any(s.startswith("On Jan. 10, Alibaba released the 2017 Annual Report") for s in found)


def test_a_sentence_ends_at_its_mark_and_a_line_that_goes_on_in_lower_case_runs_on() -> None:
    text = "Widgets report\n\nDefects fell by 12%, said the\nchief officer. Sales rose! Did they? yes.\n"
    assert sentences(text) == [
        "Widgets report",
        "Defects fell by 12%, said the chief officer.",
        "Sales rose!",
        "Did they? yes.",
    ]


@pytest.mark.parametrize(
    "text", ["One. Two.\n\n  • three\n“Four.” Five", "", "\n\n", "No mark at all", SNAPSHOT.read_text(encoding="utf-8")]
)
def test_the_sentences_joined_are_the_text_as_quotes_are_matched_against_it(text: str) -> None:
    assert " ".join(sentences(text)) == normalise(text)


# -- passages ------------------------------------------------------------------------------------


def test_a_quote_in_a_list_is_shown_with_the_item_before_and_the_sentence_after() -> None:
    passage = passage_in(SNAPSHOT.read_text(encoding="utf-8"), "merely 1.49 were suspected as counterfeits")
    assert shown(passage) == (
        "• In 2017, the number of the listings that were proactively deleted by Alibaba was 27 times as much as"
        " the ones that were taken down based on the complaints lodged by rights holders;\n"
        "• Out of every 10,000 trades, [merely 1.49 were suspected as counterfeits] (2.1 in the previous year).\n"
        "Alibaba cooperated with 23 provinces, and signed strategic cooperation agreements with the public"
        " security bureaus of 12 provinces/direct-controlled municipality."
    )


def test_a_quote_at_the_start_of_the_text_has_no_sentence_before() -> None:
    assert shown(passage_in("The first. The second. The third.", "The first")) == "[The first]. The second."


def test_a_quote_at_the_end_of_the_text_has_no_sentence_after() -> None:
    assert shown(passage_in("The first. The second. The third.", "third.")) == "The second. The [third.]"


def test_a_quote_spanning_sentences_is_shown_with_one_sentence_on_each_side() -> None:
    text = "Alpha. Bravo. Charlie. Delta. Echo. Foxtrot."
    assert shown(passage_in(text, "Charlie. Delta")) == "Bravo. [Charlie. Delta]. Echo."


def test_a_quote_is_found_as_the_check_finds_it_whatever_the_line_breaks_which_the_passage_keeps() -> None:
    assert shown(passage_in("Widget defects fell by\n12% in 2020.", "defects fell by 12%")) == (
        "Widget [defects fell by\n12%] in 2020."
    )


def test_a_short_capitalised_word_before_a_full_stop_reads_as_an_abbreviation() -> None:
    assert sentences("Ask Ms. Lu today. Or Dr. Chen, on Jan. 10.") == ["Ask Ms. Lu today.", "Or Dr. Chen, on Jan. 10."]


def test_a_text_that_does_not_hold_the_quote_has_no_passage() -> None:
    assert passage_in("Widget defects fell.", "Widget defects rose") is None


# -- the built site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("passages") / "site"
    result = build(REPO, site)
    assert result.returncode == 0, result.stderr
    return site


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_the_claim_page_marks_the_quote_inside_its_passage(site: Path) -> None:
    page = (site / CLAIM).read_text(encoding="utf-8")
    claimed = page[page.index('id="claimed"') : page.index('id="evidence"')]
    assert "<mark>Out of every 10,000 trades, merely 1.49 were suspected as counterfeits</mark>" in claimed
    assert "Alibaba cooperated with 23 provinces" in claimed
    assert "Address of the original: not on the record" in text_of(claimed)


def test_the_evidence_quote_is_shown_in_its_passage_of_the_comment_that_quotes_it(site: Path) -> None:
    page = (site / CLAIM).read_text(encoding="utf-8")
    evidence = text_of(page[page.index('id="rebuttal-1"') : page.index('id="appearances"')])
    assert "In context in the copy of Reader comment 6" in evidence
    assert "important unresolved concerns remain. For example, Alibaba has not identified metrics" in evidence


def test_the_source_page_shows_its_quoted_passages_with_the_claims_quoting_them(site: Path) -> None:
    page = (site / "sources/ipkat-2018-01-12-comment-2/index.html").read_text(encoding="utf-8")
    quoted = page[page.index('id="quoted"') : page.index('id="rebuttals"')]
    assert '<a class="ct-mark-link" href="../../claims/ipkat-commenter-2-no-reaction-for-almost-2-months/">' in quoted
    assert "no reaction for almost 2 months" in quoted
    assert "Quoted by:" in quoted


def test_no_page_publishes_a_sentence_of_the_snapshot_far_from_every_quote(site: Path) -> None:
    text = SNAPSHOT.read_text(encoding="utf-8")
    assert all(sentence in text for sentence in FAR_FROM_ANY_QUOTE)
    published = [
        (path.relative_to(site).as_posix(), sentence)
        for path in site.rglob("*")
        if path.is_file()
        for sentence in FAR_FROM_ANY_QUOTE
        if sentence.encode() in path.read_bytes()
    ]
    assert published == []


def test_the_post_s_page_holds_no_more_of_its_text_than_the_passages_around_quotes(site: Path) -> None:
    page = text_of((site / POST).read_text(encoding="utf-8"))
    assert "ReplyDelete" not in page  # the comments are parts of the post, each shown on its own page
    assert "Photo courtesies" in page  # the sentence after the last quote of the post
    assert "Alibaba released the 2017 Annual Report on Intellectual Property Protection Reviewed by" not in page


def test_a_paraphrase_is_a_quoted_passage_of_the_source_it_is_read_in(site: Path) -> None:
    page = (site / POST).read_text(encoding="utf-8")
    quoted = page[page.index('id="quoted"') : page.index('id="rebuttals"')]
    assert 'href="../../claims/jack-ma-counterfeiting-criminal-liability-too-lenient/"' in quoted


def test_a_text_with_no_sentence_marks_shows_no_more_than_its_context_around_the_quote() -> None:
    text = " ".join(f"word{i}" for i in range(5000))  # 44,000 characters, not one full stop
    passage = passage_in(text, "word2500 word2501")
    assert passage is not None
    before, quoted, after = (piece.text for piece in passage.pieces)
    assert quoted == "word2500 word2501"
    assert before.startswith("… ") and len(before) <= CONTEXT + 3
    assert after.endswith(" …") and len(after) <= CONTEXT + 3


def test_two_quotes_far_apart_in_one_sentence_keep_only_the_context_of_each() -> None:
    text = "Start " + " ".join(f"w{i}" for i in range(2000)) + " end."
    passage = passage_in(text, "w10 w11")
    assert passage is not None and len(passage.text) <= 2 * CONTEXT + 10


def test_chinese_full_stops_end_sentences() -> None:
    text = "他说。" * 10 + "阿里巴巴关闭了24万家淘宝店铺。" + "她说。" * 10
    passage = passage_in(text, "阿里巴巴关闭了24万家淘宝店铺")
    assert passage is not None and passage.text == "他说。 阿里巴巴关闭了24万家淘宝店铺。 她说。"
