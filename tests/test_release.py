"""A release a maintainer can cut: one version, complete metadata, a changelog in the Keep a
Changelog form, the project's addresses in one place, and a tag-triggered workflow that builds,
tests the built wheel and publishes with trusted publishing. (Building and installing the
distributions is tests/test_installed_wheel.py.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest
import yaml
from trove_classifiers import classifiers as KNOWN_CLASSIFIERS

from claimledger import __version__, distribution

from .conftest import REPO

PYPROJECT: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT: dict[str, Any] = PYPROJECT["project"]
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
RELEASE_WORKFLOW = REPO / ".github" / "workflows" / "release.yml"


def test_the_version_is_declared_once_in_the_package() -> None:
    assert "version" not in PROJECT
    assert PROJECT["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "claimledger.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_metadata_is_complete() -> None:
    assert PROJECT["name"] == "claimledger"
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert PROJECT["readme"] == "README.md"
    assert PROJECT["requires-python"] == ">=3.10"
    assert PROJECT["keywords"]
    assert {"Repository", "Documentation", "Changelog", "Issues"} <= set(PROJECT["urls"])
    assert PROJECT["scripts"] == {"claimledger": "claimledger.cli:run"}


def test_every_classifier_is_one_the_index_accepts() -> None:
    assert PROJECT["classifiers"]
    assert [c for c in PROJECT["classifiers"] if c not in KNOWN_CLASSIFIERS] == []
    # The licence is the SPDX expression above; the index refuses a licence classifier beside it.
    assert [c for c in PROJECT["classifiers"] if c.startswith("License ::")] == []


def test_the_python_versions_named_start_at_requires_python() -> None:
    named = [
        c.rsplit(" ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert named[0] == PROJECT["requires-python"].removeprefix(">=")


def test_the_installed_metadata_gives_the_addresses_of_pyproject() -> None:
    assert distribution.urls() == PROJECT["urls"]
    assert distribution.repository() == PROJECT["urls"]["Repository"]


def test_every_address_of_the_project_in_the_repository_is_one_of_pyproject() -> None:
    """The addresses are written in pyproject.toml; any other file that names the project's home
    names it as pyproject does (a moved repository is changed in one place and found by this test)."""
    home = PROJECT["urls"]["Repository"]
    owner_path = home.removeprefix("https://")
    host_and_owner = owner_path.rsplit("/", 1)[0]
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    stray: list[str] = []
    for name in listed.decode().split("\0"):
        path = REPO / name
        if (
            not name
            or not path.is_file()
            or path.suffix not in {".md", ".yaml", ".yml", ".txt", ".toml", ".py", ".html"}
        ):
            continue
        for match in re.finditer(
            re.escape(host_and_owner) + r"[\w./#-]*", path.read_text(encoding="utf-8", errors="replace")
        ):
            if not match.group().startswith(owner_path):
                stray.append(f"{name}: {match.group()}")
    assert stray == []


def test_a_new_project_pins_this_release_and_its_minor_series() -> None:
    assert distribution.requirement() == f"claimledger~={__version__}"


def test_the_changelog_keeps_a_changelog() -> None:
    headings = re.findall(r"^## (.+)$", CHANGELOG, re.MULTILINE)
    assert CHANGELOG.startswith("# Changelog\n")
    assert headings[0] == "[Unreleased]"
    for heading in headings[1:]:
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", heading), heading
    for section in re.findall(r"^### (.+)$", CHANGELOG, re.MULTILINE):
        assert section in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    for version in re.findall(r"^## \[([^\]]+)\]", CHANGELOG, re.MULTILINE):
        assert re.search(rf"^\[{re.escape(version)}\]: https://", CHANGELOG, re.MULTILINE), version


def test_the_changelog_has_a_section_for_this_version() -> None:
    assert re.search(rf"^## \[{re.escape(__version__)}\] - ", CHANGELOG, re.MULTILINE)


def test_the_changelog_records_the_rename() -> None:
    assert re.search(r"^- Renamed from `\w+` to `claimledger`", CHANGELOG, re.MULTILINE)


def _release_check(tag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(REPO / "scripts" / "release-check"), tag], capture_output=True, text=True, check=False)


def test_release_check_accepts_the_tag_of_this_version() -> None:
    result = _release_check(f"v{__version__}")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("tag", ["v99.0.0", __version__, "v" + __version__ + "rc1"])
def test_release_check_refuses_a_tag_that_is_not_this_version(tag: str) -> None:
    result = _release_check(tag)
    assert result.returncode == 1
    assert f"tag v{__version__}" in result.stderr


def test_release_check_refuses_a_version_without_a_dated_changelog_section(tmp_path: Path) -> None:
    for name in ("scripts/release-check", "claimledger/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((REPO / name).read_bytes())
    (tmp_path / "scripts" / "release-check").chmod(0o755)
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n### Added\n\n- All of it.\n")
    result = subprocess.run(
        [str(tmp_path / "scripts" / "release-check"), f"v{__version__}"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert f"no section '## [{__version__}] - YYYY-MM-DD'" in result.stderr


@pytest.fixture(scope="module")
def release() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(RELEASE_WORKFLOW.read_text(encoding="utf-8"))
    return data


def test_a_release_runs_on_a_version_tag_only(release: dict[Any, Any]) -> None:
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as true


def test_the_release_builds_checks_tests_the_wheel_then_publishes(release: dict[Any, Any]) -> None:
    jobs = release["jobs"]
    assert jobs["test"]["needs"] == "build"
    assert jobs["publish"]["needs"] == ["build", "test"]
    build = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert 'scripts/release-check "$TAG"' in build
    assert "python -m build" in build
    assert "twine check --strict dist/*" in build
    test = "\n".join(step.get("run", "") for step in jobs["test"]["steps"])
    assert "dist/*.whl" in test
    assert "-r requirements.txt" in test
    assert 'claimledger" check' in test and 'claimledger" build' in test


def test_publishing_uses_trusted_publishing_and_no_secret(release: dict[Any, Any]) -> None:
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert [name for name, job in jobs.items() if "id-token" in job["permissions"]] == ["publish"]
    (publish,) = [step for step in jobs["publish"]["steps"] if "gh-action-pypi-publish" in step.get("uses", "")]
    assert "with" not in publish  # no password, no token: the index trusts this workflow
    assert "secrets." not in RELEASE_WORKFLOW.read_text(encoding="utf-8").replace("repository's secrets.", "")
