"""The ClaimReview DataFeed is written in pieces, one a review: the same JSON as the whole feed encoded at once."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from markupsafe import Markup

from claimledger.site.jsonld import _dumps, data_feed


def _review(number: int, **more: Any) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://example.org/claims/c{number}/",
        "claimReviewed": f'Claim {number}, with a line end\nand a quote " and é',
        "reviewRating": {"@type": "Rating", "ratingValue": number, "alternateName": ["a", {"b": []}]},
        **more,
    }


def _whole(reviews: list[dict[str, Any]]) -> Any:
    """The feed as one JSON document: every element as the feed has it, the newest dateModified of a review."""
    elements = [
        {"url": r["url"], "@type": "DataFeedItem"}
        | {k: v for k, v in (("dateCreated", r.get("datePublished")), ("dateModified", r.get("dateModified"))) if v}
        | {"item": {k: v for k, v in r.items() if k != "@context"}}
        for r in reviews
    ]
    newest = max((r["dateModified"] for r in reviews if "dateModified" in r), default="")
    feed = {"@context": "https://schema.org", "@type": "DataFeed", "name": "Site"}
    feed |= {"url": "https://example.org/claimreview.json"} | ({"dateModified": newest} if newest else {})
    return (
        feed
        | {"publisher": {"@type": "Organization", "name": "Site", "url": "https://example.org/"}}
        | {"dataFeedElement": elements}
    )


@pytest.mark.parametrize(
    "reviews",
    [
        [],
        [_review(1)],
        [_review(1, datePublished="2024-01-02", dateModified="2024-03-04"), _review(2, dateModified="2025-01-01")],
    ],
    ids=["none", "one", "two-dated"],
)
def test_the_feed_in_pieces_is_the_whole_feed_indented_by_one_space(reviews: list[dict[str, Any]]) -> None:
    pieces = data_feed(iter(reviews), "Site", None, "https://example.org/", "https://example.org/claimreview.json")
    assert "".join(pieces) == json.dumps(_whole(reviews), ensure_ascii=False, indent=1) + "\n"
    assert len(pieces) == (1 if not reviews else 2 * len(reviews) + 1)  # a piece a review, and those between


@pytest.mark.parametrize("count", [0, 2])
def test_a_site_name_that_looks_like_json_leaves_the_feed_as_whole(count: int) -> None:
    name = 'Site "[]" \x00element []'
    reviews = [_review(number) for number in range(count)]
    pieces = data_feed(iter(reviews), name, None, "https://example.org/", "")
    whole = json.loads("".join(pieces))
    assert whole["name"] == name and whole["publisher"]["name"] == name
    assert [element["item"]["url"] for element in whole["dataFeedElement"]] == [r["url"] for r in reviews]


_VALUES: list[Any] = [
    {},
    [],
    (),
    "",
    {"a": {"b": [1, 2.5, -0.0, 10**20, True, False, None, 'é😀\u2028\x00\x1f"\\/']}, "c": [], "d": {}},
    [{"@type": "Rating", "ratingValue": 2, "bestRating": 5.0}, ["nested", ["deeper", {}]]],
    ("a", ("tuple", "of", "texts")),
    {"text \n with a line end": "and\ttabs\r\n", "<script>": "</script>"},
]
_UNUSUAL: list[Any] = [
    {1: "a key that is a number"},
    [float("nan"), float("inf"), -float("inf")],
    {"a": Markup("<b>a str subclass</b>")},
    {"a": frozenset()},
]


@pytest.mark.parametrize("value", [*_VALUES, *_UNUSUAL], ids=range(len(_VALUES) + len(_UNUSUAL)))
def test_a_value_is_written_as_json_dumps_indents_it_by_one_space(value: Any) -> None:
    try:
        expected = json.dumps(value, ensure_ascii=False, indent=1)
    except TypeError:  # what json.dumps cannot write, nor can the feed
        with pytest.raises(TypeError):
            _dumps(value)
        return
    assert _dumps(value) == expected
    assert _dumps(value, "\n  ") == expected.replace("\n", "\n  ")


def test_random_values_are_written_as_json_dumps_indents_them() -> None:
    rng = random.Random(20261208)  # the same values every run

    def value(depth: int) -> Any:
        pick = rng.randrange(9 if depth < 4 else 6)
        if pick == 0:
            return rng.choice([None, True, False])
        if pick == 1:
            return rng.randrange(-(10**12), 10**12)
        if pick == 2:
            return rng.uniform(-1e6, 1e6)
        if pick in (3, 4, 5):
            codes = [
                rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x20), 0xE9, 0x1F600, 0x2029]) for _ in range(8)
            ]
            return "".join(map(chr, codes[: rng.randrange(9)]))
        if pick == 6:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {str(value(9)): value(depth + 1) for _ in range(rng.randrange(4))}

    for _ in range(500):
        made = value(0)
        assert _dumps(made) == json.dumps(made, ensure_ascii=False, indent=1)
