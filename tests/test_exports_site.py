"""The exports as a site publishes them (:class:`SiteExports`): made one format at a time from each claim's
parts, kept in a cache by the claim file's bytes or else made, and the same files whichever way each claim's
parts came."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import pytest

from claimledger.checks.project import check_project
from claimledger.exports import site, sqlite
from claimledger.exports.formats import claim_record, export_data, to_csv, to_json, whole
from claimledger.exports.site import ClaimParts, ExportFailed, SiteExports, _json_pieces, claim_parts, parts_cache
from claimledger.exports.sqlite import to_sqlite
from claimledger.record.model import Claim, Dataset
from claimledger.site import outputs


@pytest.fixture
def dataset(minimal_project: Path) -> Dataset:
    checked = check_project(minimal_project)[0]
    assert len(checked.claims) > 1
    return checked


def _files(exports: SiteExports) -> dict[str, str | bytes]:
    return {path: whole(exports.file(path)) for path in exports.paths}


def test_each_claims_json_is_its_record_as_compact_json(dataset: Dataset) -> None:
    exports = SiteExports(dataset)
    _files(exports)
    for claim in dataset.claims.values():
        assert exports.claim_json(claim) == to_json(claim_record(claim), compact=True)
        assert exports.claim_json(claim) == to_json(claim_record(claim), compact=True), "asked again: made again"


def _records_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The claims whose export record is made from here on, in order."""
    made: list[str] = []
    real = site.claim_record

    def counted(claim: Claim) -> dict[str, Any]:
        made.append(claim.id)
        return real(claim)

    monkeypatch.setattr(site, "claim_record", counted)
    return made


def test_the_json_made_with_the_exports_is_each_claims_json_where_every_claim_json_is_written(
    dataset: Dataset, minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _files(SiteExports(dataset, cache=lambda: parts_cache(minimal_project, tmp_path)))  # every claim's parts kept
    exports = SiteExports(dataset, cache=lambda: parts_cache(minimal_project, tmp_path))
    _files(exports)
    made = _records_made(monkeypatch)
    texts = [exports.claim_json(claim) for claim in dataset.claims.values()]
    assert texts == [to_json(claim_record(claim), compact=True) for claim in dataset.claims.values()]
    assert not made, "none made again for its claim.json"


def test_where_the_previous_site_keeps_most_only_the_json_of_the_claims_not_in_the_cache_is_held(
    dataset: Dataset, minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, *others = dataset.claims.values()
    cache = parts_cache(minimal_project, tmp_path)
    for claim in others:  # in the cache: likely kept by the previous site
        cache.put(claim.document.path, dataset.digests[claim.document.path], claim_parts(claim_record(claim)))
    cache.save()
    exports = SiteExports(dataset, cache=lambda: parts_cache(minimal_project, tmp_path), every_claim_json=False)
    _files(exports)
    made = _records_made(monkeypatch)
    assert exports.claim_json(first) == to_json(claim_record(first), compact=True)
    assert not made, "held for it"
    assert [exports.claim_json(claim) for claim in others] == [to_json(claim_record(c), compact=True) for c in others]
    assert made == [claim.id for claim in others], "made again when asked"


def test_a_format_that_fails_is_named_and_those_before_it_are_made(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(data: object, claims: object) -> str:
        raise ValueError("no database today")

    monkeypatch.setattr(sqlite, "sqlite_file", fail)
    exports = SiteExports(dataset)
    assert str(whole(exports.file("claims.json"))).startswith('{"format_version":')
    assert str(whole(exports.file("claims.csv"))).startswith("id,page,")
    with pytest.raises(ExportFailed, match=r"making claims\.db failed") as failed:
        exports.file("claims.db")
    assert isinstance(failed.value.__cause__, ValueError)


def test_claims_json_is_the_compact_json_of_the_export_data(dataset: Dataset) -> None:
    assert whole(SiteExports(dataset).file("claims.json")) == to_json(export_data(dataset), compact=True)


def test_claims_csv_is_the_csv_of_the_export_data(dataset: Dataset) -> None:
    assert whole(SiteExports(dataset).file("claims.csv")) == to_csv(export_data(dataset))


def test_the_claims_parts_kept_in_the_cache_give_the_same_files(
    dataset: Dataset, minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = SiteExports(dataset, cache=lambda: parts_cache(minimal_project, cache))
    files = _files(first)
    assert (cache / parts_cache(minimal_project, cache).path.name).is_file()

    made = _records_made(monkeypatch)
    again = _files(SiteExports(dataset, cache=lambda: parts_cache(minimal_project, cache)))
    assert not made, "every claim's parts taken from the cache"
    assert again == files == _files(SiteExports(dataset))


def test_a_claims_parts_are_taken_from_the_cache_only_for_its_file_as_it_is(
    dataset: Dataset, minimal_project: Path, tmp_path: Path
) -> None:
    claim = next(iter(dataset.claims.values()))
    cache = parts_cache(minimal_project, tmp_path)
    forged = ClaimParts('{"forged":1}', "forged\n", claim_parts_rows(dataset, claim))
    cache.put(claim.document.path, dataset.digests[claim.document.path], forged)
    cache.save()

    kept = whole(SiteExports(dataset, cache=lambda: parts_cache(minimal_project, tmp_path)).file("claims.csv"))
    assert "forged\n" in str(kept)  # the cache is what the parts come from, for the file as it was kept

    edited = dataclasses.replace(dataset, digests={**dataset.digests, claim.document.path: b"\x00" * 16})
    made = whole(SiteExports(edited, cache=lambda: parts_cache(minimal_project, tmp_path)).file("claims.csv"))
    assert made == to_csv(export_data(dataset))


def claim_parts_rows(dataset: Dataset, claim: Claim) -> Any:
    from claimledger.exports.sqlite import claim_rows

    return claim_rows(claim_record(claim))


@pytest.mark.parametrize("data", [{}, {"claims": []}, {"a": 1, "claims": [{"b": "é"}, {}], "c": [2]}])
def test_json_made_from_the_items_texts_is_the_json_of_the_whole(data: dict[str, Any]) -> None:
    made = {"claims": [to_json(item, compact=True)[:-1] for item in data["claims"]]} if "claims" in data else {}
    assert "".join(_json_pieces(data, made)) == to_json(data, compact=True)


def test_a_long_text_is_written_as_its_utf8_bytes_a_piece_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "_PIECE", 3)
    text = "aé€😀b" * 5  # characters of one to four bytes, across the pieces' ends
    outputs.write_file(tmp_path / "new" / "claims.json", text)
    assert (tmp_path / "new" / "claims.json").read_bytes() == text.encode("utf-8")


def test_a_text_in_pieces_is_written_as_the_utf8_bytes_of_the_pieces_one_after_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "_PIECE", 3)
    pieces = ["{", "aé€😀b" * 3, "", "😀]}\n"]
    outputs.write_file(tmp_path / "new" / "claims.json", pieces)
    assert (tmp_path / "new" / "claims.json").read_bytes() == "".join(pieces).encode("utf-8")


def test_an_open_file_is_copied_in_and_closed(tmp_path: Path) -> None:
    handle = tempfile.NamedTemporaryFile()  # noqa: SIM115 (closed by the write)
    handle.write(b"SQLite format 3\x00" * 1000)
    handle.seek(0)
    outputs.write_file(tmp_path / "new" / "claims.db", handle)
    assert (tmp_path / "new" / "claims.db").read_bytes() == b"SQLite format 3\x00" * 1000
    assert handle.closed and not Path(handle.name).exists()


def test_the_sites_database_is_the_exports_database_in_a_file_of_its_own_which_is_gone(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made = SiteExports(dataset).file("claims.db")
    assert not isinstance(made, (str, bytes, list))  # an open file, copied into the site a piece at a time
    assert not list(scratch.iterdir())  # its scratch file and folder removed already
    assert whole(made) == to_sqlite(export_data(dataset)) and made.closed
