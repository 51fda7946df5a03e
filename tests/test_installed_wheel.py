"""The released package stands alone: ``python -m build`` makes an sdist and a wheel from this
repository's files, ``twine check`` passes on both, and each, installed into a fresh virtual
environment, starts a claims site for another report with ``claimledger init``. The requirements
that ``init`` writes resolve against the built wheel in another fresh environment, which checks and
builds the new site; from the wheel, a party, a source with a snapshot and a claim are added with
``claimledger new`` and built, with nothing read from this repository.

Offline: the distributions are built without build isolation (setuptools comes with the test
tools), and each fresh environment sees claimledger's dependencies in this environment's
site-packages through a path file, which adds the folder but runs none of the path files in it (so
not the editable install of this checkout). These tests carry the ``wheel`` mark: ``pytest -m 'not
wheel'`` leaves them out.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from claimledger import __version__

from .conftest import REPO

pytestmark = pytest.mark.wheel

SNAPSHOT = (
    "Widget statistics 2024\n"
    "Published by the Ministry of Widgets, March 2025.\n"
    "In 2024 the ministry inspected 1,204 widget factories, 8% more than in 2023.\n"
    "Defects found fell to 3.1 per 100 inspections.\n"
)
# What a release is built from: the files of a clean checkout that the sdist takes.
RELEASED = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "MANIFEST.in", "claimledger")
PIP = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    """Run a command that must succeed; its output."""
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, check=False, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the sdist and the wheel, as ``python -m build`` makes them for a release
    (the wheel is built from the sdist, so a file the sdist leaves out is missing from both)."""
    work = tmp_path_factory.mktemp("release")
    source = work / "src"
    source.mkdir()
    for name in RELEASED:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(REPO / name, source / name)
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "dist", source)
    return work / "dist"


def _only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def _fresh_venv(folder: Path) -> Path:
    """A new virtual environment that sees the test environment's packages (claimledger's
    dependencies) but not this checkout; its ``bin`` folder."""
    _run(sys.executable, "-m", "venv", "--without-pip", folder)
    python = folder / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    (Path(purelib) / "claimledger-test-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return folder / "bin"


@pytest.fixture(scope="module", params=["wheel", "sdist"])
def installed(request: pytest.FixtureRequest, dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh virtual environment with the wheel, or the sdist, installed."""
    archive = _only(dist, "claimledger-*.whl" if request.param == "wheel" else "claimledger-*.tar.gz")
    bin_dir = _fresh_venv(tmp_path_factory.mktemp(f"venv-{request.param}"))
    _run(
        *PIP,
        "--python",
        bin_dir / "python",
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        archive,
    )
    return bin_dir


def claimledger(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(bin_dir / "claimledger"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_build_makes_one_sdist_and_one_wheel_of_this_version(dist: Path) -> None:
    assert sorted(path.name for path in dist.iterdir()) == [
        f"claimledger-{__version__}-py3-none-any.whl",
        f"claimledger-{__version__}.tar.gz",
    ]


def test_twine_check_passes_on_the_sdist_and_the_wheel(dist: Path) -> None:
    output = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert output.count("PASSED") == 2, output


def test_the_wheel_names_the_project_its_licence_addresses_and_command(dist: Path) -> None:
    with zipfile.ZipFile(_only(dist, "*.whl")) as wheel:
        info = f"claimledger-{__version__}.dist-info"
        meta = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        names = set(wheel.namelist())
    assert (meta["Name"], meta["Version"], meta["License-Expression"]) == ("claimledger", __version__, "MIT")
    assert meta["Requires-Python"] == ">=3.10"
    assert {url.split(", ")[0] for url in meta.get_all("Project-URL")} >= {"Repository", "Documentation", "Changelog"}
    assert "claimledger = claimledger.cli:run" in entry_points
    assert f"{info}/licenses/LICENSE" in names
    assert {"claimledger/schema/claimledger.schema.json", "claimledger/data/project/requirements.txt"} <= names


def test_the_sdist_carries_the_licence_changelog_and_readme(dist: Path) -> None:
    with tarfile.open(_only(dist, "*.tar.gz")) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "claimledger/cli.py"} <= names


def test_the_installed_claimledger_is_the_distributions(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(installed / "python"), "-c", "import claimledger; print(claimledger.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(result.stdout.strip()).is_relative_to(installed.parent)
    assert claimledger(installed, tmp_path, "--version").stdout.strip() == f"claimledger {__version__}"


def test_a_new_projects_requirements_resolve_to_the_built_wheel_which_checks_and_builds_it(
    installed: Path, dist: Path, tmp_path: Path
) -> None:
    made = claimledger(installed, tmp_path, "init", "mysite", "--title", "Ministry of Widgets: statistics 2024")
    assert made.returncode == 0, made.stderr
    root = tmp_path / "mysite"
    requirements = root / "requirements.txt"
    assert f"claimledger~={__version__}" in requirements.read_text(encoding="utf-8").splitlines()
    # What the new project's CI does, offline: install claimledger from its requirements, here
    # resolved against the built distributions only (--ignore-installed: the editable install of
    # this checkout, which the new environment can see, does not count as satisfying them).
    site_bin = _fresh_venv(tmp_path / "site-venv")
    _run(*PIP, "--python", site_bin / "python", "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed",
         "--find-links", dist, "-r", requirements)  # fmt: skip
    module = _run(site_bin / "python", "-c", "import claimledger; print(claimledger.__file__)", cwd=tmp_path)
    assert Path(module.strip()).is_relative_to(site_bin.parent)
    checked = claimledger(site_bin, root, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = claimledger(site_bin, root, "build", "--no-progress")
    assert built.returncode == 0, built.stderr
    assert (root / "site" / "index.html").is_file()
    assert (root / "site" / "schema" / "claimledger.schema.json").is_file()


def test_a_site_for_another_report_is_started_filled_and_built_from_the_distribution(
    installed: Path, tmp_path: Path
) -> None:
    made = claimledger(installed, tmp_path, "init", "mysite", "--title", "Ministry of Widgets: statistics 2024")
    assert made.returncode == 0, made.stderr
    root = tmp_path / "mysite"
    steps = [
        ("new", "party", "widgets-ministry", "--name", "Ministry of Widgets", "--kind", "organisation"),
        (
            "new", "source", "widgets-2024-statistics", "--title", "Widget statistics 2024",
            "--kind", "government-report", "--published", "2025-03", "--author", "widgets-ministry",
        ),
    ]  # fmt: skip
    for step in steps:
        result = claimledger(installed, root, *step)
        assert result.returncode == 0, result.stderr
    # The snapshot: a copy of the source's text, saved and recorded by the command, as the guide says.
    saved = tmp_path / "statistics-2024.txt"
    saved.write_text(SNAPSHOT, encoding="utf-8")
    taken = claimledger(installed, root, "snapshot", "widgets-2024-statistics", str(saved), "--retrieved", "2025-04-01")
    assert taken.returncode == 0, taken.stderr
    with (root / "claims" / "sources" / "widgets-2024-statistics.yaml").open("a", encoding="utf-8") as source:
        source.write(
            "full_text: available\n"
            # Where its author and its date come from: the source's own words.
            "basis:\n  author:\n    source: widgets-2024-statistics\n    quote: Published by the Ministry of Widgets\n"
            "  published:\n    source: widgets-2024-statistics\n    quote: March 2025\n"
        )
    claim = claimledger(
        installed, root, "new", "claim", "widgets-2024-factories-inspected",
        "--statement", "The ministry inspected 1,204 widget factories in 2024.",
        "--quote", "the ministry inspected 1,204 widget factories",
        "--claimant", "widgets-ministry", "--source", "widgets-2024-statistics", "--date", "2025-03",
        "--rationale", "Not yet checked against the ministry's other figures.",
    )  # fmt: skip
    assert claim.returncode == 0, claim.stderr
    assert "check already has this to say" not in claim.stdout

    checked = claimledger(installed, root, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors, 0 warnings" in checked.stderr

    built = claimledger(installed, root, "build", "--no-progress")
    assert built.returncode == 0, built.stderr
    page = (root / "site" / "claims" / "widgets-2024-factories-inspected" / "index.html").read_text(encoding="utf-8")
    # A new claim is `unverified`: no review is done yet, so its page carries no ClaimReview until
    # the claim's status is a verdict (see test_site for reviewed claims).
    assert "The ministry inspected 1,204 widget factories in 2024." in page
    assert re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL) == []
    exported = json.loads((root / "site" / "claims.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in exported["claims"]] == ["widgets-2024-factories-inspected"]
    assert "widgets-2024-factories-inspected" in (root / "site" / "claims.csv").read_text(encoding="utf-8")
    assert (root / "site" / "schema" / "claimledger.schema.json").is_file()
    assert "Alibaba" not in page
