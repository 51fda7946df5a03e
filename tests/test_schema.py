"""The JSON Schema contract: valid itself, named by every file's modeline, the one source of the units."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from claimledger.checks.project import check_project
from claimledger.record import schema

from .conftest import REPO

SCHEMA_PATH = REPO / "claimledger" / "schema" / "claimledger.schema.json"
DATA = REPO / "claims"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(?P<relative>[^#\s]+)#/\$defs/(?P<definition>[A-Za-z_]+)$")
DEFINITION_OF_FOLDER = {"claims": "claim", "sources": "source", "parties": "party", "metrics": "metric"}
DEFINITION_OF_FILE = {
    Path("statuses.yaml"): "status_scale",
    Path("publisher.yaml"): "publisher",
    Path("accepted-warnings.yaml"): "accepted_warnings",
}
DATA_FILES = sorted(DATA.rglob("*.yaml"))


def expected_definition(path: Path) -> str:
    relative = path.relative_to(DATA)
    if relative in DEFINITION_OF_FILE:
        return DEFINITION_OF_FILE[relative]
    return DEFINITION_OF_FOLDER[relative.parts[0]]


def test_schema_file_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_packaged_schema_is_the_schema_file() -> None:
    assert schema.schema() == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_repository_has_data_files_to_check() -> None:
    assert (DATA / "statuses.yaml") in DATA_FILES
    assert {path.relative_to(DATA).parts[0] for path in DATA_FILES} >= {"claims", "sources", "parties"}


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.relative_to(DATA).as_posix() for p in DATA_FILES])
def test_data_file_begins_with_a_modeline_naming_the_schema_definition_of_its_folder(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first_line)
    assert match, f"{path.name} begins with {first_line!r}"
    assert (path.parent / match["relative"]).resolve() == SCHEMA_PATH.resolve()
    assert match["definition"] in schema.schema()["$defs"]
    assert match["definition"] == expected_definition(path)


def test_a_pattern_is_matched_to_the_end_of_the_text_even_beside_other_errors(minimal_project: Path) -> None:
    # In JSON Schema (ECMA-262) `$` is the end of the text; Python's re would let "widget-post\n" pass.
    path = minimal_project / "claims" / "claims" / "widget-defects-fell.yaml"
    text = path.read_text(encoding="utf-8").replace("  - source: widget-post\n", '  - source: "widget-post\\n"\n')
    path.write_text(text + "colour: red\n", encoding="utf-8")
    _, findings = check_project(minimal_project)
    assert sorted((f.rule, f.field) for f in findings) == [("id-format", "appearances[0].source"), ("schema", "colour")]


def test_units_lists_every_unit_of_the_schema() -> None:
    consts = [entry["const"] for entry in schema.schema()["$defs"]["unit"]["oneOf"]]
    assert list(schema.units()) == consts


def test_every_unit_has_a_title_and_description() -> None:
    for unit_id, unit in schema.units().items():
        assert unit.id == unit_id
        assert unit.title.strip(), unit_id
        assert unit.description.strip(), unit_id


def test_units_include_money_and_percent() -> None:
    units = schema.units()
    assert units["CNY"].title == "Chinese yuan"
    assert units["percent"].symbol == "%"


def test_engine_modules_do_not_import_mkdocs(tmp_path: Path) -> None:
    # A stand-in mkdocs package shadows any real one, so an import is seen whether or not mkdocs is installed;
    # the probe imports it last to show that it would have been found.
    stand_in = tmp_path / "mkdocs"
    stand_in.mkdir()
    (stand_in / "__init__.py").write_text("", encoding="utf-8")
    probe = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import claimledger.checks.project, claimledger.exports.formats, claimledger.cli\n"
        "print(sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith('mkdocs.')))\n"
        "import mkdocs\n"
        "print(mkdocs.__file__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    loaded, stand_in_file = result.stdout.splitlines()
    assert loaded == "[]"
    assert stand_in_file == str(stand_in / "__init__.py")


# Values that each keyword of the schema takes or refuses, set in turn in place of every field of
# the real data files: the quick validator must say "invalid" exactly where jsonschema finds an error.
SUBSTITUTES = [
    None, True, 0, -1, 1.5, 10**20, "", " ", "x", "unknown", "not an id", "an-id", "an-id\n", "2021-02-30",
    "2021-01-01", "https://example.org/x", "https://exa mple.org", "http://[::1", "ftp://example.org",
    "javascript:alert(1)", "https://example.org/\n", [], ["x"], ["x", "x"], {}, {"value": 1}, "x" * 20001,
]  # fmt: skip


ONE_FILE_PER_DEFINITION = sorted({expected_definition(path): path for path in DATA_FILES}.values())


@pytest.mark.parametrize("path", ONE_FILE_PER_DEFINITION, ids=lambda path: str(path.relative_to(DATA)))
def test_the_quick_validator_and_jsonschema_agree_on_every_mutation(path: Path) -> None:
    from claimledger.record.yamlsafe import load_document

    definition = expected_definition(path)
    data = load_document(str(path), path.read_bytes()).data
    for name in list(data):
        for value in SUBSTITUTES:
            changed = {**data, name: value}
            quick = schema._fast_validator(definition).is_valid(changed)
            explained = list(schema._validator(definition).iter_errors(changed))
            assert quick == (not explained), (name, value, [e.message for e in explained])
