"""Changes to how the site is governed or built: ``claimledger check --changed`` names each one.

A pull request is data when it touches only the data folders (:data:`DATA_FOLDERS`: claims,
sources, parties, metrics and snapshots), which the checks read in full. Any other file decides how
those are checked, shown or published: the status scale, the limits, the accepted warnings, the
publisher and its editors, the site's configuration and pages, the workflows, the scripts, the
package itself, its dependencies, who must review what. Each changed one is a warning (rule
``governance-change``): a GitHub annotation every reviewer sees, which does not fail the check, so a
maintainer's own pull request can pass; .github/CODEOWNERS asks a maintainer's review of the same
paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .findings import Finding, warning
from .gitinfo import Changes
from .layout import DATA_DIR, KIND_DIRS, SNAPSHOT_DIR

DATA_FOLDERS: tuple[str, ...] = tuple(f"{DATA_DIR}/{folder}/" for folder in (*KIND_DIRS.values(), SNAPSHOT_DIR))
MESSAGE = "this pull request changes how the site is governed or built: a maintainer must review it"

# What a file sets, completing "this file sets ...", by its path (an exact name, or a folder ending
# in "/"): the first that matches.
GOVERNS: tuple[tuple[str, str], ...] = (
    (f"{DATA_DIR}/statuses.yaml", "the status scale: the label, colour and rating every claim shows"),
    (f"{DATA_DIR}/limits.yaml", "the limits on what a data file may hold"),
    (f"{DATA_DIR}/accepted-warnings.yaml", "which warnings go unreported"),
    (f"{DATA_DIR}/publisher.yaml", "who publishes the site and answers for it, and its editors"),
    (f"{DATA_DIR}/", "part of the data outside the claim, source, party, metric and snapshot folders"),
    ("mkdocs.yml", "the site's configuration: what the build runs, reads and publishes"),
    ("properdocs.yml", "the site's configuration: what the build runs, reads and publishes"),
    ("docs/", "a page or file the site publishes as it is"),
    ("CONTRIBUTING.md", "a page the site publishes as it is"),
    (".github/CODEOWNERS", "who must review which files"),
    (".github/workflows/", "how CI checks pull requests and publishes the site"),
    (".github/", "the repository's settings for GitHub"),
    (".ci/", "what CI runs"),
    ("scripts/", "how the project is installed, tested and built"),
    ("claimledger/", "what every check and build does (claimledger's own code)"),
    ("pyproject.toml", "the package and what it installs"),
    ("constraints.txt", "the version of every package installed"),
    ("tests/", "the tests that hold the checks to their promises"),
)


def is_data(path: str) -> bool:
    """Whether ``path`` (relative to the project, forward slashes) lies in a data folder."""
    return path.startswith(DATA_FOLDERS)


def governs(path: str) -> str:
    """What a file outside the data folders sets, in words."""
    for name, what in GOVERNS:
        if path == name or (name.endswith("/") and path.startswith(name)):
            return what
    return "part of the repository outside the data folders"


def governance_changes(root: Path, changes: Changes) -> Iterator[Finding]:
    """A warning for each changed file outside the data folders."""
    for path in sorted(changes.paths):
        if is_data(path):
            continue
        gone = "" if (root / path).exists() or (root / path).is_symlink() else " (the file is deleted)"
        yield warning(
            path,
            (1, 1),
            "governance-change",
            "(file)",
            f"{MESSAGE}{gone}",
            f"this file sets {governs(path)}; .github/CODEOWNERS asks a maintainer's review of it: the "
            "change is merged once one has approved it",
        )
