"""Web addresses as a browser reads them: split with :mod:`urllib.parse`, never by hand. An address
holding user info before its host (``https://web.archive.org@evil.example/`` leads to ``evil.example``)
is refused: a record never needs it, and a password in a public file is a leak in any case.
"""

from __future__ import annotations

import urllib.parse


def host(url: str) -> str | None:
    """The host ``url`` leads to, in lower case (``None``: none, or the address cannot be split)."""
    try:
        return urllib.parse.urlsplit(url).hostname
    except ValueError:  # an unclosed "[" of an IPv6 address
        return None


def host_problem(url: str) -> str | None:
    """Why ``url`` hides or garbles the host it leads to, or None: user info before the host, or an
    address no browser could split. Relative addresses, ``mailto:`` and the like have no host to hide."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it: a port that is no number raises)
    except ValueError:
        return "it cannot be read as an address (a broken [IPv6] host or port)"
    if "@" not in parts.netloc:
        return None
    given = parts.netloc.rpartition("@")[0]
    leads_to = parts.hostname or "no host at all"
    return (
        f"it leads to {leads_to}: '{given[:60]}@' before the host is user info (a name or password for the host), "
        "which can make the address look as if it led elsewhere"
    )
