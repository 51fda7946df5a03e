"""The item cache makes a second check quick without ever changing what it reports."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from claimtrail.cache import ItemCache, template_cache
from claimtrail.project import check_project

CLAIM = "claims/claims/widget-defects-fell.yaml"


def _report(root: Path) -> tuple[list[str], list[tuple[str, int, str]]]:
    dataset, findings = check_project(root)
    return sorted(dataset.claims), [(f.path, f.line, f.rule) for f in findings]


def test_a_second_check_reports_exactly_what_the_first_did(minimal_project: Path) -> None:
    (minimal_project / "claims" / "claims" / "broken.yaml").write_text("statement: [unclosed\n")
    first = _report(minimal_project)
    assert ItemCache(minimal_project.resolve()).old  # the first check filled the cache
    assert _report(minimal_project) == first


def test_a_claim_from_the_cache_is_the_claim_on_disk(minimal_project: Path) -> None:
    fresh, _ = check_project(minimal_project)
    cached, _ = check_project(minimal_project)
    assert cached.claims["widget-defects-fell"] == fresh.claims["widget-defects-fell"]


def test_an_edit_of_the_same_size_is_seen(minimal_project: Path) -> None:
    check_project(minimal_project)
    path = minimal_project / CLAIM
    text = path.read_text()
    stat = path.stat()
    path.write_text(text.replace("claimant: widgets-inc", "claimant: widgets-inx"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same modification time
    assert (CLAIM, 4, "ref-party") in _report(minimal_project)[1]


def test_a_file_with_problems_is_checked_afresh_every_time(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    path.write_text(path.read_text().replace("date: 2021-01-15", "date: 2021-02-30"))
    assert (CLAIM, 6, "date-invalid") in _report(minimal_project)[1]
    assert (CLAIM, 6, "date-invalid") in _report(minimal_project)[1]


def test_a_damaged_cache_file_is_ignored(minimal_project: Path) -> None:
    first = _report(minimal_project)
    cache = ItemCache(minimal_project.resolve())
    cache.path.write_bytes(b"not a pickle at all")
    assert _report(minimal_project) == first


def test_the_cache_can_be_turned_off(minimal_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMTRAIL_NO_CACHE", "1")
    check_project(minimal_project)
    assert not ItemCache(minimal_project.resolve()).path.exists()


def test_the_cache_is_kept_outside_the_repository(minimal_project: Path) -> None:
    check_project(minimal_project)
    cache = ItemCache(minimal_project.resolve()).path
    assert cache.exists()
    assert minimal_project.resolve() not in cache.resolve().parents


def _compiled(env: jinja2.Environment, name: str, source: str) -> bool:
    """Whether ``env``'s cache already holds ``name`` compiled from ``source``."""
    cache = env.bytecode_cache
    assert cache is not None
    bucket = cache.get_bucket(env, name, None, source)
    return bucket.code is not None


def test_compiled_templates_are_kept_per_environment_settings() -> None:
    source = "{{ value }}"
    loader = jinja2.DictLoader({"page.html": source})
    escaping = jinja2.Environment(loader=loader, autoescape=True)
    escaping.bytecode_cache = template_cache()
    assert escaping.get_template("page.html").render(value="<b>") == "&lt;b&gt;"
    again = jinja2.Environment(loader=loader, autoescape=True)
    again.bytecode_cache = template_cache()
    assert _compiled(again, "page.html", source)  # the same settings find the compiled template
    raw = jinja2.Environment(loader=loader, autoescape=False)
    raw.bytecode_cache = template_cache()
    assert not _compiled(raw, "page.html", source)  # other settings never read code compiled for these
    assert raw.get_template("page.html").render(value="<b>") == "<b>"


def test_no_template_cache_when_the_cache_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMTRAIL_NO_CACHE", "1")
    assert template_cache() is None


def test_a_template_compiled_with_other_filters_is_compiled_again() -> None:
    source = '{{ "Ab" | shout }}'
    loader = jinja2.DictLoader({"page.html": source})
    upper = jinja2.Environment(loader=loader)
    upper.filters["shout"] = str.upper
    upper.bytecode_cache = template_cache()
    assert upper.get_template("page.html").render() == "AB"  # folded into the code at compile time
    lower = jinja2.Environment(loader=loader)
    lower.filters["shout"] = str.lower
    lower.bytecode_cache = template_cache()
    assert lower.get_template("page.html").render() == "ab"
