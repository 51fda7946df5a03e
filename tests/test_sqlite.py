"""The record as SQLite: the database's schema, the site that publishes it, and Datasette serving it."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claimledger.cli import main

from .conftest import REPO
from .sitebuild import build
from .test_checks import write

STORES = "claims/alibaba-2017-240000-taobao-stores-closed"
TRADES = "claims/alibaba-2017-counterfeits-1-49-per-10000-trades"
TABLES = {
    "claims",
    "sources",
    "parties",
    "metrics",
    "statuses",
    "appearances",
    "rebuttals",
    "provenance",
    "tags",
    "conversions",
    "changes",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("built") / "site"
    result = build(REPO, site_dir)
    assert result.returncode == 0, result.stderr
    return site_dir


def _rows(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return connection.execute(sql, args).fetchall()


def test_the_export_command_writes_the_database_and_its_datasette_metadata(
    minimal_project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "claims.db"
    out.parent.mkdir()

    assert main(["export", "--root", str(minimal_project), "--format", "sqlite", "-o", str(out)]) == 0

    tables = {name for (name,) in _rows(out, "select name from sqlite_master where type = 'table'")}
    assert tables >= TABLES | {"claims_fts"}
    metadata = json.loads((out.parent / "metadata.json").read_text(encoding="utf-8"))
    described = metadata["databases"]["claims"]["tables"]
    assert set(described) == TABLES and all(table["description"] for table in described.values())
    assert metadata["license"] and metadata["source"] and metadata["title"]


def test_the_datasette_metadata_gives_the_publishers_data_licence_and_claims_none_it_does_not_state(
    minimal_project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "claims.db"
    assert main(["export", "--root", str(minimal_project), "--format", "sqlite", "-o", str(out)]) == 0
    unstated = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert unstated["license"].startswith("not stated") and "license_url" not in unstated
    publisher = minimal_project / "claims" / "publisher.yaml"
    licence = "https://creativecommons.org/licenses/by/4.0/"
    publisher.write_text(publisher.read_text(encoding="utf-8") + f"license: {licence}\n", encoding="utf-8")
    assert main(["export", "--root", str(minimal_project), "--format", "sqlite", "-o", str(out)]) == 0
    stated = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert stated["license_url"] == licence and stated["license"].startswith(licence)


def test_the_sqlite_export_needs_a_file_to_write_to(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--root", str(minimal_project), "--format", "sqlite"]) == 2
    assert "-o" in capsys.readouterr().err


def test_every_reference_in_the_database_is_a_foreign_key_that_holds(site: Path) -> None:
    db = site / "claims.db"
    keys = {
        (table, column, other)
        for table in TABLES
        for (_, _, other, column, *_) in _rows(db, f"pragma foreign_key_list({table})")
    }
    assert {
        ("claims", "claimant", "parties"),
        ("claims", "first_appearance", "sources"),
        ("claims", "status", "statuses"),
        ("claims", "metric", "metrics"),
        ("appearances", "claim", "claims"),
        ("appearances", "source", "sources"),
        ("rebuttals", "party", "parties"),
        ("provenance", "source", "sources"),
        ("tags", "claim", "claims"),
        ("changes", "claim", "claims"),
    } <= keys
    assert _rows(db, "pragma foreign_key_check") == []
    assert _rows(db, "select count(*) from claims") == [
        (len(json.loads((site / "claims.json").read_text())["claims"]),)
    ]


def test_the_database_finds_claims_by_words_of_their_statement_quote_and_rationale(site: Path) -> None:
    db = site / "claims.db"
    found = _rows(db, "select claims.id from claims_fts join claims on claims.rowid = claims_fts.rowid "
                      "where claims_fts match ?", "taobao stores")  # fmt: skip
    assert (STORES.removeprefix("claims/"),) in found


def test_the_computed_changes_are_in_the_database(site: Path) -> None:
    rows = _rows(site / "claims.db", "select claim, kind, value, unit from changes")
    changes = {claim: (kind, value, unit) for claim, kind, value, unit in rows}
    assert changes[STORES.removeprefix("claims/")] == ("percent-change", 33.3, "percent")
    assert changes[TRADES.removeprefix("claims/")] == ("percent-change", -29.0, "percent")


def test_both_exports_carry_the_computed_change(site: Path) -> None:
    claims = {c["id"]: c for c in json.loads((site / "claims.json").read_text(encoding="utf-8"))["claims"]}
    stores, trades = claims[STORES.removeprefix("claims/")], claims[TRADES.removeprefix("claims/")]
    assert (stores["change"]["value"], stores["change"]["unit"], stores["change"]["difference"]) == (
        33.3,
        "percent",
        60000,
    )
    assert (trades["change"]["value"], trades["change"]["difference"]) == (-29, -0.61)
    csv = (site / "claims.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0].endswith(",metric,change_kind,change_value,change_unit")
    assert "percent-change,33.3,percent" in csv and "percent-change,-29,percent" in csv


def test_claim_pages_show_the_computed_change_beside_the_chart(site: Path) -> None:
    stores = (site / STORES / "index.html").read_text(encoding="utf-8")
    trades = (site / TRADES / "index.html").read_text(encoding="utf-8")
    assert "+60,000\u00a0Taobao stores (+33.3\u00a0%)" in stores
    assert "(\u221229\u00a0%)" in trades
    assert 'class="ct-metric"' in stores and "../../metrics/taobao-stores-closed-for-suspected-fakes/" in stores


def test_a_metric_page_shows_its_figures_over_time(site: Path) -> None:
    page = (site / "metrics" / "taobao-stores-closed-for-suspected-fakes" / "index.html").read_text(encoding="utf-8")
    assert 'class="ct-chart ct-series"' in page
    assert page.index("180,000\u00a0Taobao stores") < page.index("240,000\u00a0Taobao stores")


def test_a_conversion_without_a_rate_is_shown_as_unchecked(site: Path) -> None:
    page = (site / "claims" / "alibaba-2017-cases-involved-430-million-yuan" / "index.html").read_text(encoding="utf-8")
    assert "Unchecked: no exchange rate is on record" in page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _datasette(folder: Path) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "datasette", "serve", "claims.db", "-m", "metadata.json"]
    server = subprocess.Popen(
        [*command, "-h", "127.0.0.1", "-p", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until it answers, or it has ended
            if server.poll() is not None:
                pytest.fail(f"datasette ended: {server.stderr.read().decode() if server.stderr else ''}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/-/versions.json") as answer:
                if answer.status == 200:
                    break
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait()


def test_datasette_serves_the_published_database_with_full_text_search(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "served"
    folder.mkdir()
    for name in ("claims.db", "metadata.json"):
        (folder / name).write_bytes((site / name).read_bytes())

    with _datasette(folder) as base:
        query = f"{base}/claims/claims.json?_search=counterfeits&_shape=array&_col=statement"
        with urllib.request.urlopen(query) as answer:
            found = json.load(answer)
        with urllib.request.urlopen(f"{base}/-/metadata.json") as answer:
            metadata = json.load(answer)

    assert TRADES.removeprefix("claims/") in {row["id"] for row in found}
    assert metadata["databases"]["claims"]["tables"]["changes"]["description"]


def test_a_metric_is_a_table_row_with_the_definition_the_sources_give(minimal_project: Path, tmp_path: Path) -> None:
    write(
        minimal_project,
        "claims/metrics/defects.yaml",
        "title: Widget defects\ncounts: unknown\ncounted_by: unknown\nperiod: unknown\nsources: []\n",
    )
    out = tmp_path / "claims.db"
    assert main(["export", "--root", str(minimal_project), "--format", "sqlite", "-o", str(out)]) == 0

    assert _rows(out, "select id, counts, counted_by, period from metrics") == [
        ("defects", "unknown", "unknown", "unknown")
    ]


def _as_sqlite_utils_inserts(db: Any, name: str, rows: Any) -> None:
    """sqlite-utils' own insert of the rows (each its columns and values) as mappings."""
    db.table(name).insert_all((dict(zip(*row, strict=True)) for row in rows), alter=True)


@pytest.fixture(scope="module")
def many_claims(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The export data of 250 synthetic claims: many batches of rows in every table."""
    from claimledger.checks.project import check_project
    from claimledger.exports.formats import export_data
    from claimledger.tools.synthetic import write_site_project

    root = tmp_path_factory.mktemp("many") / "project"
    write_site_project(root, 250)
    dataset, _ = check_project(root)
    return export_data(dataset)


def test_the_database_is_the_file_sqlite_utils_own_inserts_make(
    many_claims: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimledger.exports import sqlite as export

    made = export.to_sqlite(many_claims)
    monkeypatch.setattr(export, "_insert", _as_sqlite_utils_inserts)
    assert made == export.to_sqlite(many_claims)


def test_a_field_first_met_in_a_later_batch_of_rows_becomes_a_column_as_sqlite_utils_adds_it(
    many_claims: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimledger.exports import sqlite as export

    data = json.loads(json.dumps(many_claims))
    data["claims"][200]["appearances"][0]["page_number"] = 12
    made = export.to_sqlite(data)
    monkeypatch.setattr(export, "_insert", _as_sqlite_utils_inserts)
    assert made == export.to_sqlite(data)
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        connection.deserialize(made)
        assert connection.execute("SELECT count(*) FROM appearances WHERE page_number = 12").fetchone() == (1,)
