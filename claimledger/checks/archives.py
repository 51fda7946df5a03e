"""Web addresses: each leads where it reads; web sources carry an archived copy and an access date; a
Wayback URL is a real snapshot.

Every address field is refused with user info before its host (``https://web.archive.org@evil.example/``
leads to evil.example; ``user:pass@`` publishes a password) or a host no browser reads as written
(``url-host``). An ``archive_url`` on the Wayback Machine, judged by its real host, is a snapshot
address with a 14-digit timestamp (``archive-url``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..findings import Finding, error, warning
from ..record.addresses import host, host_problem
from ..record.model import Dataset, Party, Source
from ..record.yamlsafe import Document, format_field

# The Wayback Machine: web.archive.org, and archive.org/web/ or /save/; other archive.org pages (an item at
# /details/, a file at /download/) are archived copies of another kind and are not judged here. Which host
# an address leads to is urllib.parse's to say (addresses.host); the patterns only read what follows it.
WAYBACK_PATHS = re.compile(r"^https?://[^/]+/(web|save)/", re.IGNORECASE)
WAYBACK_SAVE = re.compile(r"^https?://(web\.)?archive\.org/save/", re.IGNORECASE)
WAYBACK_SNAPSHOT = re.compile(r"^https?://web\.archive\.org/web/(\d{14})(?:id_|if_|im_|js_|cs_)?/(https?://\S+)$")


def _is_wayback(url: str) -> bool:
    """Whether ``url`` leads to the Wayback Machine: to web.archive.org, or to archive.org's /web/ or /save/."""
    found = host(url)
    return found == "web.archive.org" or (found == "archive.org" and WAYBACK_PATHS.match(url) is not None)


def wayback_problem(url: str) -> str | None:
    """Why ``url`` is not a usable Wayback snapshot address, or None if it is one (or not a Wayback URL)."""
    if not _is_wayback(url):
        return None
    if WAYBACK_SAVE.match(url):  # only the save path, not a page of the archived site at …/save/…
        return "a /save/ address asks the archive to take a copy; it is not a copy"
    match = WAYBACK_SNAPSHOT.match(url)
    if match is None or "*" in url:
        return "a Wayback copy is addressed as https://web.archive.org/web/YYYYMMDDhhmmss/URL (14 digits, no *)"
    try:
        dt.datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
    except ValueError:
        return f"{match.group(1)} is not a valid timestamp"
    return None


def _hosts(document: Document, addresses: dict[str, str | None]) -> Iterator[Finding]:
    """``url-host`` for each of a file's web addresses (by field name) that does not lead where it reads."""
    for name, url in addresses.items():
        problem = host_problem(url) if url else None
        if problem is not None:
            yield error(
                document.path,
                document.position((name,)),
                "url-host",
                format_field((name,)),
                f"{url} is not a plain address: {problem}",
                "write the address as the browser's address bar shows it, host first "
                "(https://web.archive.org/web/…); a record never holds a user name or password",
            )


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    """The publisher's addresses (those of sources and parties: :func:`check_item`)."""
    publisher = dataset.publisher
    if publisher is not None:
        yield from _hosts(publisher.document, {"url": publisher.url, "logo": publisher.logo})


def check_item(item: object, project: Dataset) -> Iterator[Finding]:
    """A party's address; a source's addresses, its archived copy and its access date."""
    if isinstance(item, Party):
        yield from _hosts(item.document, {"url": item.url})
    if not isinstance(item, Source):
        return
    source = item
    yield from _hosts(source.document, {"url": source.url, "archive_url": source.archive_url})
    doc = source.document
    if source.archive_url:
        problem = wayback_problem(source.archive_url)
        if problem:
            yield error(
                doc.path,
                doc.position(("archive_url",)),
                "archive-url",
                "archive_url",
                f"{source.archive_url} is not an archived copy: {problem}",
                "open the copy in the Wayback Machine and paste the address shown, "
                "e.g. https://web.archive.org/web/20180112000000/https://example.org/page",
            )
    if source.url is None:
        return
    if not source.archive_url:
        yield warning(
            doc.path,
            doc.position(("url",)),
            "archive-missing",
            "archive_url",
            "this web source has no archived copy",
            "add `archive_url:` (a Wayback snapshot) and `archive_date:`, so readers can still "
            "check it if the page changes or disappears (`claimledger snapshot ID --archive` asks for one); "
            "if it cannot be archived, say why in `notes` and ask an editor to accept this warning in "
            "claims/accepted-warnings.yaml, in a change of its own once this one is merged",
        )
    if not source.accessed:
        yield warning(
            doc.path,
            doc.position(("url",)),
            "accessed-missing",
            "accessed",
            "this web source has no access date",
            "add `accessed: YYYY-MM-DD`, the day the page was last seen to say what is quoted",
        )
