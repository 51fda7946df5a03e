"""Contributor markdown: the quick paths give exactly what markdown-it gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from claimledger.record import markdown as markup

from .conftest import examples

PIECES = [
    *"abc XYZ019.,;:'\"()[]<>&*_`!#-+=|~\n\\",
    "[[claim:a-1]]",
    "[x](javascript:y)",
    "[x](https://e.org/)",
    "<b>",
    "  ",
    "1. ",
    "- ",
    "~~~",
    "    ",
    "\t",
    "[a]: /x",
    "> ",
    "](",
    "\r",
]
ALPHABET = st.sampled_from(PIECES)
TEXTS = st.lists(ALPHABET, max_size=30).map("".join)


def _resolve(kind: str, item_id: str, label: str | None) -> str:
    return f'<a href="/{kind}/{item_id}/">{label or item_id}</a>'


def _full_render(text: str) -> str:
    return str(markup._parser(False).render(text, {"resolve": _resolve}))


def _full_problems(text: str) -> list[tuple[str, int]]:
    found = []
    for token, line in markup._walk(markup._parser(True).parse(text)):
        if token.type in ("html_block", "html_inline"):
            found.append(("markdown-html", line))
        elif token.type == "image":
            found.append(("markdown-image", line))
        elif token.type == "link_open" and not markup.link_is_safe(str(token.attrGet("href") or "")):
            found.append(("markdown-link", line))
    return found


@settings(max_examples=examples(400))
@given(TEXTS)
@example("[a]([[claim:a-1]])")  # a reference-like address: a link, as markdown-it makes it
def test_render_matches_markdown_it(text: str) -> None:
    assert markup.render(text, _resolve) == _full_render(text)


@settings(max_examples=examples(400))
@given(TEXTS)
# Indented code blocks inside a block quote or a list item, indented with spaces or a tab:
@example(">      [[claim:a-1]]")
@example(">   \t[[claim:a-1]]")
@example("-     [[claim:a-1]]")
@example("1.  \t[[claim:a-1]]")
@example("- - \t[[claim:a-1]]")
@example("a\r\r    [[claim:a-1]]")
# A link's address or title:
@example("[a]([[claim:a-1]])")
@example("[a](/x '[[claim:a-1]]')")
# Carriage returns are line breaks to markdown-it:
@example("\r\r[[claim:a-1]]")
def test_references_match_markdown_it(text: str) -> None:
    full = [
        (t.meta["kind"], t.meta["id"], line)
        for t, line in markup._walk(markup._parser(True).parse(text))
        if t.type == "claimledger_ref"
    ]
    found = markup.references(text)
    assert [(r.kind, r.id) for r in found] == [(kind, item_id) for kind, item_id, _ in full]
    # markdown-it dates inline tokens to their paragraph's first line; the quick path to their own line.
    assert all(r.line >= line for r, (_, _, line) in zip(found, full, strict=True))


@settings(max_examples=examples(400))
@given(TEXTS)
def test_problems_are_found_whenever_markdown_it_finds_them(text: str) -> None:
    assert {p.rule for p in markup.problems(text)} >= {rule for rule, _ in _full_problems(text)}


def test_raw_html_is_escaped_in_rendered_text() -> None:
    assert markup.render("<script>alert(1)</script>", _resolve) == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_javascript_links_are_not_rendered_as_links() -> None:
    assert "href" not in markup.render("[x](javascript:alert(1))", _resolve)
    assert "href" not in markup.render("[x]( JaVaScRiPt:alert(1))", _resolve)


def test_references_render_through_the_resolver() -> None:
    assert (
        markup.render("See [[claim:a-1|the figure]].", _resolve) == '<p>See <a href="/claim/a-1/">the figure</a>.</p>\n'
    )


def test_references_inside_code_are_not_references() -> None:
    assert markup.references("`[[claim:a-1]]`") == []


def test_a_reference_in_an_indented_code_block_inside_a_block_quote_is_not_a_reference() -> None:
    assert markup.references(">      [[claim:a-1]]") == []


def test_a_reference_in_an_indented_code_block_inside_a_list_item_is_not_a_reference() -> None:
    assert markup.references("-     [[claim:a-1]]") == []
    assert markup.references("1.  \t[[claim:a-1]]") == []


def test_a_reference_in_a_link_address_or_title_is_not_a_reference() -> None:
    assert markup.references("[see]([[claim:a-1]])") == []
    assert markup.references("[see](/x '[[claim:a-1]]')") == []


def test_a_reference_is_still_found_before_a_link() -> None:
    assert [r.id for r in markup.references("[[claim:a-1]] and [see](https://e.org/)")] == ["a-1"]


def test_a_carriage_return_counts_as_a_line_break() -> None:
    assert [r.line for r in markup.references("First.\r\rSecond: [[claim:a-1]]")] == [2]


def test_a_link_whose_address_looks_like_a_reference_renders_as_a_link() -> None:
    assert markup.render("[a]([[claim:a-1]])", _resolve) == '<p><a href="%5B%5Bclaim:a-1%5D%5D">a</a></p>\n'


def test_a_link_inside_an_indented_code_block_is_no_problem() -> None:
    assert markup.problems(">      [x](javascript:alert(1))") == []


@given(st.text(alphabet=" \t\n\r<`\\~![]:(x)", max_size=30))
def test_the_quick_test_for_markup_that_needs_the_parser_agrees_with_the_pattern(text: str) -> None:
    assert markup._needs_parser(text) == (markup._NEEDS_PARSER.search(text) is not None)


@given(st.text(alphabet="jav ascript:\t\n\x00\x7fhtp/", max_size=20))
def test_the_quick_path_of_link_safety_agrees_with_the_full_cleaning(url: str) -> None:
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f")
    match = markup._SCHEME.match(cleaned)
    assert markup.link_is_safe(url) == (match is None or match.group(1).lower() in markup.SAFE_SCHEMES)
