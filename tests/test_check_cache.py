"""An unchanged item's own findings come from the cache; a check with the cache finds exactly what one without finds.

Each test fills the cache with a first check, changes the project (or the cache), and compares a check with the
cache (warm) with one without it (cold): the same findings, in the same order.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest

from claimledger import checks
from claimledger.checks import own
from claimledger.checks.project import check_project
from claimledger.findings import Finding, warning
from claimledger.record.cache import ItemCache
from claimledger.record.loader import load
from claimledger.settings import Settings
from claimledger.tools.synthetic import write_project

from .test_checks import edit

TODAY = dt.date(2022, 1, 1)
DEFECTS = "claims/claims/widget-defects-fell.yaml"
REPORT_EXISTS = "claims/claims/widget-report-exists.yaml"
CITES_REPORT = "rationale: A reader disputes the figure and [[claim:widget-report-exists]] is unpublished."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The cache folder of one test."""
    return tmp_path / "cache"


def _check(root: Path, folder: Path | None, today: dt.date = TODAY) -> list[Finding]:
    settings = Settings(cache_dir=folder) if folder is not None else Settings()
    return check_project(root, today=today, settings=settings)[1]


def _warm_as_cold(root: Path, folder: Path, today: dt.date = TODAY) -> list[Finding]:
    """The findings of a check with the cache, after asserting that they are those of a check without it."""
    warm = _check(root, folder, today)
    assert warm == _check(root, None, today)
    return warm


def _cache_file(root: Path, folder: Path) -> Path:
    return ItemCache(root.resolve(), folder, suffix=own.SUFFIX).path


def _rules(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.path, f.rule) for f in findings}


def test_an_edited_item_is_checked_afresh(minimal_project: Path, folder: Path) -> None:
    assert _check(minimal_project, folder) == _check(minimal_project, None)
    edit(minimal_project, DEFECTS, "rationale: A reader", "rationale: <b>A</b> reader")
    assert (DEFECTS, "markdown-html") in _rules(_warm_as_cold(minimal_project, folder))


def test_only_the_edited_item_is_read_again(
    minimal_project: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    real = own.read_item

    def counting(item: object, project: object, item_checks: object) -> own.ItemFindings:
        read.append(item.document.path)  # type: ignore[attr-defined]
        return real(item, project, item_checks)  # type: ignore[arg-type]

    monkeypatch.setattr(own, "read_item", counting)
    _check(minimal_project, folder)
    assert DEFECTS in read and REPORT_EXISTS in read
    read.clear()
    edit(minimal_project, DEFECTS, "rationale: A reader", "rationale: Again, a reader")
    _check(minimal_project, folder)
    assert read == [DEFECTS]


def test_an_items_findings_come_from_the_cache_while_its_file_is_unchanged(minimal_project: Path, folder: Path) -> None:
    _check(minimal_project, folder)
    path = _cache_file(minimal_project, folder)
    planted = warning(REPORT_EXISTS, (1, 1), "planted", "", "kept in the cache")
    _rewrite_entries(
        path, lambda entries: {**entries, REPORT_EXISTS: (entries[REPORT_EXISTS][0], own.ItemFindings((planted,), ()))}
    )
    assert planted in _check(minimal_project, folder)
    edit(minimal_project, REPORT_EXISTS, "rationale: An", "rationale: Now an")
    assert planted not in _warm_as_cold(minimal_project, folder)


def test_an_added_item_is_checked(minimal_project: Path, folder: Path) -> None:
    _check(minimal_project, folder)
    added = "claims/claims/widget-defects-again.yaml"
    shutil.copyfile(minimal_project / DEFECTS, minimal_project / added)
    edit(minimal_project, added, "rationale: A reader", "rationale: See [a reader](javascript:alert(1))")
    assert (added, "markdown-link") in _rules(_warm_as_cold(minimal_project, folder))


def test_a_citation_of_a_deleted_item_is_reported_in_the_unchanged_item_that_cites_it(
    minimal_project: Path, folder: Path
) -> None:
    edit(
        minimal_project, DEFECTS, "rationale: A reader disputes the figure and the report is unpublished.", CITES_REPORT
    )
    assert (DEFECTS, "ref-claim") not in _rules(_check(minimal_project, folder))
    (minimal_project / REPORT_EXISTS).unlink()
    found = _warm_as_cold(minimal_project, folder)
    assert any(f.path == DEFECTS and "[[claim:widget-report-exists]]" in f.message for f in found)


def test_a_citation_of_a_renamed_item_is_reported_and_the_renamed_item_checked(
    minimal_project: Path, folder: Path
) -> None:
    edit(
        minimal_project, DEFECTS, "rationale: A reader disputes the figure and the report is unpublished.", CITES_REPORT
    )
    edit(minimal_project, REPORT_EXISTS, "rationale: An", "rationale: <i>An</i>")
    _check(minimal_project, folder)
    renamed = "claims/claims/widget-report-published.yaml"
    (minimal_project / REPORT_EXISTS).rename(minimal_project / renamed)
    found = _rules(_warm_as_cold(minimal_project, folder))
    assert (DEFECTS, "ref-claim") in found and (renamed, "markdown-html") in found
    assert not any(path == REPORT_EXISTS for path, _ in found)


def test_a_change_to_the_status_scale_is_seen_in_every_unchanged_claim(minimal_project: Path, folder: Path) -> None:
    assert (DEFECTS, "review-reviewers") not in _rules(_check(minimal_project, folder))
    edit(
        minimal_project,
        "claims/statuses.yaml",
        "evidence: disputing-rebuttal\n",
        "evidence: disputing-rebuttal\n    reviewers: 2\n",
    )
    assert (DEFECTS, "review-reviewers") in _rules(_warm_as_cold(minimal_project, folder))


def test_a_change_to_the_publishers_editors_is_seen_in_every_unchanged_claim(
    minimal_project: Path, folder: Path
) -> None:
    _check(minimal_project, folder)
    edit(minimal_project, "claims/publisher.yaml", "  - id: ana\n    name: Ana Example\n", "")
    assert (DEFECTS, "review-editor") in _rules(_warm_as_cold(minimal_project, folder))
    (minimal_project / "claims/publisher.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    assert (DEFECTS, "review-editor") not in _rules(_warm_as_cold(minimal_project, folder))


def test_a_date_in_the_future_is_judged_on_the_day_of_each_check(minimal_project: Path, folder: Path) -> None:
    edit(minimal_project, DEFECTS, "date: 2021-01-15", "date: 2023-01-15")
    assert (DEFECTS, "date-future") in _rules(_warm_as_cold(minimal_project, folder))
    assert (DEFECTS, "date-future") not in _rules(_warm_as_cold(minimal_project, folder, dt.date(2024, 1, 1)))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: b"not a pickle at all", id="garbage"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="cut-short"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: pickle.dumps({"code": "another version", "parts": 0}), id="another-version"),
        pytest.param(lambda raw: pickle.dumps(["a", "list"]), id="another-shape"),
    ],
)
def test_a_damaged_or_foreign_cache_file_is_ignored(minimal_project: Path, folder: Path, damage: object) -> None:
    edit(minimal_project, DEFECTS, "rationale: A reader", "rationale: <b>A</b> reader")
    first = _check(minimal_project, folder)
    path = _cache_file(minimal_project, folder)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert _warm_as_cold(minimal_project, folder) == first


def test_the_item_caches_file_in_place_of_the_findings_file_is_ignored(minimal_project: Path, folder: Path) -> None:
    first = _check(minimal_project, folder)
    shutil.copyfile(ItemCache(minimal_project.resolve(), folder).path, _cache_file(minimal_project, folder))
    assert _warm_as_cold(minimal_project, folder) == first


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(lambda key: "not an entry", id="not-an-entry"),
        pytest.param(lambda key: (key, "not findings"), id="not-findings"),
        pytest.param(lambda key: (key, own.ItemFindings(("not a finding",), ())), id="not-a-finding"),  # type: ignore[arg-type]
        pytest.param(lambda key: (key, own.ItemFindings((), [])), id="a-list"),  # type: ignore[arg-type]
    ],
)
def test_an_entry_of_another_shape_is_not_used(minimal_project: Path, folder: Path, entry: object) -> None:
    edit(minimal_project, DEFECTS, "rationale: A reader", "rationale: <b>A</b> reader")
    first = _check(minimal_project, folder)
    path = _cache_file(minimal_project, folder)
    _rewrite_entries(path, lambda entries: {**entries, DEFECTS: entry(entries[DEFECTS][0])})  # type: ignore[operator]
    assert _warm_as_cold(minimal_project, folder) == first


def test_a_cache_file_others_may_write_is_not_read(minimal_project: Path, folder: Path) -> None:
    _check(minimal_project, folder)
    path = _cache_file(minimal_project, folder)
    planted = warning(REPORT_EXISTS, (1, 1), "planted", "", "written by someone else")
    _rewrite_entries(
        path, lambda entries: {**entries, REPORT_EXISTS: (entries[REPORT_EXISTS][0], own.ItemFindings((planted,), ()))}
    )
    path.chmod(0o666)
    assert planted not in _warm_as_cold(minimal_project, folder)


def test_a_cache_folder_that_cannot_be_written_changes_nothing(minimal_project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    edit(minimal_project, DEFECTS, "rationale: A reader", "rationale: <b>A</b> reader")
    assert _warm_as_cold(minimal_project, blocker / "cache") == _warm_as_cold(minimal_project, blocker / "cache")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_check_without_the_item_cache_keeps_no_findings(minimal_project: Path, folder: Path) -> None:
    check_project(minimal_project, today=TODAY, settings=Settings(cache_dir=folder, item_cache=False))
    assert not _cache_file(minimal_project, folder).exists()
    check_project(minimal_project, today=TODAY, settings=Settings(cache_dir=folder))
    assert _cache_file(minimal_project, folder).exists()


def test_a_check_that_changes_nothing_leaves_the_findings_file_as_it_is(minimal_project: Path, folder: Path) -> None:
    _check(minimal_project, folder)
    path = _cache_file(minimal_project, folder)
    os.utime(path, ns=(0, 0))
    _check(minimal_project, folder)
    assert path.stat().st_mtime_ns == 0


def test_run_checks_lists_the_same_findings_in_the_same_order_warm_and_cold(
    minimal_project: Path, folder: Path
) -> None:
    edit(
        minimal_project,
        DEFECTS,
        "rationale: A reader disputes the figure and the report is unpublished.",
        CITES_REPORT.replace("widget-report-exists", "nowhere"),
    )
    edit(minimal_project, REPORT_EXISTS, "rationale: An", "rationale: <i>An</i>")
    edit(minimal_project, "claims/publisher.yaml", "  - id: ana\n    name: Ana Example\n", "")
    dataset, _ = load(minimal_project)
    cold = checks.run_checks(dataset, TODAY)
    assert len(_rules(cold)) >= 3
    for _ in range(2):  # filled, then read
        assert checks.run_checks(dataset, TODAY, root=minimal_project, cache_dir=folder) == cold


def test_items_checked_in_two_processes_are_kept_as_those_checked_in_one(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "project", 700)
    claim = root / "claims" / "claims" / "claim-00007.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("rationale: ", "rationale: <b>bold</b> "))
    dataset, _ = load(root)
    alone = checks.run_checks(dataset, TODAY, 1)
    monkeypatch.setattr(checks, "PARALLEL_FROM_CLAIMS", 1)
    assert checks.run_checks(dataset, TODAY, 2, root=root, cache_dir=folder) == alone
    assert checks.run_checks(dataset, TODAY, 2, root=root, cache_dir=folder) == alone
    assert ("claims/claims/claim-00007.yaml", "markdown-html") in _rules(alone)


def _rewrite_entries(path: Path, change: object) -> None:
    """Rewrite the cache file at ``path`` with its entries changed by ``change`` (keeping its mode)."""
    with path.open("rb") as handle:
        header = pickle.load(handle)
        entries: dict[str, object] = {}
        for _ in range(header["parts"]):
            entries.update(pickle.load(handle))
    entries = change(entries)  # type: ignore[operator]
    with path.open("wb") as handle:
        pickle.dump({**header, "parts": 1}, handle)
        pickle.dump(entries, handle)
