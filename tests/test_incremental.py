"""A build into a folder holding an earlier site reuses the pages whose inputs did not change, and the site
it leaves is byte for byte the site a full build of the same inputs writes."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimledger.site.manifest import FORMAT, MANIFEST, Manifest, Recorded, Recorder, recorded_property
from claimledger.tools.synthetic import write_site_project

from .sitebuild import build, build_in_subprocess

CLAIMS = 60  # small, with items linked every way (related claims, rebuttals, several parties and sources)
REUSED = re.compile(r"claimledger: (\d+) of (\d+) generated pages reused")


Tree = dict[str, tuple[str, int, bytes]]


def _tree(folder: Path) -> Tree:
    """Everything under ``folder`` by path: what it is (a folder, a file, a link), its permissions, its bytes."""
    found: Tree = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        kind = "link" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode) else "file"
        shown = path.read_bytes() if kind == "file" else str(path.readlink()).encode() if kind == "link" else b""
        found[path.relative_to(folder).as_posix()] = (kind, stat.S_IMODE(mode), shown)
    return found


def _reused(stderr: str) -> tuple[int, int]:
    found = REUSED.search(stderr)
    assert found, stderr
    return int(found[1]), int(found[2])


Small = tuple[Path, Path, Tree]


@pytest.fixture
def small(tmp_path: Path) -> Small:
    """A project of three claims built once: its folder, its site, and the site's files."""
    project = write_site_project(tmp_path / "project", 3)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    return project, site, _tree(site)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site_project(tmp_path_factory.mktemp("incremental") / "project", CLAIMS)


def _unreferenced_claims(root: Path) -> list[Path]:
    """The claim files no other file names: each can be renamed or deleted and the dataset stays valid."""
    files = sorted((root / "claims" / "claims").glob("*.yaml"))
    texts = {path: path.read_text(encoding="utf-8") for path in (root / "claims").rglob("*.yaml")}
    return [path for path in files if not any(path.stem in text for other, text in texts.items() if other != path)]


def _unreferenced_claim(root: Path) -> Path:
    """A claim file no other file names."""
    found = _unreferenced_claims(root)
    assert found, "every synthetic claim is named by another file"
    return found[0]


def _edit_rationale(root: Path) -> None:
    path = root / "claims" / "claims" / "claim-00001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^rationale: .*$", "rationale: A rationale edited since.", text), encoding="utf-8")


def _add_claim(root: Path) -> None:
    folder = root / "claims" / "claims"
    shutil.copyfile(folder / "claim-00002.yaml", folder / "claim-00900.yaml")


def _rename_claim(root: Path) -> None:
    path = _unreferenced_claim(root)
    path.rename(path.with_name("claim-00901.yaml"))


def _rename_relating_claim(root: Path) -> None:
    """A claim that names related claims, renamed as it is: their pages link back to it by its new name."""
    texts = {path: path.read_text(encoding="utf-8") for path in _unreferenced_claims(root)}
    path = [p for p, text in texts.items() if "\nrelated: [" in text and p.stem not in text][-1]
    path.rename(path.with_name("claim-00902.yaml"))


def _delete_claim(root: Path) -> None:
    _unreferenced_claim(root).unlink()


def _edit_source_title(root: Path) -> None:
    path = root / "claims" / "sources" / "source-00001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", "title: A source retitled since", text, count=1), encoding="utf-8")


def _rename_party(root: Path) -> None:
    """Its name is in the title and description of each claim it made (the pages' heads), and in their bodies."""
    path = root / "claims" / "parties" / "party-00001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^name: .*$", "name: A party renamed since", text, count=1), encoding="utf-8")


def _add_theme_override(root: Path) -> None:
    (root / "overrides" / "partials").mkdir(parents=True)
    (root / "overrides" / "partials" / "copyright.html").write_text("<p>Version one</p>\n", encoding="utf-8")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("theme:\n", "theme:\n  custom_dir: overrides\n", 1)
    allowed = "  - claimledger:\n      allow:\n        custom_dir: [overrides]\n"  # the site policy asks for it
    config.write_text(re.sub(r"(?m)^  - claimledger\n", allowed, text, count=1), encoding="utf-8")


def _edit_theme_override(root: Path) -> None:
    (root / "overrides" / "partials" / "copyright.html").write_text("<p>Version two</p>\n", encoding="utf-8")


def _rename_site(root: Path) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^site_name: .*$", "site_name: Renamed claims", text, count=1), encoding="utf-8")


CHANGES: list[tuple[str, Callable[[Path], None]]] = [
    ("a claim's rationale edited", _edit_rationale),
    ("a claim added", _add_claim),
    ("a claim naming related claims renamed", _rename_relating_claim),
    ("a claim renamed", _rename_claim),
    ("a claim deleted", _delete_claim),
    ("a source retitled", _edit_source_title),
    ("a party renamed", _rename_party),
    ("a theme override added", _add_theme_override),
    ("a theme override edited", _edit_theme_override),
    ("the site renamed", _rename_site),
]


def test_each_rebuild_after_a_change_equals_a_full_build_of_the_same_inputs(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = build(project, site)
    assert first.returncode == 0, first.stderr
    again = build(project, site)
    reused, pages = _reused(again.stderr)
    assert reused == pages > CLAIMS  # nothing changed: every generated page is reused
    for number, (change, apply) in enumerate(CHANGES):
        apply(project)
        rebuilt = build(project, site)
        assert rebuilt.returncode == 0, f"{change}: {rebuilt.stderr}"
        full = build(project, tmp_path / f"full-{number}", "--full")
        assert full.returncode == 0, f"{change}: {full.stderr}"
        assert _tree(site) == _tree(tmp_path / f"full-{number}"), change
        shutil.rmtree(tmp_path / f"full-{number}")


def test_an_edit_to_one_claim_rerenders_its_page_and_the_lists_not_the_rest(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    _edit_rationale(project)
    rebuilt = build(project, site)
    reused, pages = _reused(rebuilt.stderr)
    assert pages - reused < pages / 2, rebuilt.stderr
    manifest = Manifest.read(site)
    assert manifest is not None
    assert "claims/claim-00001.md" in manifest.outputs and "claims/claim-00001/claim.json" in manifest.outputs


def test_a_rebuild_takes_the_engine_only_through_the_pages_it_renders_again(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    _edit_rationale(project)
    rebuilt = build(project, site, env={"CLAIMLEDGER_PROGRESS": "1"})
    assert rebuilt.returncode == 0, rebuilt.stderr
    reused, pages = _reused(rebuilt.stderr)
    handwritten = len(list((project / "docs").rglob("*.md")))
    written = re.findall(r"claimledger: (\d+)/(\d+) pages written", rebuilt.stderr)
    assert written[-1] == (str(pages - reused + handwritten + 1),) * 2  # the contributor guide too
    assert "dirty" not in rebuilt.stderr


def test_full_reuses_nothing(small: Small) -> None:
    project, site, _ = small
    folder = site.stat().st_ino
    rebuilt = build(project, site, "--full")
    assert rebuilt.returncode == 0
    assert REUSED.search(rebuilt.stderr) is None
    assert site.stat().st_ino != folder  # a new site swapped in whole


ZERO = "0" * 32  # a digest, as a manifest writes it


@pytest.mark.parametrize(
    "manifest",
    [
        "",
        "{not json",
        f'{{"format": {FORMAT}, "key": 3, "reads": 4, "outputs": 5}}',
        f'{{"format": {FORMAT}, "key": "k", "reads": 1, "outputs": 1}}\n["claims"]\n["a", "m", [7]]\n',
        f'{{"format": {FORMAT}, "key": "k", "reads": 1, "outputs": 1}}\n["claims", null, "{ZERO}"]\n["a", "m", [7]]\n',
        f'{{"format": {FORMAT}, "key": "k", "reads": 2, "outputs": 0}}\n["claims", null, "{ZERO}"]\n',
        f'{{"format": {FORMAT}, "key": "k", "reads": 0, "outputs": 0}}\n["a", "m", []]\n',
        f'{{"format": {FORMAT}, "key": "k", "reads": 1, "outputs": 0}}\n["claims", null, "not hex"]\n',
        '{"format": 2, "key": "k", "reads": [], "outputs": {}}',
        '{"format": 99}',
        "[]",
        "[" * 200_000,
        f'{{"format": {FORMAT}, "key": "k", "reads": 1, "outputs": 1}}\n["claims", null, "{ZERO}"]\n["a", "ab", [0]]\n',
    ],
    ids=[
        "empty",
        "not-json",
        "wrong-types",
        "short-rows",
        "row-out-of-range",
        "fewer-lines",
        "more-lines",
        "not-a-digest",
        "older-format",
        "other-format",
        "a-list",
        "nested-deeper-than-python-reads",
        "a-meta-digest-too-short",
    ],
)
def test_a_damaged_manifest_means_a_full_build_not_a_failure(small: Small, manifest: str) -> None:
    project, site, expected = small
    (site / MANIFEST).write_text(manifest, encoding="utf-8")
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] == 0
    assert _tree(site) == expected


def _drop_last_line(text: str) -> str:
    return text[: text.rstrip("\n").rindex("\n") + 1]


def _out_of_range_row(text: str) -> str:
    return re.sub(r"(\d)\]\]\n\Z", r"\1,99999999]]\n", text)


@pytest.mark.parametrize(
    "damage",
    [_drop_last_line, lambda text: text + "[]\n", _out_of_range_row, lambda text: text.replace("]\n", "}\n", 1)],
    ids=["a-line-short", "a-line-more", "a-row-out-of-range", "not-json"],
)
def test_a_manifest_of_this_build_damaged_after_its_header_means_a_full_build(
    small: Small, damage: Callable[[str], str]
) -> None:
    project, site, expected = small
    stored = (site / MANIFEST).read_text(encoding="utf-8")
    assert damage(stored) != stored
    (site / MANIFEST).write_text(damage(stored), encoding="utf-8")
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] == 0
    assert _tree(site) == expected


def test_a_manifest_whose_output_has_a_short_meta_digest_means_a_full_build(small: Small) -> None:
    project, site, expected = small
    stored = (site / MANIFEST).read_text(encoding="utf-8")
    output = '["claims/claim-00001/claim.json",'
    damaged = re.sub(rf'(?m)^{re.escape(output)}"[0-9a-f]+"', output + '"ab"', stored)
    assert damaged != stored
    (site / MANIFEST).write_text(damaged, encoding="utf-8")
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] == 0
    assert _tree(site) == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_previous_search_index_that_is_no_file_means_a_full_build_not_a_wait(small: Small) -> None:
    project, site, expected = small
    index = site / "search" / "search_index.json"
    index.unlink()
    os.mkfifo(index)  # reading it would wait for a writer that never comes
    rebuilt = build_in_subprocess(project, site, timeout=300)  # a guard against a hang, not a measure of time
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] == 0
    assert _tree(site) == expected


PAGES_HOOK = """\
import os

seen = []


def on_pre_build(config):
    seen.clear()


def on_page_context(context, page, config, nav):
    seen.append(page.url)
    return context


def on_post_build(config):
    with open(os.path.join(config.site_dir, "pages.txt"), "w") as listing:
        listing.write("\\n".join(sorted(seen)) + "\\n")
"""


def test_a_rebuild_of_a_site_whose_hook_reads_every_page_equals_a_full_build(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    (project / "hooks").mkdir()
    (project / "hooks" / "pages.py").write_text(PAGES_HOOK, encoding="utf-8")
    config = project / "mkdocs.yml"
    allowed = "  - claimledger:\n      allow:\n        hooks: [hooks/pages.py]\n"
    text = re.sub(r"(?m)^  - claimledger\n", allowed, config.read_text(encoding="utf-8"), count=1)
    config.write_text(text + "hooks:\n  - hooks/pages.py\n", encoding="utf-8")
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    _edit_rationale(project)
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] > 0
    assert build(project, tmp_path / "full", "--full").returncode == 0
    assert _tree(site) == _tree(tmp_path / "full")
    assert (site / "pages.txt").read_text(encoding="utf-8").count("claims/") > CLAIMS


def test_a_page_the_manifest_lists_but_the_previous_site_lost_is_rendered_again(small: Small) -> None:
    project, site, expected = small
    (site / "claims" / "claim-00001" / "index.html").unlink()
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _tree(site) == expected


def test_a_failed_rebuild_leaves_the_previous_site_and_its_pages_untouched(small: Small) -> None:
    project, site, expected = small
    (project / "docs" / "index.md").write_text("# Home\n\n[a page that is not there](missing.md)\n", encoding="utf-8")
    failed = build(project, site)
    assert failed.returncode == 1
    assert _tree(site) == expected


def test_a_rebuild_updates_the_site_in_place_and_removes_a_deleted_claims_folder(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    site, full = tmp_path / "site", tmp_path / "full"
    assert build(project, site).returncode == 0
    folder = site.stat().st_ino
    deleted = _unreferenced_claim(project)
    deleted.unlink()
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] > 0
    assert site.stat().st_ino == folder  # the same folder, updated: no new one swapped in
    assert not (site / "claims" / deleted.stem).exists()
    assert build(project, full, "--full").returncode == 0
    assert _tree(site) == _tree(full)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_previous_site_holding_a_symbolic_link_is_replaced_whole_not_updated_in_place(small: Small) -> None:
    project, site, expected = small
    outside = site.parent / "outside.txt"
    outside.write_text("not this site's file", encoding="utf-8")
    (site / "claims" / "elsewhere.txt").symlink_to(outside)
    folder = site.stat().st_ino
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] > 0
    assert site.stat().st_ino != folder
    assert _tree(site) == expected
    assert outside.read_text(encoding="utf-8") == "not this site's file"


def test_a_commit_cut_short_leaves_a_site_the_next_build_replaces_whole(
    small: Small, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, site, _ = small
    _edit_rationale(project)
    replace, moved = os.replace, []

    def fails_after_three_files(source: Any, target: Any, **options: Any) -> None:
        if ".site.new-" in os.fspath(source):  # a file the build made, moved into the site
            if len(moved) == 3:
                raise OSError(errno.EIO, "Input/output error", os.fspath(target))
            moved.append(source)
        replace(source, target, **options)

    monkeypatch.setattr(os, "replace", fails_after_three_files)
    cut_short = build(project, site)
    monkeypatch.undo()
    assert cut_short.returncode == 1
    assert "updated only in part" in cut_short.stderr
    assert not (site / MANIFEST).exists()
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert REUSED.search(rebuilt.stderr) is None  # nothing reused from a site in an unknown state
    assert build(project, tmp_path / "full", "--full").returncode == 0
    assert _tree(site) == _tree(tmp_path / "full")


def test_a_site_whose_new_folders_cannot_be_made_in_place_is_replaced_whole(
    small: Small, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, site, _ = small
    _add_claim(project)
    mkdir = Path.mkdir

    def refused_in_the_site(folder: Path, *args: Any, **options: Any) -> None:
        if site in folder.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        mkdir(folder, *args, **options)

    monkeypatch.setattr(Path, "mkdir", refused_in_the_site)
    rebuilt = build(project, site)
    monkeypatch.undo()
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert build(project, tmp_path / "full", "--full").returncode == 0
    assert _tree(site) == _tree(tmp_path / "full")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_site_with_two_names_that_differ_only_in_case_is_replaced_whole(small: Small, tmp_path: Path) -> None:
    project, site, _ = small
    _edit_rationale(project)
    (site / "README.TXT").write_text("a file some file systems take for readme.txt\n", encoding="utf-8")
    (site / "readme.txt").write_text("a file some file systems take for README.TXT\n", encoding="utf-8")
    inode = site.stat().st_ino
    assert build(project, site).returncode == 0
    assert site.stat().st_ino != inode  # a new folder put in its place, not the old one updated
    assert build(project, tmp_path / "full", "--full").returncode == 0
    assert _tree(site) == _tree(tmp_path / "full")


def test_a_properdocs_rebuild_reuses_pages_and_equals_a_full_build(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", CLAIMS)
    site, full = tmp_path / "site", tmp_path / "full"
    assert build_in_subprocess(project, site, "--engine", "properdocs").returncode == 0
    _edit_rationale(project)
    folder = site.stat().st_ino
    rebuilt = build_in_subprocess(project, site, "--engine", "properdocs")
    assert rebuilt.returncode == 0, rebuilt.stderr
    reused, pages = _reused(rebuilt.stderr)
    assert 0 < reused < pages
    assert site.stat().st_ino == folder  # updated in place, the plugin in ProperDocs' process reporting its reuse
    assert build_in_subprocess(project, full, "--engine", "properdocs", "--full").returncode == 0
    assert _tree(site) == _tree(full)


def test_under_mkdocs_serve_dirty_an_edit_rewrites_only_the_pages_it_changes(tmp_path: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    project = write_site_project(tmp_path / "project", CLAIMS)
    served = tmp_path / "served"

    def config() -> Any:  # as mkdocs serve loads it for each rebuild; the plugin stays the same
        return load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(served))

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    try:
        mkdocs_build(first, dirty=True)
        before = {page: page.stat().st_mtime_ns for page in served.glob("claims/*/index.html")}
        _edit_rationale(project)
        mkdocs_build(config(), dirty=True)
    finally:
        first.plugins.on_startup(command="build", dirty=False)
    rewritten = {page for page, written in before.items() if page.stat().st_mtime_ns != written}
    edited = served / "claims" / "claim-00001" / "index.html"
    assert edited in rewritten
    assert "A rationale edited since." in edited.read_text(encoding="utf-8")
    assert 0 < len(rewritten) < len(before) / 2


def test_a_page_of_the_previous_site_that_links_out_of_it_is_not_reused(small: Small) -> None:
    project, site, expected = small
    outside = site.parent / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("not this site's page", encoding="utf-8")
    page = site / "claims" / "claim-00001"
    shutil.rmtree(page)
    page.symlink_to(outside, target_is_directory=True)
    rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _tree(site) == expected
    assert (outside / "index.html").read_text(encoding="utf-8") == "not this site's page"


def test_a_lookup_is_noted_by_its_key_and_a_walk_as_the_whole_mapping() -> None:
    recorder = Recorder()
    items = Recorded({"a": 1, "b": 2}, "claims", recorder)
    with recorder.reading() as reads:
        assert items["a"] == 1 and items.get("c") is None and "b" in items
    assert reads == {("claims", "a"), ("claims", "c"), ("claims", "b")}
    with recorder.reading() as reads:
        assert sorted(items.values()) == [1, 2]
    assert reads == {("claims", None)}
    assert items["a"] == 1  # outside any output: nothing is noted, nothing fails


def test_what_a_cached_computation_read_counts_for_every_output_that_uses_it() -> None:
    class Owner:
        def __init__(self, recorder: Recorder) -> None:
            self.recorder = recorder
            self.items = Recorded({"a": 1, "b": 2}, "claims", recorder)

        @recorded_property
        def total(self) -> int:
            return sum(self.items.values())

    recorder = Recorder()
    owner = Owner(recorder)
    with recorder.reading() as first:
        assert owner.total == 3
    with recorder.reading() as second:
        assert owner.total == 3
    assert first == second == {("claims", None)}


def test_a_site_built_by_one_engine_lends_no_page_to_another(small: Small) -> None:
    project, site, _ = small
    rebuilt = build_in_subprocess(project, site, "--engine", "properdocs")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _reused(rebuilt.stderr)[0] == 0


def test_a_rebuild_works_out_the_fingerprint_of_the_edited_claim_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimledger.record import visible

    project = write_site_project(tmp_path / "project", CLAIMS)
    site, alone = tmp_path / "site", {"CLAIMLEDGER_JOBS": "1"}  # every fingerprint worked out in this process
    assert build(project, site, env=alone).returncode == 0
    reviewed = next(
        path
        for path in sorted((project / "claims" / "claims").glob("*.yaml"))
        if "fingerprint:" in path.read_text(encoding="utf-8")
    )
    reviewed.write_text(
        reviewed.read_text(encoding="utf-8").replace("says a figure", "said a figure"), encoding="utf-8"
    )
    worked_out: list[str] = []
    real = visible.fingerprint
    monkeypatch.setattr(visible, "fingerprint", lambda claim: worked_out.append(claim.id) or real(claim))
    assert build(project, site, env=alone).returncode == 0
    assert worked_out == [reviewed.stem]  # the others' kept, by the bytes of their files, since the first build
