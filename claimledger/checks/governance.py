"""Changes to how the site is governed or built: ``claimledger check --changed`` names each one.

A pull request is data when it touches only the data folders (:data:`DATA_FOLDERS`), which the checks
read in full; any other file decides how those are checked, shown or published. Each changed one is a
warning (``governance-change``) every reviewer sees, which does not fail the check, so a maintainer's
own pull request can pass; .github/CODEOWNERS asks a maintainer's review of the same paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..findings import Finding, warning
from ..record import paths
from ..record.layout import DATA_DIR, KIND_DIRS, SNAPSHOT_DIR
from .gitinfo import Changes, GitError, file_at
from .siteconfig import PLUGIN
from .sitepolicy import OPTION, allow_entries

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
    found = (what for name, what in GOVERNS if path == name or (name.endswith("/") and path.startswith(name)))
    return next(found, "part of the repository outside the data folders")


def governance_changes(root: Path, changes: Changes) -> Iterator[Finding]:
    """A warning for each changed file outside the data folders."""
    for path in sorted(path for path in changes.paths if not is_data(path)):
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


# What a name added to the site policy's allowlist (the claimledger plugin's ``allow`` in mkdocs.yml)
# lets a build do, completing "this change adds NAME to the allowlist: ...".
ALLOWS: dict[str, str] = {
    "hooks": "the hook then runs as Python in every build",
    "plugins": "the plugin then runs as code in every build, and may read or publish any file",
    "markdown_extensions": "the extension then runs as code whenever a page is rendered, and may read files",
    "inherit": "the settings of that file then apply to the site",
    "env": "!ENV may then put that variable's value (a secret of the build, say) on the site",
    "python_names": "MkDocs then imports that Python object while it reads the configuration",
    "remote": "every reader's browser then loads it from another host, which learns who reads the site",
    "docs": "the file is then published as it is on the site's own address, where a script in it runs as the site",
    "custom_dir": "the templates in that folder then run Python in every build, and its files are published",
}


def allow_added(root: Path, changes: Changes, config: str = "mkdocs.yml") -> Iterator[Finding]:
    """A warning for each name a change adds to the site policy's allowlist, compared with the merge
    base, at its line: what it lets the build run or publish."""
    if config not in changes.paths:
        return
    try:
        now = (root / config).read_bytes()
    except OSError:
        return
    try:
        before = {(key, name) for key, name, _ in allow_entries(file_at(root, changes.merge_base, config))}
    except GitError:  # no such file at the base: every name is new
        before = set()
    for key, name, position in allow_entries(now):
        if (key, name) in before:
            continue
        yield warning(
            config,
            position,
            "policy-allow-added",
            f"plugins.{PLUGIN}.{OPTION}.{key}",
            f"this change adds {paths.shown(name)} to the site policy's allowlist (`{OPTION}: {key}`): "
            f"{ALLOWS.get(key, 'the policy lets it through')}",
            "a maintainer reviews it as code before it is merged (.github/CODEOWNERS asks for that review): "
            f"remove it from `{OPTION}: {key}` unless it is meant",
        )
