"""What the site shows of each kind of item (see :mod:`claimledger.record.kinds`), in one place.

Per kind: its search text and keywords, a line describing its page, and its title in the browser.
Its item page is ``templates/<kind>.html``, given the item by the kind's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from ..record.kinds import KINDS
from ..record.model import Claim, Metric, Party, Source
from .render import Renderer


@dataclass(frozen=True)
class SiteKind:
    """The site's side of one kind of item."""

    name: str
    # What the search index holds for an item's page: the words a reader looks for (docs/reference.md).
    # Plain HTML built here rather than a template: it is made once per page, ten thousand times.
    search_text: Callable[[Renderer, Any], str]
    description: Callable[[Renderer, Any], str]  # one line of plain text about an item's page
    # Short names a reader may type for the item (USTR): search ranks a page whose keyword matches first.
    keywords: Callable[[Renderer, Any], tuple[str, ...]] = lambda renderer, item: ()
    # The page's title in the browser and link previews, if not the item's title (a claim's: its verdict first).
    head_title: Callable[[Renderer, Any], str] | None = None
    # How much search favours the kind's pages: a party's comes before the claims that name it.
    search_boost: float = 1

    @property
    def template(self) -> str:
        return f"{self.name}.html"


def _short_names(renderer: Renderer, party_id: str) -> tuple[str, ...]:
    party = renderer.dataset.parties.get(party_id)
    return (party.short_name,) if party and party.short_name else ()


def _party_label(renderer: Renderer, party_id: str) -> str:
    """A party's name for the search index: its name, and its short name where the name lacks it."""
    name = renderer.title("party", party_id)
    missing = [short for short in _short_names(renderer, party_id) if short not in name]
    return f"{name} ({missing[0]})" if missing else name


def _search_text(anchor: str, title: str, text: str | None = None) -> str:
    heading = f'<h1 id="{anchor}">{escape(title)}</h1>'
    return heading if text is None else f"{heading}\n<p>{escape(text)}</p>"


def _claim_search_text(renderer: Renderer, claim: Claim) -> str:
    status = renderer.statuses.get(claim.status)
    spokesperson = f" ({escape(_party_label(renderer, claim.spokesperson))})" if claim.spokesperson else ""
    # Who made the claim and when, first: a search for a person's name finds their claims by their
    # title, before pages whose words merely begin like it ("Ma" and "major").
    parts = [
        f'<h1 id="claim">{escape(renderer.attribution(claim))}: {escape(claim.statement)}</h1>',
        f"<p>{escape(claim.words)}</p>",
        f"<p>{escape(_party_label(renderer, claim.claimant))}{spokesperson}."
        f" {escape(status.label if status else claim.status)}: {escape(claim.rationale)}</p>",
        *(f"<p>{escape(a.quote)}</p>" for a in claim.appearances),
        *(
            f"<p>{escape(_party_label(renderer, r.party))}: {escape(r.summary)} {escape(r.quote or '')}</p>"
            for r in claim.rebuttals
        ),
        *([f"<p>{escape(' '.join(claim.tags))}</p>"] if claim.tags else []),
    ]
    return "\n".join(parts)


def _verdict(renderer: Renderer, claim: Claim) -> str:
    if renderer.stale(claim):
        return "Changed since review"
    status = renderer.statuses.get(claim.status)
    return status.label if status else claim.status


def _claim_description(renderer: Renderer, claim: Claim) -> str:
    made = "Calculated" if claim.own_calculation else "Claimed"
    return f"{_verdict(renderer, claim)}: {claim.statement} {made} by {renderer.attribution(claim)}."


def _source_description(renderer: Renderer, source: Source) -> str:
    published = f", {source.published.human()}" if source.published else ""
    by = f", by {renderer.title('party', source.author)}" if source.author else ""
    return f"{source.title} ({source.kind.replace('-', ' ')}{by}{published})"


def _source_search_text(renderer: Renderer, source: Source) -> str:
    parties = [_party_label(renderer, p) for p in dict.fromkeys((source.author, source.publisher)) if p]
    by = f" by {'; '.join(parties)}" if parties else ""
    shown = f", {source.author_shown}" if source.author_shown else ""
    text = " ".join(_sentence(part) for part in (source.kind.replace("-", " ") + by + shown, source.notes) if part)
    return _search_text("source", source.title, text)


def _sentence(text: str) -> str:
    """``text`` ending as a sentence: a full stop added unless it ends with one, or another mark."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _source_keywords(renderer: Renderer, source: Source) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for p in (source.author, source.publisher) if p for k in _short_names(renderer, p)))


def _party_search_text(renderer: Renderer, party: Party) -> str:
    notes = f". {party.notes}" if party.notes else ""
    short = f"{party.short_name}. " if party.short_name else ""
    return _search_text("party", party.name, short + (party.role or "") + notes)


def _metric_search_text(renderer: Renderer, metric: Metric) -> str:
    return _search_text("metric", metric.title, f"{metric.counts} {' '.join(metric.caveats)}")


SITE_KINDS: Mapping[str, SiteKind] = {
    kind.name: kind
    for kind in (
        SiteKind(
            "claim",
            _claim_search_text,
            _claim_description,
            head_title=lambda r, claim: f"{_verdict(r, claim)} — {r.attribution(claim)}: {claim.statement}",
        ),
        SiteKind("source", _source_search_text, _source_description, keywords=_source_keywords),
        SiteKind(
            "party",
            _party_search_text,
            lambda r, party: f"{party.name} ({party.role or party.kind})",
            keywords=lambda r, party: _short_names(r, party.id),
            search_boost=2,
        ),
        SiteKind(
            "metric",
            _metric_search_text,
            lambda r, metric: f"{metric.title} (a metric: what it counts, by whom, and its figures over time)",
        ),
    )
}


def view(kind: str) -> SiteKind:
    """The site's side of ``kind``: its own, or, for a kind registered without one, its title as its
    search text and description."""
    if kind in SITE_KINDS:
        return SITE_KINDS[kind]
    title = KINDS[kind].title
    return SiteKind(
        kind,
        lambda renderer, item: _search_text(kind, title(item)),
        lambda renderer, item: title(item),
    )
