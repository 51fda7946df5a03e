"""What the installed distribution says of itself: its name, the requirement a new project pins it
with, and its addresses. The version is declared once (``claimledger.__version__``) and the
addresses once (``[project.urls]`` in pyproject.toml); this module reads the installed metadata.
"""

from __future__ import annotations

from importlib import metadata

from . import __version__

NAME = "claimledger"


def requirement() -> str:
    """The line a new project's requirements.txt installs this release with: this version and any
    later release of the same minor series (``~=0.1.0`` admits 0.1.x from 0.1.0 on)."""
    return f"{NAME}~={__version__}"


def urls() -> dict[str, str]:
    """The project's addresses by label (Repository, Documentation, …), as the package's metadata
    gives them; empty when the package is not installed (run from a bare source tree)."""
    try:
        entries = metadata.metadata(NAME).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    return dict(entry.split(", ", 1) for entry in entries if ", " in entry)


def repository() -> str:
    """The source repository's address (``Repository`` in pyproject.toml), or "" when unknown."""
    return urls().get("Repository", "")
