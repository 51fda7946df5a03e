"""The site's search index is written a page's entries at a time, byte for byte the index Material's search
plugin writes itself."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import pytest

from claimledger.engines.mkdocs import plugin
from claimledger.tools.synthetic import write_site_project

from .sitebuild import build


def test_the_search_index_is_the_one_materials_search_plugin_writes(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    assert build(project, tmp_path / "ours", "--full").returncode == 0
    with mock.patch.object(plugin, "_write_search_index", lambda config, **_: None):  # Material writes it
        assert build(project, tmp_path / "material", "--full").returncode == 0
    ours = (tmp_path / "ours" / plugin.SEARCH_INDEX).read_bytes()
    assert ours == (tmp_path / "material" / plugin.SEARCH_INDEX).read_bytes()
    docs = json.loads(ours)["docs"]
    assert any(entry["location"].startswith("claims/claim-00001/") for entry in docs)


def test_a_rebuild_writes_an_entry_at_a_time_the_search_index_a_full_build_writes(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", 3)
    site = tmp_path / "site"
    assert build(project, site).returncode == 0
    claim = project / "claims" / "claims" / "claim-00001.yaml"
    claim.write_text(re.sub(r"(?m)^rationale: .*$", "rationale: Edited since.", claim.read_text("utf-8")), "utf-8")

    def whole(*args: object, **kwargs: object) -> str:
        raise AssertionError("Material's search plugin made the whole index as one string")

    with mock.patch("material.plugins.search.plugin.SearchIndex.generate_search_index", whole):
        rebuilt = build(project, site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "pages reused" in rebuilt.stderr
    assert build(project, tmp_path / "full", "--full").returncode == 0
    assert (site / plugin.SEARCH_INDEX).read_bytes() == (tmp_path / "full" / plugin.SEARCH_INDEX).read_bytes()
    assert b"Edited since." in (site / plugin.SEARCH_INDEX).read_bytes()


def test_the_previous_index_is_read_an_entry_at_a_time_as_material_writes_it() -> None:
    index = '{"config":{"lang":["en"]},"docs":[{"location":"a/","title":"A"},{"location":"a/#part"},{"location":""}]}'
    assert [entry["location"] for entry in plugin._index_entries(index)] == ["a/", "a/#part", ""]
    assert list(plugin._index_entries('{"config":{},"docs":[]}')) == []


@pytest.mark.parametrize(
    "index",
    [
        "",
        "[]",
        '{"config": {}, "docs": []}',
        '{"config":{},"docs":[{"location":"a/"},]}',
        '{"config":{},"docs":[{"location":"a/"}]',
        '{"config":{},"docs":[]}{}',
        '{"config":{},"docs":[{"title":"no location"}]}',
        '{"config":{},"docs":["a/"]}',
    ],
)
def test_an_index_not_as_material_writes_it_is_not_read(index: str) -> None:
    with pytest.raises(ValueError):
        list(plugin._index_entries(index))
