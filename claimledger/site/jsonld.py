"""schema.org ClaimReview for a claim page, serialised so that no value can end its script element."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from ..record.model import Claim, Dataset, Party, Publisher, Source
from ..record.visible import edited, reviewers


def _given(fields: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """``fields``, then those of ``optional`` with a value: no empty address, date or list is made up."""
    return fields | {key: value for key, value in optional.items() if value not in (None, "", [])}


def _person_or_org(party: Party | None, fallback: str) -> dict[str, Any]:
    if party is None:
        return {"@type": "Organization", "name": fallback}
    kind = "Organization" if party.kind == "organisation" else "Person"
    return _given({"@type": kind, "name": party.name}, url=party.url)


def _work(source: Source | None, source_id: str) -> dict[str, Any]:
    """Where the claim appeared: its address, else its archived copy's, else none."""
    if source is None:
        return {"@type": "CreativeWork", "name": source_id}
    return _given(
        {"@type": "CreativeWork", "name": source.title},
        url=source.url or source.archive_url,
        datePublished=str(source.published) if source.published else None,
        inLanguage=source.language,
    )


def organisation(publisher: Publisher | None, site_name: str, site_url: str) -> dict[str, Any]:
    """Who publishes the review: the publisher on record, else the site by its name."""
    if publisher is None:
        return _given({"@type": "Organization", "name": site_name}, url=site_url)
    logo = {"@type": "ImageObject", "url": publisher.logo} if publisher.logo else None
    return _given({"@type": "Organization", "name": publisher.name}, url=publisher.url or site_url, logo=logo)


def claim_review(
    claim: Claim,
    dataset: Dataset,
    page_url: str,
    site_name: str,
    site_url: str = "",
    first_published: str = "",
    language: str = "en",
) -> dict[str, Any]:
    """One ClaimReview: the claim, its rating on the status scale (a status with no ``rating_value`` gives its
    label alone), the Claim itself, the site as author and publisher, and the editors who signed it off (a
    person as ``editor``, a team as ``contributor``). ``page_url`` is "" where the site's address is unknown."""
    scale = dataset.scale
    status = scale.get(claim.status) if scale else None
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": status.label if status else claim.status,
        "ratingExplanation": claim.rationale,
    }
    if scale and status and status.rating_value is not None:
        rating |= {
            "ratingValue": status.rating_value,
            "bestRating": scale.best_rating,
            "worstRating": scale.worst_rating,
        }
    first = claim.first_appearance or ""
    item = _given(
        {
            "@type": "Claim",
            "author": _person_or_org(dataset.parties.get(claim.claimant), claim.claimant),
            "appearance": [_work(dataset.sources.get(a.source), a.source) for a in claim.appearances],
            "firstAppearance": _work(dataset.sources.get(first), first),
        },
        datePublished=str(claim.date) if claim.date else None,
    )
    days = edited(claim)
    signed = reviewers(claim, dataset)
    publisher = organisation(dataset.publisher, site_name, site_url)
    review = _given({"@context": "https://schema.org", "@type": "ClaimReview"}, url=page_url)
    review |= {"claimReviewed": claim.statement, "reviewRating": rating, "itemReviewed": item}
    return _given(
        review | {"author": publisher, "publisher": publisher, "inLanguage": language},
        sdLicense=dataset.publisher.license if dataset.publisher else None,
        editor=[{"@type": "Person", "name": e.name} for e in signed if e.kind == "person"],
        contributor=[{"@type": "Organization", "name": e.name} for e in signed if e.kind != "person"],
        datePublished=first_published or (str(claim.review.date) if claim.review else ""),
        dateModified=str(max(days, key=lambda d: d.earliest())) if days else None,
        correction=[
            {"@type": "CorrectionComment", "text": entry.summary, "datePublished": str(entry.date)}
            for entry in claim.log
            if entry.kind == "correction"
        ],
    )


def data_feed(
    reviews: Iterable[dict[str, Any]], name: str, publisher: Publisher | None, site_url: str, feed_url: str
) -> list[str]:
    """Every ClaimReview of the site in one schema.org DataFeed, as fact-check aggregators read them: its JSON
    (indented by one space) in pieces, one a review, each encoded as it comes (never all held as objects)."""
    elements: list[str] = []
    modified = ""  # the newest dateModified of a review
    for review in reviews:
        item = {key: value for key, value in review.items() if key != "@context"}
        dates = _given({}, dateCreated=review.get("datePublished"), dateModified=review.get("dateModified"))
        element = _given({}, url=review.get("url")) | {"@type": "DataFeedItem", **dates, "item": item}
        if elements:
            elements.append(_BETWEEN)
        elements.append(_dumps(element, "\n" + _INDENT))
        if "dateModified" in review:
            modified = max(modified, review["dateModified"])
    feed = _given(
        {"@context": "https://schema.org", "@type": "DataFeed", "name": name},
        url=feed_url,
        dateModified=modified,
        license=publisher.license if publisher else None,
    )
    frame = feed | {"publisher": organisation(publisher, name, site_url), "dataFeedElement": []}
    if not elements:
        return [_dumps(frame) + "\n"]
    before, _, after = _dumps(frame).rpartition("[]")  # the elements' list: the frame's last value
    return [before + "[\n" + _INDENT, *elements, "\n ]" + after + "\n"]


def _dumps(data: object, newline: str = "\n") -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1)``, each line after the first begun with ``newline`` rather
    than a line end alone. Indented, json.dumps takes its encoder written in Python, made of generators: a feed's
    plain data (mappings with text keys, lists, texts, whole and finite numbers, booleans, null) is written here,
    into one list, in a third of the time; anything else by json.dumps."""
    pieces: list[str] = []
    try:
        _put(data, newline, pieces)
    except _Unusual:
        return json.dumps(data, ensure_ascii=False, indent=1).replace("\n", newline)
    return "".join(pieces)


class _Unusual(Exception):
    """A value :func:`_put` leaves to json.dumps."""


_TEXT = json.encoder.encode_basestring  # what json.dumps encodes a text with, ensure_ascii=False
_CONSTANTS = {None: "null", True: "true", False: "false"}


def _put(value: object, newline: str, pieces: list[str]) -> None:
    """``value`` as JSON, indented by one space a level, at the level ``newline`` begins lines with."""
    kind = value.__class__
    if kind is str:
        pieces.append(_TEXT(value))  # type: ignore[arg-type]  # a str
    elif kind is dict:
        if not value:
            pieces.append("{}")
            return
        inner, opening = newline + " ", "{"
        for key, item in value.items():  # type: ignore[attr-defined]  # a dict
            if key.__class__ is not str:
                raise _Unusual
            pieces.append(f"{opening}{inner}{_TEXT(key)}: ")
            _put(item, inner, pieces)
            opening = ","
        pieces.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            pieces.append("[]")
            return
        inner, opening = newline + " ", "["
        for item in value:  # type: ignore[attr-defined]  # a list or tuple
            pieces.append(opening + inner)
            _put(item, inner, pieces)
            opening = ","
        pieces.append(newline + "]")
    elif kind is bool or value is None:
        pieces.append(_CONSTANTS[value])  # type: ignore[index]  # True, False or None
    elif kind is int or (kind is float and math.isfinite(value)):  # type: ignore[arg-type]  # a float
        pieces.append(repr(value))
    else:
        raise _Unusual


_INDENT = "  "  # an element's lines in the feed: two levels in, one space each
_BETWEEN = ",\n" + _INDENT


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: object) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` escaped so no value can close the element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
