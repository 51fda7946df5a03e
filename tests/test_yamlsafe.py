"""The strict YAML loader: what a claim file's text becomes, and what it refuses."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from claimledger.record.yamlsafe import MAX_DEPTH, MAX_LIST_ITEMS, Document, YamlProblem, format_field, load_document


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


@pytest.mark.parametrize(("text", "words"), [("1e400", "too large"), ("-1e400", "too large"), ("1E-400", "too small")])
def test_number_beyond_the_range_of_a_float_is_refused(text: str, words: str) -> None:
    problem = refused(f"statement: one\nvalue: {text}\n")
    assert (problem.rule, problem.position, problem.field) == ("number-range", (2, 8), "value")
    assert words in problem.message
    assert problem.hint


def test_zero_written_with_an_exponent_is_zero() -> None:
    assert load("value: 0.0e-400\n") == {"value": 0.0}


@pytest.mark.parametrize("number", [2**53 - 1, -(2**53 - 1)])
def test_whole_number_json_reads_exactly_is_accepted(number: int) -> None:
    assert load(f"value: {number}\n") == {"value": number}


@pytest.mark.parametrize("text", [str(2**53 + 1), str(-(2**53 + 1)), str(2**53), "0x20000000000001"])
def test_whole_number_beyond_2_53_is_refused(text: str) -> None:
    problem = refused(f"statement: one\nvalue: {text}\n")
    assert (problem.rule, problem.position, problem.field) == ("number-range", (2, 8), "value")
    assert "9,007,199,254,740,991" in problem.message
    assert "1.5e24" in problem.hint


def test_whole_number_of_400_digits_is_refused_with_a_short_message() -> None:
    problem = refused("value: " + "1" * 400 + "\n")
    assert (problem.rule, problem.position) == ("number-range", (1, 8))
    assert "400 characters" in problem.message
    assert len(problem.message) < 200


def test_whole_number_of_a_million_digits_is_refused_without_converting_it() -> None:
    problem = refused("value: " + "9" * 1_000_000 + "\n")  # int() would refuse beyond 4,300 digits
    assert problem.rule == "number-range"


def test_whole_number_in_a_list_names_its_item() -> None:
    problem = refused("values:\n  - 1\n  - 99999999999999999999\n")
    assert (problem.rule, problem.position, problem.field) == ("number-range", (3, 5), "values[1]")


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


# Text: no control characters, directional formatting characters or lone surrogates, escaped or not.

BAD_TEXT = [
    ("\\0", "U+0000"),
    ("\\e", "U+001B"),
    ("\\x07", "U+0007"),
    ("\\r", "U+000D"),
    ("\\x7f", "U+007F"),
    ("\\x9b", "U+009B"),
    ("\\N", "U+0085"),
    ("\\e]8;;http://x\\e\\\\link\\e]8;;\\e\\\\", "U+001B"),  # an OSC 8 terminal hyperlink
    ("\\u202a", "U+202A"),
    ("\\u202e", "U+202E"),
    ("\\u2066", "U+2066"),
    ("\\u2069", "U+2069"),
    ("\u202e", "U+202E"),  # written out rather than escaped
    ("\u2067", "U+2067"),
    ("\\ud800", "U+D800"),
    ("\\udc00", "U+DC00"),
]


@pytest.mark.parametrize(("escaped", "named"), BAD_TEXT)
def test_bad_character_in_a_value_is_refused_at_the_value(escaped: str, named: str) -> None:
    problem = refused(f'statement: one\nnotes: "before {escaped} after"\n')
    assert (problem.rule, problem.position, problem.field) == ("text-control", (2, 8), "notes")
    assert named in problem.message
    assert problem.hint


@pytest.mark.parametrize(("escaped", "named"), BAD_TEXT)
def test_bad_character_in_a_field_name_is_refused_at_the_key(escaped: str, named: str) -> None:
    problem = refused(f'statement: one\nrebuttals:\n  - "no{escaped}tes": x\n')
    assert (problem.rule, problem.position) == ("text-control", (3, 5))
    assert problem.field.startswith("rebuttals[0].no")
    assert named in problem.message
    assert "field name" in problem.message


def test_of_two_bad_characters_the_first_in_the_file_is_reported() -> None:
    problem = refused('a:\n  b: "\\e"\n"c\\e": 1\nd: ["\\0"]\n')
    assert (problem.rule, problem.position, problem.field) == ("text-control", (2, 6), "a.b")


def test_lone_surrogate_hint_shows_how_to_write_the_character() -> None:
    problem = refused('notes: "\\ud83d\\ude00"\n')  # an emoji as two UTF-16 escapes
    assert problem.rule == "text-control"
    assert "\\U0001F600" in problem.hint


def test_bad_character_in_a_list_item_names_its_item() -> None:
    problem = refused('tags:\n  - fine\n  - "bad\\e"\n')
    assert (problem.rule, problem.position, problem.field) == ("text-control", (3, 5), "tags[1]")


def test_bad_character_in_a_block_scalar_is_refused() -> None:
    problem = refused("statement: one\nnotes: |\n  first line\n  second \u202e line\n")
    assert (problem.rule, problem.position, problem.field) == ("text-control", (2, 8), "notes")


def test_a_list_holding_itself_and_an_escape_is_refused_as_an_alias() -> None:
    assert refused('a: &x ["\\e", *x]\n').rule == "yaml-alias"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"tab\\there"', "tab\there"),
        ('"two\\nlines"', "two\nlines"),
        ('"\\u05e9\\u05dc\\u05d5\\u05dd \\u200f!"', "\u05e9\u05dc\u05d5\u05dd \u200f!"),  # the marks are allowed
        ("\u200e\u200f\u061c marks", "\u200e\u200f\u061c marks"),
        ('"\\U0001F600 \\\\ \\"quoted\\""', '\U0001f600 \\ "quoted"'),
        ('"caf\\u00e9"', "caf\u00e9"),
    ],
)
def test_ordinary_escapes_and_direction_marks_are_accepted(text: str, value: str) -> None:
    assert load(f"notes: {text}\n") == {"notes": value}


def test_crlf_line_endings_leave_no_carriage_return_in_block_text() -> None:
    assert load(b"notes: |\r\n  one\r\n  two\r\n") == {"notes": "one\ntwo\n"}


# Lists.


def test_list_at_the_limit_is_accepted() -> None:
    assert load("tags: [" + ", ".join(["x"] * MAX_LIST_ITEMS) + "]\n") == {"tags": ["x"] * MAX_LIST_ITEMS}


def test_list_beyond_the_limit_is_refused_at_the_list() -> None:
    problem = refused("statement: one\ntags: [" + ", ".join(["x"] * (MAX_LIST_ITEMS + 1)) + "]\n")
    assert (problem.rule, problem.position, problem.field) == ("list-length", (2, 7), "tags")
    assert f"{MAX_LIST_ITEMS + 1:,}" in problem.message
    assert "max_list_items" in problem.hint


def test_nested_list_beyond_the_limit_is_refused() -> None:
    items = "".join(f"      - t{index}\n" for index in range(MAX_LIST_ITEMS + 1))
    problem = refused("rebuttals:\n  - tags:\n" + items)
    assert (problem.rule, problem.field) == ("list-length", "rebuttals[0].tags")


def test_the_list_limit_is_a_parameter() -> None:
    raw = b"tags: [a, b, c]\n"
    assert load_document("x.yaml", raw, max_items=3).data == {"tags": ["a", "b", "c"]}
    with pytest.raises(YamlProblem) as caught:
        load_document("x.yaml", raw, max_items=2)
    assert caught.value.rule == "list-length"


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


def test_a_field_under_an_empty_key_is_named_without_a_leading_dot() -> None:
    assert format_field(("", "note")) == "note"
    with pytest.raises(YamlProblem) as caught:
        load_document("c.yaml", b'"":\n  note: see figure #2\n')
    assert caught.value.field == "note"


def test_a_value_cut_by_a_comment_is_named_so_however_deep_it_lies() -> None:
    deep = MAX_DEPTH + 6
    text = "".join("  " * i + f"k{i}:\n" for i in range(deep)) + "  " * deep + "note: see figure #2\n"
    with pytest.raises(YamlProblem) as caught:
        load_document("c.yaml", text.encode())
    assert caught.value.rule == "yaml-comment"
