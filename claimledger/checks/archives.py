"""Web sources should carry an archived copy and an access date; a Wayback URL must be a real snapshot."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..findings import Finding, error, warning
from ..model import Dataset

# The Wayback Machine: web.archive.org, and archive.org/web/ or /save/; other archive.org pages (an item at
# /details/, a file at /download/) are archived copies of another kind and are not judged here.
WAYBACK_HOSTS = re.compile(r"^https?://(web\.archive\.org/|archive\.org/(web|save)/)", re.IGNORECASE)
WAYBACK_SAVE = re.compile(r"^https?://(web\.)?archive\.org/save/", re.IGNORECASE)
WAYBACK_SNAPSHOT = re.compile(r"^https?://web\.archive\.org/web/(\d{14})(?:id_|if_|im_|js_|cs_)?/(https?://\S+)$")


def wayback_problem(url: str) -> str | None:
    """Why ``url`` is not a usable Wayback snapshot address, or None if it is one (or not a Wayback URL)."""
    if not WAYBACK_HOSTS.match(url):
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


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    for source in dataset.sources.values():
        doc = source.document
        if source.archive_url:
            problem = wayback_problem(source.archive_url)
            if problem:
                yield error(
                    doc.path,
                    doc.position(("archive_url",)),
                    "archive-url",
                    "archive_url",
                    f"{source.archive_url[:80]} is not an archived copy: {problem}",
                    "open the copy in the Wayback Machine and paste the address shown, "
                    "e.g. https://web.archive.org/web/20180112000000/https://example.org/page",
                )
        if source.url is None:
            continue
        if not source.archive_url:
            yield warning(
                doc.path,
                doc.position(("url",)),
                "archive-missing",
                "archive_url",
                "this web source has no archived copy",
                "add `archive_url:` (a Wayback snapshot) and `archive_date:`, so readers can still "
                "check it if the page changes or disappears",
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
