"""The installed package stands alone: a wheel built from this repository, installed into a fresh
virtual environment, starts a claims site for another report with ``claimledger init``, adds a party,
a source with a snapshot and a claim with ``claimledger new``, and builds it, with nothing read from
this repository.

Offline: the wheel is built without build isolation (setuptools comes with the test tools), and the
fresh environment sees claimledger's dependencies in this environment's site-packages through a path
file, which adds the folder but runs none of the path files in it (so not the editable install of
this checkout). These tests carry the ``wheel`` mark: ``pytest -m 'not wheel'`` leaves them out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.wheel

SNAPSHOT = (
    "Widget statistics 2024\n"
    "Published by the Ministry of Widgets, March 2025.\n"
    "In 2024 the ministry inspected 1,204 widget factories, 8% more than in 2023.\n"
    "Defects found fell to 3.1 per 100 inspections.\n"
)


def _run(*args: str | Path) -> str:
    """Run a command that must succeed; its output."""
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh virtual environment with the wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, source / name)
    shutil.copytree(REPO / "claimledger", source / "claimledger", ignore=shutil.ignore_patterns("__pycache__"))
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")
    _run(*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", work / "dist", source)
    (wheel,) = (work / "dist").glob("claimledger-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    (Path(purelib) / "claimledger-test-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return venv / "bin"


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


def test_the_installed_claimledger_is_the_wheels(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(installed / "python"), "-c", "import claimledger; print(claimledger.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(result.stdout.strip()).is_relative_to(installed.parent)


def test_a_site_for_another_report_is_started_filled_and_built_from_the_wheel(installed: Path, tmp_path: Path) -> None:
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
    # The snapshot: a copy of the source's text, recorded with its SHA-256 by hand, as the guide says.
    (root / "claims" / "snapshots" / "widgets-2024-statistics.txt").write_text(SNAPSHOT, encoding="utf-8")
    digest = hashlib.sha256(SNAPSHOT.encode("utf-8")).hexdigest()
    with (root / "claims" / "sources" / "widgets-2024-statistics.yaml").open("a", encoding="utf-8") as source:
        source.write(
            "full_text: available\nsnapshot:\n  file: snapshots/widgets-2024-statistics.txt\n"
            f"  sha256: {digest}\n  retrieved: 2025-04-01\n  third_party: true\n"
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
