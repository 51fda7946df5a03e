"""The item cache makes a second check quick without ever changing what it reports."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import jinja2
import pytest

from claimledger.checks.project import check_project
from claimledger.record import cache as cache_module
from claimledger.record.cache import ItemCache, template_cache
from claimledger.record.loader import load
from claimledger.settings import Settings, from_environment

CLAIM = "claims/claims/widget-defects-fell.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The cache folder of one test."""
    return tmp_path / "cache"


def _report(root: Path, folder: Path) -> tuple[list[str], list[tuple[str, int, str]]]:
    dataset, findings = check_project(root, settings=Settings(cache_dir=folder))
    return sorted(dataset.claims), [(f.path, f.line, f.rule) for f in findings]


def test_a_second_check_reports_exactly_what_the_first_did(minimal_project: Path, folder: Path) -> None:
    (minimal_project / "claims" / "claims" / "broken.yaml").write_text("statement: [unclosed\n")
    first = _report(minimal_project, folder)
    assert ItemCache(minimal_project.resolve(), folder).old  # the first check filled the cache
    assert _report(minimal_project, folder) == first


def test_a_claim_from_the_cache_is_the_claim_on_disk(minimal_project: Path, folder: Path) -> None:
    fresh, _ = check_project(minimal_project, settings=Settings(cache_dir=folder))
    cached, _ = check_project(minimal_project, settings=Settings(cache_dir=folder))
    assert cached.claims["widget-defects-fell"] == fresh.claims["widget-defects-fell"]


def test_an_edit_of_the_same_size_is_seen(minimal_project: Path, folder: Path) -> None:
    check_project(minimal_project, settings=Settings(cache_dir=folder))
    path = minimal_project / CLAIM
    text = path.read_text()
    stat = path.stat()
    path.write_text(text.replace("claimant: widgets-inc", "claimant: widgets-inx"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same modification time
    assert (CLAIM, 4, "ref-party") in _report(minimal_project, folder)[1]


def test_a_file_with_problems_is_checked_afresh_every_time(minimal_project: Path, folder: Path) -> None:
    path = minimal_project / CLAIM
    path.write_text(path.read_text().replace("date: 2021-01-15", "date: 2021-02-30"))
    assert (CLAIM, 6, "date-invalid") in _report(minimal_project, folder)[1]
    assert (CLAIM, 6, "date-invalid") in _report(minimal_project, folder)[1]


def test_a_damaged_cache_file_is_ignored(minimal_project: Path, folder: Path) -> None:
    first = _report(minimal_project, folder)
    cache = ItemCache(minimal_project.resolve(), folder)
    cache.path.write_bytes(b"not a pickle at all")
    assert _report(minimal_project, folder) == first


def test_the_cache_can_be_turned_off(minimal_project: Path, folder: Path) -> None:
    check_project(minimal_project, settings=Settings(cache_dir=folder, item_cache=False))
    assert not ItemCache(minimal_project.resolve(), folder).path.exists()


def test_no_cache_folder_means_no_cache() -> None:
    assert Settings().item_cache_dir is None and Settings().template_cache_dir is None
    assert from_environment({"CLAIMLEDGER_NO_CACHE": "1", "CLAIMLEDGER_CACHE_DIR": "/x"}).cache_dir is None


def test_the_cache_folder_is_the_users_unless_set(tmp_path: Path) -> None:
    assert from_environment({}, home=tmp_path).cache_dir == tmp_path / ".cache" / "claimledger"
    assert from_environment({"XDG_CACHE_HOME": "/c"}, home=tmp_path).cache_dir == Path("/c/claimledger")
    assert from_environment({"CLAIMLEDGER_CACHE_DIR": "/d", "XDG_CACHE_HOME": "/c"}).cache_dir == Path("/d")


def test_the_cache_is_kept_outside_the_repository(minimal_project: Path, folder: Path) -> None:
    check_project(minimal_project, settings=Settings(cache_dir=folder))
    cache = ItemCache(minimal_project.resolve(), folder).path
    assert cache.exists()
    assert minimal_project.resolve() not in cache.resolve().parents


def test_a_cache_of_many_parts_gives_back_every_item(
    minimal_project: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "ITEMS_PER_PART", 2)  # the fixture's dozen items in six parts
    fresh, _ = load(minimal_project, cache_dir=folder)
    cached = ItemCache(minimal_project.resolve(), folder)
    assert len(cached.old) == len(fresh.claims) + len(fresh.sources) + len(fresh.parties) > 2
    assert load(minimal_project, cache_dir=folder)[0] == fresh


def test_a_check_that_changes_nothing_leaves_the_cache_file_as_it_is(minimal_project: Path, folder: Path) -> None:
    check_project(minimal_project, settings=Settings(cache_dir=folder))
    path = ItemCache(minimal_project.resolve(), folder).path
    os.utime(path, ns=(0, 0))
    check_project(minimal_project, settings=Settings(cache_dir=folder))
    assert path.stat().st_mtime_ns == 0


def test_the_item_of_a_deleted_file_leaves_the_cache(minimal_project: Path, folder: Path) -> None:
    check_project(minimal_project, settings=Settings(cache_dir=folder))
    (minimal_project / "claims" / "claims" / "widget-report-exists.yaml").unlink()
    check_project(minimal_project, settings=Settings(cache_dir=folder))
    kept = ItemCache(minimal_project.resolve(), folder).old
    assert CLAIM in kept and "claims/claims/widget-report-exists.yaml" not in kept


def test_a_cache_file_cut_short_is_ignored(minimal_project: Path, folder: Path) -> None:
    first = _report(minimal_project, folder)
    path = ItemCache(minimal_project.resolve(), folder).path
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert ItemCache(minimal_project.resolve(), folder).old == {}
    assert _report(minimal_project, folder) == first


def _cache_of(folder: Path, items: dict[str, str]) -> ItemCache:
    """A cache in ``folder`` holding ``items`` (path: text, kept under the text's own key), saved and read back."""
    made = ItemCache(Path("/project"), folder, code="test")
    for path, text in items.items():
        made.put(path, text.encode(), text)
    made.save()
    return ItemCache(Path("/project"), folder, code="test")


def _pickled_parts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The parts that saves pickle from now on (a part copied from the file read is not among them)."""
    pickled: list[dict[str, object]] = []
    dump = pickle.dump

    def counted(value: object, *args: Any, **kwargs: Any) -> None:
        if isinstance(value, dict) and "code" not in value:
            pickled.append(value)
        dump(value, *args, **kwargs)

    monkeypatch.setattr(pickle, "dump", counted)
    return pickled


def test_after_one_edit_a_save_pickles_only_the_part_that_holds_it(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "ITEMS_PER_PART", 2)
    items = {f"claims/c{n}.yaml": f"item {n}" for n in range(6)}
    cache = _cache_of(folder, items)
    pickled = _pickled_parts(monkeypatch)
    for path, text in items.items():
        if path != "claims/c3.yaml":  # its file was edited: not in the cache as it is
            assert cache.get(path, text.encode()) == text
    cache.put("claims/c3.yaml", b"edited", "item 3, edited")  # parsed anew, after the others were looked up
    cache.save()
    assert [sorted(part) for part in pickled] == [["claims/c2.yaml", "claims/c3.yaml"]]
    again = ItemCache(Path("/project"), folder, code="test")
    assert {path: entry[1] for path, entry in again.old.items()} == {**items, "claims/c3.yaml": "item 3, edited"}


def test_a_part_put_again_under_the_same_key_is_pickled_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "ITEMS_PER_PART", 2)
    cache = _cache_of(folder, {"a.yaml": "a", "b.yaml": "b"})
    cache.put("a.yaml", b"a", "a, made again")  # what was kept had another shape, say
    cache.get("b.yaml", b"b")
    cache.save()
    assert ItemCache(Path("/project"), folder, code="test").get("a.yaml", b"a") == "a, made again"


def test_a_cache_file_replaced_since_it_was_read_is_not_copied_from(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "ITEMS_PER_PART", 2)
    cache = _cache_of(folder, {"a.yaml": "a", "b.yaml": "b", "c.yaml": "c"})
    _cache_of(folder, {"a.yaml": "other", "b.yaml": "other", "c.yaml": "other"})  # another run saved meanwhile
    pickled = _pickled_parts(monkeypatch)
    for path in ("a.yaml", "b.yaml"):
        cache.get(path, path[0].encode())
    cache.put("c.yaml", b"c2", "c2")
    cache.save()
    assert len(pickled) == 2
    again = ItemCache(Path("/project"), folder, code="test")
    assert {path: entry[1] for path, entry in again.old.items()} == {"a.yaml": "a", "b.yaml": "b", "c.yaml": "c2"}


@pytest.mark.parametrize(
    "failure", [OSError(28, "No space left on device"), KeyboardInterrupt()], ids=["full", "ctrl-c"]
)
def test_a_save_that_fails_leaves_the_cache_as_it_was_and_no_copy_behind(
    folder: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    cache = _cache_of(folder, {"a.yaml": "a"})
    before = cache.path.read_bytes()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise failure

    cache.put("b.yaml", b"b", "b")
    monkeypatch.setattr(pickle, "dump", fail)
    if isinstance(failure, OSError):
        cache.save()
    else:
        with pytest.raises(KeyboardInterrupt):
            cache.save()
    assert cache.path.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == [cache.path.name]


def _compiled(env: jinja2.Environment, name: str, source: str) -> bool:
    """Whether ``env``'s cache already holds ``name`` compiled from ``source``."""
    cache = env.bytecode_cache
    assert cache is not None
    bucket = cache.get_bucket(env, name, None, source)
    return bucket.code is not None


def test_compiled_templates_are_kept_per_environment_settings(folder: Path) -> None:
    source = "{{ value }}"
    loader = jinja2.DictLoader({"page.html": source})
    escaping = jinja2.Environment(loader=loader, autoescape=True)
    escaping.bytecode_cache = template_cache(folder)
    assert escaping.get_template("page.html").render(value="<b>") == "&lt;b&gt;"
    again = jinja2.Environment(loader=loader, autoescape=True)
    again.bytecode_cache = template_cache(folder)
    assert _compiled(again, "page.html", source)  # the same settings find the compiled template
    raw = jinja2.Environment(loader=loader, autoescape=False)
    raw.bytecode_cache = template_cache(folder)
    assert not _compiled(raw, "page.html", source)  # other settings never read code compiled for these
    assert raw.get_template("page.html").render(value="<b>") == "<b>"


def test_no_template_cache_when_the_cache_is_off() -> None:
    assert template_cache(None) is None
    assert Settings(cache_dir=Path("/x"), template_cache=False).template_cache_dir is None


def test_a_template_compiled_with_other_filters_is_compiled_again(folder: Path) -> None:
    source = '{{ "Ab" | shout }}'
    loader = jinja2.DictLoader({"page.html": source})
    upper = jinja2.Environment(loader=loader)
    upper.filters["shout"] = str.upper
    upper.bytecode_cache = template_cache(folder)
    assert upper.get_template("page.html").render() == "AB"  # folded into the code at compile time
    lower = jinja2.Environment(loader=loader)
    lower.filters["shout"] = str.lower
    lower.bytecode_cache = template_cache(folder)
    assert lower.get_template("page.html").render() == "ab"
