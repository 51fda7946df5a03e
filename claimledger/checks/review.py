"""Review sign-off: a verdict is reviewed by editors on the record, as many as its status asks,
and its review still covers what the claim tells readers (see :mod:`claimledger.record.visible`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding, error, warning
from ..record.model import Claim, Dataset
from ..record.suggest import close_match
from ..record.visible import awaits_review, fingerprint, status_of

RECORD = "claimledger review {id} --by EDITOR"


def _how(claim: Claim) -> str:
    return (
        f"an editor on claims/publisher.yaml's `editors` list reads the claim against its evidence, then runs "
        f"`{RECORD.format(id=claim.id)}`, which records the day and the fingerprint of what readers are told"
    )


def _editors(dataset: Dataset) -> Iterator[Finding]:
    publisher = dataset.publisher
    if publisher is None:
        return
    seen: set[str] = set()
    for index, entry in enumerate(publisher.editors):
        if entry.id in seen:
            yield error(
                publisher.document.path,
                publisher.document.position(("editors", index, "id")),
                "review-editor",
                f"editors[{index}].id",
                f"editor '{entry.id}' is listed twice",
                "give each editor one entry, with one id",
            )
        seen.add(entry.id)


def _claim(claim: Claim, dataset: Dataset) -> Iterator[Finding]:
    doc = claim.document
    status = status_of(claim, dataset)
    review = claim.review
    if review is None:
        if status is not None and status.verdict:
            yield error(
                doc.path,
                doc.position(("status",)),
                "review-missing",
                "review",
                f"status '{claim.status}' is a verdict, but no editor has signed it off (no `review:`)",
                _how(claim),
            )
        return
    editors = dataset.publisher.editors if dataset.publisher is not None else ()
    known = [e.id for e in editors]
    many = len(review.by) > 1
    unread = "publisher" in dataset.broken_ids  # claims/publisher.yaml has errors of its own, reported there
    for index, editor_id in enumerate(review.by):
        if editor_id not in known and not unread:
            path = ("review", "by", index) if many else ("review", "by")
            suggestion = close_match(editor_id, known)
            yield error(
                doc.path,
                doc.position(path),
                "review-editor",
                "review.by" + (f"[{index}]" if many else ""),
                f"'{editor_id}' is not an editor on the record",
                (f"did you mean '{suggestion}'? " if suggestion else "")
                + "a review is signed by editors listed under `editors` in claims/publisher.yaml"
                + (f" ({', '.join(known)})" if known else ", which lists none yet: add them with their public names"),
            )
    if status is not None and status.verdict and len(review.by) < status.reviewers:
        yield error(
            doc.path,
            doc.position(("review", "by")),
            "review-reviewers",
            "review.by",
            f"status '{claim.status}' needs {status.reviewers} different editors to review it; "
            f"this review has {len(review.by)}",
            f"a second editor reviews the claim too, then `claimledger review {claim.id} --by FIRST --by SECOND` "
            f"records both",
        )
    if awaits_review(claim, dataset):
        yield warning(
            doc.path,
            doc.position(("review", "fingerprint")),
            "review-stale",
            "review.fingerprint",
            f"the claim has changed since {', '.join(review.by)} reviewed it on {review.date}: the site shows "
            f"'changed since review' instead of its verdict, and publishes no ClaimReview for it",
            _how(claim) + f" (the fingerprint of the claim as it is now is {fingerprint(claim)})",
        )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    """The publisher's list of editors (each claim's review: :func:`check_item`)."""
    yield from _editors(dataset)


def check_item(item: object, project: Dataset) -> Iterator[Finding]:
    """A claim's review, against the status scale and the publisher's editors."""
    if isinstance(item, Claim):
        yield from _claim(item, project)
