"""A newcomer adds a claim to a fresh copy of the repository, as CONTRIBUTING.md describes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import REPO
from .sitebuild import build

PROJECT_FILES = ("claims", "docs", "mkdocs.yml", "CONTRIBUTING.md")


def claimledger(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimledger", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_a_newcomer_scaffolds_a_claim_sees_the_mistake_fixes_it_and_builds(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)

    # 1. Scaffold a claim, with a deliberate mistake: the source id does not exist.
    made = claimledger(
        root,
        "new",
        "claim",
        "alibaba-2017-stores-closed-restated",
        "--statement",
        "Alibaba closed 240,000 Taobao stores in 2017.",
        "--quote",
        "240,000 Taobao stores on suspicion of selling fake goods were spotted and closed",
        "--claimant",
        "alibaba-group",
        "--source",
        "ipkat-2018-01-12-alibaba-2017-report",
        "--locator",
        "Section 2",
        "--date",
        "2018-01-10",
    )
    assert made.returncode == 0, made.stderr
    path = "claims/claims/alibaba-2017-stores-closed-restated.yaml"
    assert f"Wrote {path}" in made.stdout
    assert "Next steps:" in made.stdout
    written = (root / path).read_text(encoding="utf-8")
    # The site's address comes from the environment at build time only: no address is made up.
    assert written.startswith("# yaml-language-server: $schema=") and "example.org" not in written

    # 2. The check names the file, the line and the field, with a hint.
    checked = claimledger(root, "check")
    assert checked.returncode == 1
    assert f"{path}:6:1: error: unknown source 'ipkat-2018-01-12-alibaba-2017-report' [ref-source]" in checked.stdout
    assert "    field: first_appearance" in checked.stdout
    assert "hint: did you mean 'ipkat-2018-01-12-alibaba-2017-ip-report'?" in checked.stdout
    assert f"{path}:15:1: error: 'rationale' is still a placeholder" in checked.stdout

    # 3. The same finding as a GitHub annotation on the changed line.
    annotated = claimledger(root, "check", "--format", "github")
    assert annotated.returncode == 1
    assert f"::error file={path},line=6,col=1,title=ref-source::unknown source" in annotated.stdout

    # 4. After the fix the dataset is clean and the site has the new claim's page.
    (root / path).write_text(
        written.replace("ipkat-2018-01-12-alibaba-2017-report", "ipkat-2018-01-12-alibaba-2017-ip-report").replace(
            "TODO: why this status, in one sentence", "Not yet checked against other evidence."
        ),
        encoding="utf-8",
    )
    assert claimledger(root, "check").returncode == 0
    site = tmp_path / "site"
    built = build(root, site)
    assert built.returncode == 0, built.stderr
    page = (site / "claims" / "alibaba-2017-stores-closed-restated" / "index.html").read_text(encoding="utf-8")
    assert "Alibaba closed 240,000 Taobao stores in 2017." in page
    assert (site / "contributing" / "index.html").is_file()
