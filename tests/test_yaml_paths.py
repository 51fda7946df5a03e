"""libyaml's quick path reads every document exactly as the strict pure-Python loader does.

Most files are composed by libyaml and converted, by the strict loader's own conversion, without
positions; the pure-Python parser, which explains, runs only when the quick path has a doubt. The two
must never disagree: same data, same types, or a problem where the strict loader finds one.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from claimledger.record.yamlsafe import YamlProblem, _build, _compose_strict, load_document

from .conftest import examples

# Plain scalars that the YAML 1.1 and 1.2 schemas, and other parsers, read differently.
TRICKY = [
    "0", "12", "-3", "+4", "012", "0o17", "0O17", "-0o17", "0x1F", "0X1F", "-0x1F", "+0x1", "0b101", "1_000",
    "1.5", "-1.5", "+1.5", ".5", "-.5", "1.", "1e3", "1E3", "1e+3", "1.5e-3", ".inf", "-.Inf", ".NaN", "nan", "inf",
    "true", "True", "TRUE", "tRue", "false", "yes", "no", "on", "off", "y", "n", "null", "Null", "NULL", "~", "nul",
    "2021-01-01", "2021-1-1", "12:30", "1:20:30", "0.1", "00", "007", "1e", "..5", "-", "tags", "notes", "first",
    "a b", "x-y", "café", "'quoted'", '"double"', "'it''s'", '"tab\\tthere"', "''", '""',
]  # fmt: skip
TAGS = ["!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "! ", "!local ", "!!python/none "]

scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.from_regex(r"[a-z0-9][a-z0-9 .+_-]{0,10}", fullmatch=True).map(str.strip).filter(bool),
)
# Mostly untagged, as claim files are; now and then a tag, which the quick path leaves to the strict one.
tags = st.one_of(st.just(""), st.just(""), st.just(""), st.just(""), st.just(""), st.sampled_from(TAGS))
tagged = st.tuples(tags, scalars).map("".join)
words = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
keys = st.integers(0, 9).flatmap(lambda n: st.one_of(st.sampled_from(TRICKY), tagged) if n == 7 else words)


def _block(value: Any, indent: int) -> list[str]:
    """Lines of YAML for a generated value at ``indent`` (after a key or a dash)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines += [f"{pad}{key}:", *_block(item, indent + 2)]
            else:
                lines.append(f"{pad}{key}: {_inline(item)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = _block(item, indent + 2)
                lines += [f"{pad}- {first.strip()}", *rest]
            else:
                lines.append(f"{pad}- {_inline(item)}")
        return lines
    return [pad + _inline(value)]


def _inline(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{}"
    return str(value)


# Now and then an anchor or an alias, which only the strict loader may accept or refuse.
leaves = st.integers(0, 29).flatmap(lambda n: st.sampled_from(["*anchor", "&anchor plain"]) if n == 17 else tagged)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)
documents = st.dictionaries(keys, values, min_size=1, max_size=5).map(lambda data: "\n".join(_block(data, 0)) + "\n")


def _typed(value: Any) -> Any:
    """``value`` with every scalar's type spelled out: 1, 1.0 and True are not the same data."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def _strict(text: str) -> Any:
    try:
        return ("data", _typed(_build("x.yaml", _compose_strict(text), text).data))
    except YamlProblem as problem:
        return ("problem", problem.rule, problem.position)


def _loaded(text: str) -> Any:
    try:
        return ("data", _typed(load_document("x.yaml", text.encode("utf-8")).data))
    except YamlProblem as problem:
        return ("problem", problem.rule, problem.position)


@settings(max_examples=examples(400))
@given(documents)
def test_the_quick_path_reads_a_document_as_the_strict_loader_does(text: str) -> None:
    assert _loaded(text) == _strict(text), text


def test_every_tricky_scalar_is_typed_as_the_strict_loader_types_it() -> None:
    for scalar in TRICKY:
        for tag in ["", *TAGS]:
            for text in (
                f"value: {tag}{scalar}\n",
                f"{tag}{scalar}: key\n",
                f"list: [{tag}{scalar}]\n",
                f"list:\n  - {tag}{scalar}\n",
                f"block: {tag}|\n  {scalar}\nfolded: {tag}>-\n  {scalar}\n",
            ):
                assert _loaded(text) == _strict(text), text
