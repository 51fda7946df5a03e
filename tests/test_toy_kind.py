"""A new kind of item needs its definition, its registry entry and its template: a toy kind, defined in
a temporary package, is loaded, exported, given its schema file and its pages with nothing else added."""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from claimledger.exports.formats import export_data, to_csv, to_json
from claimledger.record.graph import build_graph
from claimledger.record.kinds import KINDS
from claimledger.record.loader import load
from claimledger.record.schema import kind_schema_text, schema
from claimledger.site.outputs import PageOutput, site_outputs
from claimledger.site.render import Renderer, SiteSettings
from claimledger.site.urls import page_specs

from .conftest import TESTS

TOY_PACKAGE = """
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

from claimledger.record import items
from claimledger.record.kinds import Kind
from claimledger.record.model import MARKDOWN, NOT_EXPORTED, STRIPPED, PartialDate
from claimledger.record.yamlsafe import Document

# Its definition: what its files may hold (the schema, for contributors and editors) and its model.
SCHEMA = {
    "type": "object",
    "required": ["title", "made"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "made": {"$ref": "#/$defs/date"},
        "colours": {"type": "array", "items": {"type": "string"}},
        "notes": {"$ref": "#/$defs/text"},
    },
}


@dataclass(frozen=True)
class Toy:
    id: str
    title: str = field(metadata=STRIPPED)
    made: PartialDate | None
    colours: tuple[str, ...]
    notes: str | None = field(metadata=MARKDOWN)
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)
    unknown: frozenset[str] = field(default=frozenset(), metadata=NOT_EXPORTED)


# Its registry entry; its template is templates/toy.html beside it.
KIND = Kind("toy", "toys", "toys", "toy", items.item(Toy), None, attrgetter("title"), templates="toykind")
"""


# Its template.
TOY_TEMPLATE = """<h1 id="toy">{{ toy.title }}</h1>
<p>Made {{ human(toy.made, "on a day unknown") }}.</p>
{% if toy.notes %}{{ p.md(toy.notes) }}{% endif %}
"""


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    package = tmp_path / "package" / "toykind"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(TOY_PACKAGE, encoding="utf-8")
    (package / "templates").mkdir()
    (package / "templates" / "toy.html").write_text(TOY_TEMPLATE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(package.parent))
    module = importlib.import_module("toykind")
    monkeypatch.setitem(KINDS, "toy", module.KIND)
    monkeypatch.setitem(schema()["$defs"], "toy", module.SCHEMA)
    yield module
    sys.modules.pop("toykind", None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(TESTS / "fixtures" / "minimal", root)
    toys = root / "claims" / "toys"
    toys.mkdir()
    (toys / "red-kite.yaml").write_text(
        "title: ' Red kite '\nmade: 2019-05\ncolours: [red, white]\nnotes: Flies in *any* wind.\n", encoding="utf-8"
    )
    (toys / "tin-drum.yaml").write_text("title: Tin drum\nmade: unknown\n", encoding="utf-8")
    return root


def test_a_toy_kind_is_loaded_from_its_folder_by_its_model(toy: Any, project: Path) -> None:
    dataset, findings = load(project, workers=1)

    assert findings == []
    toys = KINDS["toy"].items(dataset)
    assert list(toys) == ["red-kite", "tin-drum"]
    kite = toys["red-kite"]
    assert isinstance(kite, toy.Toy)
    assert (kite.title, str(kite.made), kite.colours, kite.unknown) == ("Red kite", "2019-05", ("red", "white"), set())
    assert toys["tin-drum"].made is None and toys["tin-drum"].unknown == {"made"}


def test_a_toy_file_that_breaks_its_schema_is_reported_at_its_field(toy: Any, project: Path) -> None:
    (project / "claims" / "toys" / "big.yaml").write_text("title: Big\nmade: 2019\nsize: 3\n", encoding="utf-8")
    (project / "claims" / "toys" / "odd.yaml").write_text("title: Odd\nmade: 2019-02-30\n", encoding="utf-8")

    dataset, findings = load(project, workers=1)

    assert {(f.path, f.rule, f.field) for f in findings} == {
        ("claims/toys/big.yaml", "schema", "size"),
        ("claims/toys/odd.yaml", "date-invalid", "made"),
    }
    assert list(KINDS["toy"].items(dataset)) == ["red-kite", "tin-drum"]
    assert dataset.broken_ids["toy"] == {"big", "odd"}


def test_a_toy_kind_is_exported_with_its_pages(toy: Any, project: Path) -> None:
    dataset, _ = load(project, workers=1)

    data = export_data(dataset)

    assert data["toys"] == [
        {"id": "red-kite", "page": "toys/red-kite/", "title": "Red kite", "made": "2019-05"}
        | {"colours": ["red", "white"], "notes": "Flies in *any* wind."},
        {"id": "tin-drum", "page": "toys/tin-drum/", "title": "Tin drum", "made": "unknown"}
        | {"colours": [], "notes": None},
    ]
    assert json.loads(to_json(data))["toys"] == data["toys"]
    assert to_csv(data) == to_csv({**data, "toys": []})  # the CSV is the claims' table


def test_a_toy_kind_has_its_schema_file_and_its_pages(toy: Any, project: Path) -> None:
    dataset, _ = load(project, workers=1)

    assert json.loads(kind_schema_text("toy"))["$ref"] == "claimledger.schema.json#/$defs/toy"
    specs = [spec for spec in page_specs(dataset) if spec.kind == "toy"]
    assert [(spec.src_uri, spec.key, spec.title) for spec in specs] == [
        ("toys/red-kite.md", "red-kite", "Red kite"),
        ("toys/tin-drum.md", "tin-drum", "Tin drum"),
    ]


def test_a_toy_kind_gets_its_pages_from_its_own_template(toy: Any, project: Path) -> None:
    dataset, _ = load(project, workers=1)
    renderer = Renderer(dataset, build_graph(dataset), SiteSettings("Toys", "", ""))

    pages = {o.path: o for o in site_outputs(dataset, renderer) if isinstance(o, PageOutput) and o.spec.kind == "toy"}

    kite = pages["toys/red-kite.md"]
    html = kite.render()
    assert '<h1 id="toy">Red kite</h1>' in html and "Made May 2019." in html and "<em>any</em>" in html
    assert (kite.description, kite.search_text is not None and kite.search_text()) == (
        "Red kite",
        '<h1 id="toy">Red kite</h1>',
    )
    assert "on a day unknown" in pages["toys/tin-drum.md"].render()
