"""One schema file per kind, usable as is by other tools: check-jsonschema agrees with claimledger check.

Each kind's file is a ``$ref`` into the combined schema beside it, which check-jsonschema resolves
relative to the file it read."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.record.schema import KIND_SCHEMAS, kind_schema_text

from .conftest import REPO, TESTS

SCHEMAS = REPO / "claimledger" / "schema"
CHECK_JSONSCHEMA = [sys.executable, "-m", "check_jsonschema"]
# The corpus cases a JSON Schema decides too: the file cannot be read as data, or does not match.
SCHEMA_RULES = {"schema", "url-scheme", "id-format", "yaml-syntax", "yaml-duplicate-key", "yaml-tag", "empty-file"}
SCHEMA_RULES |= {"encoding"}
# What only claimledger can tell: a file name, and the one case check-jsonschema stops at without a verdict.
NOT_COMPARED = {
    "Bad_Id.yaml": "the id comes from the file name, which a schema does not see",
    "lone-surrogate.yaml": "check-jsonschema cannot encode the escaped lone surrogate and stops",
}
KIND_OF_FOLDER = {
    "claims/claims/": "claim",
    "claims/sources/": "source",
    "claims/parties/": "party",
    "claims/metrics/": "metric",
}


def failing(schema: str, files: list[Path]) -> set[str]:
    """The files check-jsonschema refuses with ``schema`` (errors or files it cannot parse)."""
    done = subprocess.run(
        [*CHECK_JSONSCHEMA, "-o", "JSON", "--schemafile", str(SCHEMAS / f"{schema}.schema.json"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    return {str(Path(e["filename"])) for e in report.get("errors", []) + report.get("parse_errors", [])}


@pytest.mark.parametrize("name", sorted(KIND_SCHEMAS))
def test_each_kind_schema_file_refers_to_its_definition_in_the_combined_schema(name: str) -> None:
    # After adding a kind: claimledger.record.schema.write_kind_schemas(Path("claimledger/schema"))
    text = (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert text == kind_schema_text(name)
    assert json.loads(text)["$ref"] == f"claimledger.schema.json#/$defs/{KIND_SCHEMAS[name]}"
    assert KIND_SCHEMAS[name] in json.loads((SCHEMAS / "claimledger.schema.json").read_text(encoding="utf-8"))["$defs"]


def _corpus() -> dict[str, list[tuple[Path, str]]]:
    """The broken corpus by kind: each file with the rule claimledger reports for it."""
    by_kind: dict[str, list[tuple[Path, str]]] = {kind: [] for kind in KIND_OF_FOLDER.values()}
    for case in sorted((TESTS / "data" / "broken").glob("*.yaml")):
        header = case.read_bytes()[:400].decode("utf-8", "replace")
        rule = re.search(r"# expect: (\S+)", header).group(1)  # type: ignore[union-attr]
        target = re.search(r"# target: (\S+)", header)
        folder = (target.group(1) if target else "claims/claims/x").rpartition("/")[0] + "/"
        kind = next((kind for prefix, kind in KIND_OF_FOLDER.items() if folder.startswith(prefix)), None)
        if kind is not None and case.name not in NOT_COMPARED:
            by_kind[kind].append((case, rule))
    return by_kind


SHIPPED = {
    "claim": "claims/claims/**/*.yaml",
    "source": "claims/sources/**/*.yaml",
    "party": "claims/parties/**/*.yaml",
    "status-scale": "claims/statuses.yaml",
    "publisher": "claims/publisher.yaml",
    "metric": "claims/metrics/*.yaml",
}


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[list[Path], list[tuple[Path, str]], set[str]]]:
    """Per kind: the shipped files, the broken ones with their rule, and those check-jsonschema refuses
    (one run per kind: check-jsonschema takes seconds to start)."""
    corpus = _corpus()
    found = {}
    for kind, pattern in SHIPPED.items():
        shipped = sorted(REPO.glob(pattern))
        broken = corpus.get(kind, [])
        found[kind] = (shipped, broken, failing(kind, shipped + [case for case, _ in broken]))
    return found


@pytest.mark.parametrize("kind", sorted(SHIPPED))
def test_check_jsonschema_accepts_every_shipped_file_with_its_kind_schema(
    kind: str, verdicts: dict[str, tuple[list[Path], list[tuple[Path, str]], set[str]]]
) -> None:
    shipped, _, refused = verdicts[kind]
    assert shipped
    assert refused.isdisjoint(map(str, shipped))


@pytest.mark.parametrize("kind", sorted(KIND_OF_FOLDER.values()))
def test_check_jsonschema_refuses_exactly_the_broken_files_whose_rule_a_schema_can_decide(
    kind: str, verdicts: dict[str, tuple[list[Path], list[tuple[Path, str]], set[str]]]
) -> None:
    _, cases, refused = verdicts[kind]
    if not cases:
        pytest.skip(f"no {kind} in the corpus")
    expected = {str(case) for case, rule in cases if rule in SCHEMA_RULES}
    assert refused - {str(p) for p in verdicts[kind][0]} == expected, {case.name: rule for case, rule in cases}


def test_the_combined_schema_used_whole_refuses_a_file_instead_of_passing_everything() -> None:
    claim = REPO / "claims" / "claims" / "alibaba-2017-1606-suspects-caught.yaml"
    combined = SCHEMAS / "claimledger.schema.json"
    done = subprocess.run(
        [*CHECK_JSONSCHEMA, "--schemafile", str(combined), str(claim)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
