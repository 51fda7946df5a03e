"""What the installed distribution says of itself: its name, the requirement a new project pins it with,
and its addresses (``[project.urls]`` in pyproject.toml, read from the installed metadata)."""

from __future__ import annotations

from importlib import metadata

from . import __version__

NAME = "claimledger"


def requirement() -> str:
    """This release and any later one of its minor series (``~=0.1.0`` admits 0.1.x from 0.1.0 on)."""
    return f"{NAME}~={__version__}"


def urls() -> dict[str, str]:
    """The project's addresses by label (Repository, Documentation, …); empty when not installed."""
    try:
        entries = metadata.metadata(NAME).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    return dict(entry.split(", ", 1) for entry in entries if ", " in entry)


def repository() -> str:
    """The source repository's address, or "" when unknown."""
    return urls().get("Repository", "")
