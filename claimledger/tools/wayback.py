"""Asking the Wayback Machine's Save Page Now for a copy of a page, for ``claimledger snapshot --archive``.

A GET of ``https://web.archive.org/save/URL`` (by the link check's rules, the redirect not followed) names
the copy, ``/web/YYYYMMDDhhmmss/URL``, in a redirect's ``Location``, in ``Content-Location`` or as the
``memento`` of a ``Link`` header. It is recorded as ``https://web.archive.org/web/…`` whatever host answered
(so the tests' stand-in yields the address the archive rules judge); a copy of another page is an error.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse

import httpx

from ..checks.archives import wayback_problem
from ..checks.links import FetchFailed, LinkSettings, Network, ask_once

SAVE_PAGE_NOW = "https://web.archive.org/save/"  # the real service; --save-page-now points elsewhere in tests
WAYBACK = "https://web.archive.org/web/"
COPY_PATH = re.compile(r"^/web/(\d{14})(?:[a-z]{2}_)?/(.+)$")
MEMENTO = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


class ArchiveFailed(Exception):
    """No copy was taken, or none that can be recorded: why, in words."""


def _same_page(one: str, other: str) -> bool:
    """Whether two addresses name the same page: scheme, host case, default port, empty path, fragment aside."""

    def key(url: str) -> tuple[str, int | None, str, str]:
        parts = urllib.parse.urlsplit(url)
        port = parts.port if parts.port not in (80, 443) else None
        return (parts.hostname or "", port, parts.path or "/", parts.query)

    try:
        return key(one) == key(other)
    except ValueError:
        return False


def _named(reply: httpx.Response) -> list[str]:
    """The addresses the answer gives for the copy, most telling first."""
    location = reply.headers.get("Location") if reply.is_redirect else None
    found = [address for address in (location, reply.headers.get("Content-Location")) if address]
    for match in MEMENTO.finditer(reply.headers.get("Link", "")):
        rel = re.search(r'rel\s*=\s*"?([^";]*)"?', match.group(2))
        if rel is not None and "memento" in rel.group(1).split():
            found.append(match.group(1))
    return found


def copy_of(address: str, asked: str, page: str) -> tuple[str, dt.date] | None:
    """The copy ``address`` (as the answer to ``asked`` gave it) names, if it is a copy of ``page``: its
    https://web.archive.org/web/YYYYMMDDhhmmss/URL and the day of its timestamp (UTC, as the archive keeps it)."""
    parts = urllib.parse.urlsplit(urllib.parse.urljoin(asked, address))
    match = COPY_PATH.match(parts.path)
    if match is None:
        return None
    timestamp, target = match.group(1), match.group(2) + (f"?{parts.query}" if parts.query else "")
    url = f"{WAYBACK}{timestamp}/{target}"
    if not _same_page(target, page) or wayback_problem(url) is not None:
        return None
    return url, dt.datetime.strptime(timestamp, "%Y%m%d%H%M%S").date()


def save_page_now(
    page: str, settings: LinkSettings, base: str = SAVE_PAGE_NOW, network: Network | None = None
) -> tuple[str, dt.date]:
    """The copy of ``page`` Save Page Now at ``base`` names (:func:`copy_of`); :class:`ArchiveFailed` if none."""
    parts = urllib.parse.urlsplit(page)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ArchiveFailed(f"{page} is not an http(s) address; only a web page can be archived")
    asked = base + page
    try:
        reply = ask_once(asked, settings, network)
    except FetchFailed as exc:
        raise ArchiveFailed(f"Save Page Now did not answer: {exc}") from None
    if reply.status_code == 429:
        raise ArchiveFailed("Save Page Now refused the request: too many requests (HTTP 429); try again later")
    if reply.status_code >= 400:
        raise ArchiveFailed(f"Save Page Now refused to save {page} (HTTP {reply.status_code})")
    named = _named(reply)
    if not named:
        raise ArchiveFailed(
            f"Save Page Now's answer (HTTP {reply.status_code}) names no copy: "
            "no redirect, Content-Location or Link to /web/YYYYMMDDhhmmss/URL"
        )
    for address in named:
        found = copy_of(address, asked, page)
        if found is not None:
            return found
    raise ArchiveFailed(f"Save Page Now's answer names {named[0]}, not a copy of {page}")
