"""schema.org ClaimReview for a claim page, serialised so that no value can end its script element."""

from __future__ import annotations

import json
from typing import Any

from ..record.model import Claim, Dataset, Party, Publisher, Source
from ..record.visible import edited, reviewers


def _person_or_org(party: Party | None, fallback: str) -> dict[str, Any]:
    if party is None:
        return {"@type": "Organization", "name": fallback}
    kind = "Organization" if party.kind == "organisation" else "Person"
    data: dict[str, Any] = {"@type": kind, "name": party.name}
    if party.url:
        data["url"] = party.url
    return data


def _work(source: Source | None, source_id: str) -> dict[str, Any]:
    """Where the claim appeared: its address, else its archived copy's, else none (never made up)."""
    if source is None:
        return {"@type": "CreativeWork", "name": source_id}
    data: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
    if source.url or source.archive_url:
        data["url"] = source.url or source.archive_url
    if source.published:
        data["datePublished"] = str(source.published)
    if source.language:
        data["inLanguage"] = source.language
    return data


def organisation(publisher: Publisher | None, site_name: str, site_url: str) -> dict[str, Any]:
    """Who publishes the review: the publisher on record, else the site by its name."""
    if publisher is None:
        return {"@type": "Organization", "name": site_name, **({"url": site_url} if site_url else {})}
    url = publisher.url or site_url
    data: dict[str, Any] = {"@type": "Organization", "name": publisher.name, **({"url": url} if url else {})}
    if publisher.logo:
        data["logo"] = {"@type": "ImageObject", "url": publisher.logo}
    return data


def claim_review(
    claim: Claim,
    dataset: Dataset,
    page_url: str,
    site_name: str,
    site_url: str = "",
    first_published: str = "",
    language: str = "en",
) -> dict[str, Any]:
    """One ClaimReview: the claim reviewed, its rating from the status scale, and the Claim itself
    (its author's web address where the data has one); the review's author and publisher are the
    site (its address only if known: no ``url`` is made up), and the editors who signed it off are
    named by their public names: a person as ``editor`` (schema.org's editor is a Person), an
    editorial team as ``contributor``. ``page_url`` is the review's own address, absolute, or ""
    where the site's address is not known; ``language`` is the site's. A status that is no rating
    on the scale (its ``rating_value`` is null) gives its label alone, with no number."""
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
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": _person_or_org(dataset.parties.get(claim.claimant), claim.claimant),
        "appearance": [_work(dataset.sources.get(a.source), a.source) for a in claim.appearances],
        "firstAppearance": _work(dataset.sources.get(claim.first_appearance or ""), claim.first_appearance or ""),
    }
    if claim.date:
        item["datePublished"] = str(claim.date)
    days = edited(claim)
    modified = max(days, key=lambda d: d.earliest()) if days else None
    signed = reviewers(claim, dataset)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        **({"url": page_url} if page_url else {}),
        "claimReviewed": claim.statement,
        "reviewRating": rating,
        "itemReviewed": item,
        "author": organisation(dataset.publisher, site_name, site_url),
        "publisher": organisation(dataset.publisher, site_name, site_url),
        "inLanguage": language,
    }
    if dataset.publisher and dataset.publisher.license:
        review["sdLicense"] = dataset.publisher.license
    people = [{"@type": "Person", "name": e.name} for e in signed if e.kind == "person"]
    teams = [{"@type": "Organization", "name": e.name} for e in signed if e.kind != "person"]
    if people:
        review["editor"] = people
    if teams:
        review["contributor"] = teams
    published = first_published or (str(claim.review.date) if claim.review else "")
    if published:
        review["datePublished"] = published
    if modified is not None:
        review["dateModified"] = str(modified)
    corrections = [entry for entry in claim.log if entry.kind == "correction"]
    if corrections:
        review["correction"] = [
            {"@type": "CorrectionComment", "text": entry.summary, "datePublished": str(entry.date)}
            for entry in corrections
        ]
    return review


def data_feed(
    reviews: list[dict[str, Any]], name: str, publisher: Publisher | None, site_url: str, feed_url: str
) -> dict[str, Any]:
    """Every ClaimReview of the site in one schema.org DataFeed, as fact-check aggregators read them:
    one DataFeedItem each, dated as its review is."""
    elements = []
    for review in reviews:
        item = {key: value for key, value in review.items() if key != "@context"}
        dates = {"dateCreated": review.get("datePublished"), "dateModified": review.get("dateModified")}
        element = {"@type": "DataFeedItem", **{k: v for k, v in dates.items() if v}, "item": item}
        elements.append(({"url": review["url"]} if "url" in review else {}) | element)
    feed: dict[str, Any] = {"@context": "https://schema.org", "@type": "DataFeed", "name": name}
    if feed_url:
        feed["url"] = feed_url
    modified = max((review["dateModified"] for review in reviews if "dateModified" in review), default="")
    if modified:
        feed["dateModified"] = modified
    if publisher and publisher.license:
        feed["license"] = publisher.license
    return feed | {"publisher": organisation(publisher, name, site_url), "dataFeedElement": elements}


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: object) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` escaped so no value can close the element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
