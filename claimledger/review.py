"""Review sign-off tied to content: who reviewed a claim's verdict, and whether it still holds.

A review (``review:`` in a claim file) names the editors who reviewed the claim (ids from
``editors`` in claims/publisher.yaml), the day, and the fingerprint of what the claim told readers
then (:func:`claimledger.visible.fingerprint`). When a reader-visible field changes afterwards, the
fingerprints differ and the review is *stale*: ``check`` warns, the site shows "changed since
review" instead of the verdict, and no ClaimReview is published until an editor reviews it again
(``claimledger review``), as doorstop marks an item changed since its review.
"""

from __future__ import annotations

from .model import Claim, Dataset, Editor, PartialDate, Status
from .visible import fingerprint


def stale(claim: Claim) -> bool:
    """Whether ``claim`` has a review whose fingerprint is no longer that of its reader-visible fields."""
    return claim.review is not None and claim.review.fingerprint != fingerprint(claim)


def status_of(claim: Claim, dataset: Dataset) -> Status | None:
    return dataset.scale.get(claim.status) if dataset.scale is not None else None


def awaits_review(claim: Claim, dataset: Dataset) -> bool:
    """Whether ``claim`` states a verdict its review no longer covers: its status is a verdict and its
    review is stale. A claim whose status is no verdict (unverified, withdrawn) shows that status,
    whatever an earlier review of it says."""
    status = status_of(claim, dataset)
    return status is not None and status.verdict and stale(claim)


def standing_verdict(claim: Claim, dataset: Dataset) -> bool:
    """Whether ``claim`` states a verdict that its review still covers: its status is a verdict and
    it has a review that is not stale. Only such a claim shows its verdict and carries a ClaimReview."""
    status = status_of(claim, dataset)
    return status is not None and status.verdict and claim.review is not None and not stale(claim)


def editor(dataset: Dataset, editor_id: str) -> Editor | None:
    return dataset.publisher.editor(editor_id) if dataset.publisher is not None else None


def reviewers(claim: Claim, dataset: Dataset) -> tuple[Editor, ...]:
    """The editors named by ``claim``'s review that are on the publisher's list, in the review's order."""
    if claim.review is None:
        return ()
    found = (editor(dataset, editor_id) for editor_id in claim.review.by)
    return tuple(e for e in found if e is not None)


def edited(claim: Claim) -> tuple[PartialDate, ...]:
    """The days the record says the claim was worked on: its review and its logged changes."""
    return (*((claim.review.date,) if claim.review is not None else ()), *(entry.date for entry in claim.log))
