"""The developers' guide (docs/developers.md) names files and registries that exist, and is reachable."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO, read_site_config

GUIDE = REPO / "docs" / "developers.md"
TEXT = GUIDE.read_text(encoding="utf-8")
ROOTS = ("claimledger/", "tests/", "benchmarks/", "scripts/", "docs/", ".github/")
TOP_FILES = {"mkdocs.yml", "pyproject.toml"}


def _named_files() -> list[str]:
    """Every repository file or folder the guide names in code, placeholders (``<kind>``) and globs aside."""
    named = set()
    for span in re.findall(r"[\w./*<>-]+", TEXT):
        span = span.rstrip(".:,")
        if "<" in span or "*" in span:
            continue
        if span.startswith(ROOTS) or span in TOP_FILES:
            named.add(span)
    return sorted(named)


def _named_in_files() -> list[tuple[str, str]]:
    """Each ``NAME`` the guide says is in a file (`NAME` of `file`, `NAME` tuple of `file`, ...)."""
    pattern = r"`([A-Za-z_][\w]*)`(?: tuple| dictionary)? (?:of|in) `([\w./-]+\.\w+)`"
    return sorted(set(re.findall(pattern, TEXT.replace("\n", " "))))


def test_the_guide_names_files_and_folders_at_least_once_per_layer() -> None:
    named = _named_files()
    assert {"claimledger/site/", "claimledger/engines/", "claimledger/checks/"} <= set(named)
    assert len(named) > 30


@pytest.mark.parametrize("path", _named_files())
def test_every_file_the_guide_names_exists(path: str) -> None:
    assert (REPO / path).exists(), f"docs/developers.md names {path}, which is not in the repository"


@pytest.mark.parametrize(("name", "path"), _named_in_files())
def test_every_registry_the_guide_names_is_in_its_file(name: str, path: str) -> None:
    assert re.search(rf"\b{re.escape(name)}\b", (REPO / path).read_text(encoding="utf-8")), (
        f"docs/developers.md says {name} is in {path}, which does not define or mention it"
    )


def test_the_guide_covers_each_change_a_developer_makes() -> None:
    for heading in (
        "## From YAML to pages",
        "## The layers",
        "## How to add a check",
        "## How to add a page",
        "## How to add an item kind",
        "## How to add an export format",
        "## How to add an engine",
    ):
        assert heading in TEXT


def test_the_guide_is_published_for_makers_out_of_the_readers_navigation_and_linked_from_the_readme() -> None:
    config = read_site_config(REPO / "mkdocs.yml")
    assert "developers.md" not in str(config["nav"])
    assert "/developers.md" in config["not_in_nav"].splitlines()
    assert "(developers.md)" in (REPO / "docs" / "about.md").read_text(encoding="utf-8")
    assert "(docs/developers.md)" in (REPO / "README.md").read_text(encoding="utf-8")
