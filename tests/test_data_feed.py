"""The ClaimReview DataFeed is written in pieces, one a review: the same JSON as the whole feed encoded at once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from claimledger.site.jsonld import data_feed


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
