"""The exports as a site publishes them (:class:`SiteExports`): made one format at a time from each claim's
parts, kept in a cache by the claim file's bytes, or else read back from an earlier build's ``claim.json``
where it is unchanged, and the same files whichever way each claim's parts came."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import pytest

from claimledger.checks.project import check_project
from claimledger.exports import sqlite
from claimledger.exports.formats import claim_record, export_data, to_csv, to_json, whole
from claimledger.exports.site import ClaimParts, ExportFailed, SiteExports, _json_pieces, parts_cache
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


class _Earlier:
    """A previous site that keeps every claim's claim.json, with the texts given (None: never read)."""

    def __init__(self, texts: dict[str, str] | None) -> None:
        self.texts = texts

    def kept(self, claim: Claim) -> bool:
        return True

    def text(self, claim: Claim) -> str | None:
        assert self.texts is not None, "read back, though the cache holds its parts"
        return self.texts[claim.id]


def test_each_claims_json_is_its_record_as_compact_json(dataset: Dataset) -> None:
    exports = SiteExports(dataset)
    _files(exports)
    for claim in dataset.claims.values():
        assert exports.made(claim.id)
        assert exports.claim_json(claim) == to_json(claim_record(claim), compact=True)
        assert not exports.made(claim.id), "handed out once"


def test_records_read_back_from_an_earlier_build_give_the_same_files(dataset: Dataset) -> None:
    first = SiteExports(dataset)
    files = _files(first)
    texts = {claim.id: first.claim_json(claim) for claim in dataset.claims.values()}

    again = SiteExports(dataset, _Earlier(texts))

    assert _files(again) == files
    assert not any(again.made(claim_id) for claim_id in dataset.claims), "read back, not made"
    assert {claim.id: again.claim_json(claim) for claim in dataset.claims.values()} == texts


@pytest.mark.parametrize("damage", [lambda text: text[:-1], lambda text: text[:-2] + "\n"], ids=["no-end", "cut"])
def test_an_earlier_text_that_is_not_a_whole_claim_json_is_made_anew(dataset: Dataset, damage: object) -> None:
    first = SiteExports(dataset)
    files = _files(first)
    texts = {claim.id: first.claim_json(claim) for claim in dataset.claims.values()}

    again = SiteExports(dataset, _Earlier({key: damage(text) for key, text in texts.items()}))  # type: ignore[operator]

    assert _files(again) == files
    assert all(again.made(claim_id) for claim_id in dataset.claims)


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


def test_the_claims_parts_kept_in_the_cache_give_the_same_files_and_nothing_is_read_back(
    dataset: Dataset, minimal_project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = SiteExports(dataset, cache=lambda: parts_cache(minimal_project, cache))
    files = _files(first)
    assert (cache / parts_cache(minimal_project, cache).path.name).is_file()

    again = SiteExports(dataset, _Earlier(None), cache=lambda: parts_cache(minimal_project, cache))

    assert _files(again) == files == _files(SiteExports(dataset))
    assert not any(again.made(claim_id) for claim_id in dataset.claims), "the previous site keeps them"


def test_with_a_cache_nothing_is_read_back_from_the_previous_site_nor_kept_from_it(
    dataset: Dataset, minimal_project: Path, tmp_path: Path
) -> None:
    forged = {claim.id: '{"statement":"FORGED"}\n' for claim in dataset.claims.values()}  # valid JSON, not the claim
    with_cache = SiteExports(dataset, _Earlier(forged), cache=lambda: parts_cache(minimal_project, tmp_path))
    assert _files(with_cache) == _files(SiteExports(dataset)), "made from the claims, the previous site's kept"
    assert not any(with_cache.made(claim_id) for claim_id in dataset.claims)
    again = SiteExports(dataset, cache=lambda: parts_cache(minimal_project, tmp_path))  # a --full build, say
    assert "FORGED" not in str(whole(again.file("claims.json")))


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
