"""The strict YAML loader: what a claim file's text becomes, and what it refuses."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from claimtrail.yamlsafe import MAX_DEPTH, Document, YamlProblem, format_field, load_document


def load(text: str | bytes) -> Any:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_document("claims/claims/example.yaml", raw).data


def refused(text: str | bytes) -> YamlProblem:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(YamlProblem) as caught:
        load_document("claims/claims/example.yaml", raw)
    return caught.value


# Scalars: the YAML 1.2 core schema, not YAML 1.1.


def test_unquoted_date_stays_a_string() -> None:
    assert load("date: 2018-01-10\n") == {"date": "2018-01-10"}


@pytest.mark.parametrize("word", ["no", "yes", "on", "off", "No", "YES", "y", "n"])
def test_yaml_1_1_boolean_words_stay_strings(word: str) -> None:
    assert load(f"answer: {word}\n") == {"answer": word}


def test_true_and_false_are_booleans() -> None:
    assert load("a: true\nb: false\n") == {"a": True, "b": False}


def test_colon_separated_number_is_not_read_as_sexagesimal() -> None:
    assert load("duration: 1:02:15\n") == {"duration": "1:02:15"}


def test_whole_number_is_an_int() -> None:
    data = load("value: 430000000\n")
    assert data == {"value": 430000000}
    assert isinstance(data["value"], int)


def test_decimal_number_is_a_float() -> None:
    data = load("value: 1.49\n")
    assert data == {"value": 1.49}
    assert isinstance(data["value"], float)


def test_negative_number_is_a_number() -> None:
    assert load("value: -42\n") == {"value": -42}


def test_number_with_underscores_stays_a_string() -> None:
    assert load("value: 430_000_000\n") == {"value": "430_000_000"}


def test_empty_value_is_none() -> None:
    assert load("a:\nb: ~\n") == {"a": None, "b": None}


@pytest.mark.parametrize("text", [".inf", "-.inf", "+.inf", ".Inf", ".nan", ".NaN"])
def test_infinity_and_nan_are_refused(text: str) -> None:
    problem = refused(f"value: {text}\n")
    assert problem.rule == "yaml-tag"
    assert problem.position == (1, 8)
    assert problem.field == "value"
    assert "finite" in problem.message


def test_number_too_large_for_a_float_is_refused() -> None:
    problem = refused("value: 1e400\n")
    assert problem.rule == "yaml-tag"
    assert "finite" in problem.message


# Duplicate keys, aliases, tags, documents.


def test_duplicate_key_is_reported_at_the_second_key_naming_the_first_line() -> None:
    problem = refused("status: disputed\nrationale: because\nstatus: refuted\n")
    assert problem.rule == "yaml-duplicate-key"
    assert problem.position == (3, 1)
    assert "line 1" in problem.message
    assert problem.field == "status"
    assert problem.hint


def test_duplicate_key_in_a_nested_mapping_names_its_field() -> None:
    problem = refused("rebuttals:\n  - source: a\n    party: b\n    source: c\n")
    assert problem.rule == "yaml-duplicate-key"
    assert problem.position == (4, 5)
    assert "line 2" in problem.message
    assert problem.field == "rebuttals[0].source"


def test_same_key_in_two_list_items_is_not_a_duplicate() -> None:
    assert load("items:\n  - source: a\n  - source: b\n") == {"items": [{"source": "a"}, {"source": "b"}]}


def test_alias_is_refused() -> None:
    problem = refused("claimant: &who widgets-inc\nparty: *who\n")
    assert problem.rule == "yaml-alias"
    assert problem.position == (2, 8)
    assert "*who" in problem.message


def test_python_object_tag_is_refused() -> None:
    problem = refused('value: !!python/object/apply:os.system ["echo owned"]\n')
    assert problem.rule == "yaml-tag"
    assert problem.position == (1, 8)
    assert problem.field == "value"


def test_local_tag_is_refused() -> None:
    problem = refused("value: !foo bar\n")
    assert problem.rule == "yaml-tag"
    assert "!foo" in problem.message


def test_local_tag_on_a_mapping_is_refused() -> None:
    assert refused("value: !foo {a: 1}\n").rule == "yaml-tag"


def test_explicit_str_tag_keeps_a_number_as_text() -> None:
    assert load("year: !!str 2017\n") == {"year": "2017"}


def test_explicit_bool_tag_on_a_yaml_1_1_word_is_refused() -> None:
    assert refused("flag: !!bool yes\n").rule == "yaml-tag"


def test_explicit_int_tag_on_text_that_is_no_core_integer_is_refused() -> None:
    assert refused("value: !!int 1_000\n").rule == "yaml-tag"


def test_non_text_mapping_key_is_refused() -> None:
    assert refused("1: one\n").rule == "yaml-key"


def test_two_documents_are_refused() -> None:
    problem = refused("statement: one\n---\nstatement: two\n")
    assert problem.rule == "yaml-syntax"
    assert problem.position == (2, 1)
    assert "more than one YAML document" in problem.message


def test_anchor_without_alias_is_accepted() -> None:
    assert load("claimant: &who widgets-inc\n") == {"claimant": "widgets-inc"}


def test_duplicate_anchor_is_refused_with_a_hint_about_anchors() -> None:
    problem = refused("a: &x one\nb: &x two\n")
    assert problem.rule == "yaml-syntax"
    assert problem.position[0] == 2
    assert "anchor" in problem.hint


def test_a_leading_document_marker_is_accepted() -> None:
    assert load("---\nstatement: one\n") == {"statement": "one"}


def test_syntax_error_is_reported_at_its_line() -> None:
    problem = refused('statement: one\nrationale: A reader: "disputes" it.\n')
    assert problem.rule == "yaml-syntax"
    assert problem.position[0] == 2


# Empty files and encodings.


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "   \n", "# only a comment\n", "# one\n\n# two\n", "---\n", "---\n# a comment\n"],
    ids=["empty", "blank-lines", "spaces", "comment", "comments", "document-marker", "marker-and-comment"],
)
def test_file_without_content_is_empty(text: str) -> None:
    problem = refused(text)
    assert problem.rule == "empty-file"
    assert problem.position == (1, 1)


def test_invalid_utf8_is_reported_at_its_line_and_column() -> None:
    problem = refused(b"statement: ok\nquote: Caf\xe9 au lait\n")
    assert problem.rule == "encoding"
    assert problem.position == (2, 11)
    assert "0xe9" in problem.message


def test_invalid_utf8_column_counts_characters_not_bytes() -> None:
    # "quote: né " is 10 characters but 11 bytes; the bad byte is the 11th character.
    problem = refused("statement: ok\nquote: né ".encode() + b"\xff\n")
    assert problem.rule == "encoding"
    assert problem.position == (2, 11)


def test_invalid_utf8_on_the_first_line_after_a_bom_ignores_the_bom() -> None:
    problem = refused(b"\xef\xbb\xbfquote: \xff\n")
    assert problem.position == (1, 8)


def test_utf8_byte_order_mark_is_accepted() -> None:
    document = load_document("x.yaml", b"\xef\xbb\xbfstatement: one\nquote: two\n")
    assert document.data == {"statement": "one", "quote": "two"}
    assert document.position(("statement",)) == (1, 1)
    assert document.position(("quote",)) == (2, 1)


def test_crlf_line_endings_load_with_correct_line_numbers() -> None:
    document = load_document("x.yaml", b"statement: one\r\nrebuttals:\r\n  - source: a\r\n    party: b\r\n")
    assert document.data == {"statement": "one", "rebuttals": [{"source": "a", "party": "b"}]}
    assert document.position(("rebuttals", 0, "party")) == (4, 5)


def test_crlf_line_endings_keep_line_numbers_of_problems() -> None:
    problem = refused(b"a: 1\r\nb: 2\r\na: 3\r\n")
    assert problem.rule == "yaml-duplicate-key"
    assert problem.position == (3, 1)


def test_nul_byte_is_an_encoding_problem_with_its_line() -> None:
    problem = refused(b"statement: one\nquote: t\x00wo\n")
    assert problem.rule == "encoding"
    assert problem.position == (2, 9)
    assert "U+0000" in problem.message


# Depth.


def test_nesting_beyond_max_depth_is_refused() -> None:
    depth = MAX_DEPTH + 5
    problem = refused("value: " + "[" * depth + "]" * depth + "\n")
    assert problem.rule == "yaml-depth"


def test_nesting_within_max_depth_is_accepted() -> None:
    depth = MAX_DEPTH - 1
    data = load("value: " + "[" * depth + "]" * depth + "\n")
    assert isinstance(data, dict)


def test_nesting_deeper_than_the_recursion_limit_is_refused_without_recursion_error() -> None:
    depth = sys.getrecursionlimit() * 3
    problem = refused("value: " + "[" * depth + "]" * depth + "\n")
    assert problem.rule == "yaml-depth"


def test_deeply_nested_block_mappings_are_refused() -> None:
    lines = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 2))
    assert refused(lines + "  " * (MAX_DEPTH + 2) + "leaf: 1\n").rule == "yaml-depth"


# Positions and field names.

REBUTTAL = """\
# a comment line
statement: one
rebuttals:
  - source: first
    party: a
  - source: second
    party: b
    quote: >-
      folded
      text
"""


@pytest.fixture
def document() -> Document:
    return load_document("claims/claims/example.yaml", REBUTTAL.encode())


def test_document_keeps_its_path(document: Document) -> None:
    assert document.path == "claims/claims/example.yaml"


def test_position_of_a_key_is_the_line_and_column_of_the_key(document: Document) -> None:
    assert document.position(("statement",)) == (2, 1)
    assert document.position(("rebuttals", 0, "source")) == (4, 5)
    assert document.position(("rebuttals", 1, "source")) == (6, 5)
    assert document.position(("rebuttals", 1, "quote")) == (8, 5)


def test_position_of_a_list_item_is_where_the_item_starts(document: Document) -> None:
    assert document.position(("rebuttals", 1)) == (6, 5)


def test_position_of_a_missing_field_falls_back_to_its_nearest_ancestor(document: Document) -> None:
    assert document.position(("rebuttals", 0, "quote")) == document.position(("rebuttals", 0))
    assert document.position(("rebuttals", 7, "quote")) == document.position(("rebuttals",))


def test_position_of_a_missing_top_level_field_is_the_start_of_the_content(document: Document) -> None:
    assert document.position(("no-such-field",)) == (2, 1)
    assert document.position(()) == (2, 1)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("statement",), "statement"),
        (("rebuttals", 0, "source"), "rebuttals[0].source"),
        (("baseline", "period"), "baseline.period"),
        (("related", 2), "related[2]"),
        (("a", 0, 1, "b"), "a[0][1].b"),
    ],
)
def test_format_field(path: tuple[str | int, ...], text: str) -> None:
    assert format_field(path) == text
