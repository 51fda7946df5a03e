"""The corrections: every claim's logged changes, newest first, and the same as an Atom feed, with the
status scale's changes as site-wide corrections. Pure functions of the dataset: the same data gives
the same feed, byte for byte (its ``updated`` is the newest change's date, never the build's).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape

from ..record import markdown as markup
from ..record.model import Claim, Dataset, LogEntry, ScaleLogEntry
from .format import attribution
from .urls import CORRECTIONS_FEED, page_src, url_of

ATOM = "http://www.w3.org/2005/Atom"
PAGE = url_of("corrections.md")  # the page that lists the same entries

KIND_LABELS = {
    "correction": "Correction",
    "clarification": "Clarification",
    "status-change": "Status change",
    "update": "Update",
    "retraction": "Withdrawal",
}


@dataclass(frozen=True)
class Change:
    """One logged change: the claim, the entry and its number in the claim's log (from 1)."""

    claim: Claim
    entry: LogEntry
    number: int

    @property
    def anchor(self) -> str:
        return f"change-{self.number}"

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.entry.kind, self.entry.kind)


def changes(dataset: Dataset) -> list[Change]:
    """Every claim's logged changes, newest first; on one day, by claim id, then the log's own order."""
    found = [
        Change(claim, entry, number)
        for claim in dataset.claims.values()
        for number, entry in enumerate(claim.log, start=1)
    ]
    found.sort(key=lambda c: (c.claim.id, c.number))
    found.sort(key=lambda c: c.entry.date.earliest(), reverse=True)  # stable: ties keep the order above
    return found


@dataclass(frozen=True)
class ScaleChange:
    """One logged change to the status scale and its number in the scale's log (from 1)."""

    entry: ScaleLogEntry
    number: int

    @property
    def anchor(self) -> str:
        return f"scale-change-{self.number}"

    label = "Scale change"
    kind = "scale-change"


def scale_changes(dataset: Dataset) -> list[ScaleChange]:
    """The status scale's logged changes, newest first (on one day, the later entry first)."""
    log = dataset.scale.log if dataset.scale is not None else ()
    found = [ScaleChange(entry, number) for number, entry in enumerate(log, start=1)]
    return sorted(found, key=lambda c: (c.entry.date.earliest(), c.number), reverse=True)


def atom(dataset: Dataset, *, site_url: str, site_name: str) -> str:
    """The corrections as an Atom 1.0 feed (RFC 4287). ``site_url`` is absolute and ends in ``/``; without
    one, the entries' ids are URNs and their links relative. The scale's changes come first on a day."""
    found, scale = changes(dataset), scale_changes(dataset)
    entries = []  # (day, urn, title, link, kind, label, summary)
    for s in scale:
        title = f"{s.label}: the verification scale, which applies to every claim"
        urn, link = f"urn:claimledger:scale:{s.anchor}", f"{site_url}{PAGE}#{s.anchor}"
        entries.append((s.entry.date, urn, title, link, s.kind, s.label, s.entry.summary))
    for c in found:
        party = dataset.parties.get(c.claim.claimant)
        title = f"{c.label} — {attribution(c.claim, party.name if party else c.claim.claimant)}: {c.claim.statement}"
        urn, link = (
            f"urn:claimledger:{c.claim.id}:{c.anchor}",
            f"{site_url}{url_of(page_src('claim', c.claim.id))}#{c.anchor}",
        )
        entries.append((c.entry.date, urn, title, link, c.entry.kind, c.label, c.entry.summary))
    entries.sort(key=lambda entry: entry[0].earliest(), reverse=True)  # stable: ties keep the order above
    days = [c.entry.date for c in found] or [c.review.date for c in dataset.claims.values() if c.review]
    newest = max((day.earliest() for day in (*days, *(s.entry.date for s in scale))), default=None)

    def element(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        child = ET.SubElement(parent, tag, attributes)
        child.text = text
        return child

    feed = ET.Element("feed", xmlns=ATOM)  # the default namespace, written out: no prefixes
    element(feed, "title", f"{site_name}: corrections")
    element(feed, "subtitle", "Every correction, clarification, status change and update to a claim, newest first.")
    element(feed, "id", site_url + PAGE if site_url else "urn:claimledger:corrections")
    element(feed, "updated", f"{newest.isoformat() if newest else '1970-01-01'}T00:00:00Z")
    element(feed, "link", rel="self", type="application/atom+xml", href=site_url + CORRECTIONS_FEED)
    element(feed, "link", rel="alternate", type="text/html", href=site_url + PAGE)
    author = element(feed, "author")
    publisher = dataset.publisher
    element(author, "name", publisher.name if publisher else site_name)
    if publisher is not None and publisher.url:
        element(author, "uri", publisher.url)
    elif site_url:
        element(author, "uri", site_url)

    def resolve(kind: str, item_id: str, label: str | None) -> str:  # [[kind:id]] as links from anywhere
        return f'<a href="{escape(site_url + url_of(page_src(kind, item_id)))}">{escape(label or item_id)}</a>'

    for day, urn, title, link, kind, label, summary in entries:
        entry = element(feed, "entry")
        element(entry, "id", link if site_url else urn)
        element(entry, "title", title)
        element(entry, "updated", f"{day.earliest().isoformat()}T00:00:00Z")
        element(entry, "link", rel="alternate", type="text/html", href=link)
        element(entry, "category", term=kind, label=label)
        element(entry, "summary", markup.render(summary, resolve).strip(), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"
