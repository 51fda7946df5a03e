"""Edit links: a claim already on the edit branch opens the editor; one not merged yet shows the
folder it will be in (its editor page would be a 404)."""

from __future__ import annotations

from pathlib import Path

from .gitrepo import git, init
from .sitebuild import build

REPOSITORY = "https://github.com/example/widget-claims"


def test_a_claim_not_yet_on_main_links_to_its_folder_and_a_merged_one_to_its_editor(
    minimal_project: Path, tmp_path: Path
) -> None:
    init(minimal_project)
    git(minimal_project, "checkout", "-q", "-b", "feature")
    claims = minimal_project / "claims/claims"
    text = (claims / "widget-report-exists.yaml").read_text(encoding="utf-8")
    (claims / "widget-report-restated.yaml").write_text(text, encoding="utf-8")
    git(minimal_project, "add", "-A")
    git(minimal_project, "commit", "-q", "-m", "A claim on a branch")

    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0

    new = (site / "claims/widget-report-restated/index.html").read_text(encoding="utf-8")
    assert f'href="{REPOSITORY}/tree/main/claims/claims/"' in new
    assert f"{REPOSITORY}/edit/main/claims/claims/widget-report-restated.yaml" not in new
    merged = (site / "claims/widget-report-exists/index.html").read_text(encoding="utf-8")
    assert f'href="{REPOSITORY}/edit/main/claims/claims/widget-report-exists.yaml"' in merged


def test_without_the_edit_branch_every_link_opens_the_editor(minimal_project: Path, tmp_path: Path) -> None:
    init(minimal_project)
    git(minimal_project, "branch", "-m", "main", "trunk")  # no branch named main: nothing to compare with
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    html = (site / "claims/widget-report-exists/index.html").read_text(encoding="utf-8")
    assert f'href="{REPOSITORY}/edit/main/claims/claims/widget-report-exists.yaml"' in html


class _Server:
    """What mkdocs serve's live-reload server is told to watch."""

    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_rebuilds_after_a_commit(minimal_project: Path) -> None:
    from claimledger.engines.mkdocs.plugin import ClaimledgerPlugin

    init(minimal_project)
    plugin = ClaimledgerPlugin()
    plugin.root = minimal_project.resolve()
    server = _Server()
    plugin.on_serve(server, None, None)  # type: ignore[arg-type]
    git_dir = minimal_project.resolve() / ".git"
    # A commit writes no file under claims/, but always moves git's record of HEAD.
    assert str(git_dir / "logs" / "HEAD") in server.watched
    assert str(minimal_project.resolve() / "claims") in server.watched
