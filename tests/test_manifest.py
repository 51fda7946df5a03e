"""The manifest a build keeps beside its site: what each output was made from, written and read a line at a time."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from claimledger.site.manifest import DIGEST, FORMAT, MANIFEST, Entry, Manifest, Read


class Held:
    """Digests as a build's data gives them: each read's, fixed by the test."""

    def __init__(self, held: dict[Read, bytes]) -> None:
        self.held = held

    def of(self, read: Read) -> bytes:
        return self.held[read]

    def many(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


CLAIM: Read = ("claims", "claim-1")
ALL: Read = ("claims", None)
SOURCE: Read = ("sources", "source-1")
META_1, META_2 = "a1" * DIGEST, "a2" * DIGEST  # what the build states of an output, as its digest
DIGESTS = Held({CLAIM: b"\x01" * DIGEST, ALL: b"\x02" * DIGEST, SOURCE: b"\x03" * DIGEST})


def _written(folder: Path) -> Manifest:
    manifest = Manifest("key")
    manifest.add("claims/claim-1.md", Entry(META_1, frozenset({CLAIM, SOURCE})), DIGESTS)  # type: ignore[arg-type]
    manifest.add("claims/index.md", Entry(META_2, frozenset({ALL})), DIGESTS)  # type: ignore[arg-type]
    manifest.write(folder)
    return manifest


def test_a_manifest_reads_back_as_it_was_written(tmp_path: Path) -> None:
    _written(tmp_path)
    read = Manifest.read(tmp_path)
    assert read is not None and read.key == "key"
    assert dict(read.outputs) == {
        "claims/claim-1.md": Entry(META_1, frozenset({CLAIM, SOURCE})),
        "claims/index.md": Entry(META_2, frozenset({ALL})),
    }
    assert read.changed(DIGESTS) == frozenset()  # type: ignore[arg-type]


def test_a_manifest_is_a_header_then_a_line_per_read_then_a_line_per_output(tmp_path: Path) -> None:
    _written(tmp_path)
    lines = [json.loads(line) for line in (tmp_path / MANIFEST).read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"format": FORMAT, "key": "key", "reads": 3, "outputs": 2}
    assert lines[1:4] == [
        ["claims", None, "02" * DIGEST],
        ["claims", "claim-1", "01" * DIGEST],
        ["sources", "source-1", "03" * DIGEST],
    ]
    assert lines[4:] == [["claims/claim-1.md", META_1, [1, 2]], ["claims/index.md", META_2, [0]]]


def test_an_output_is_unchanged_while_its_meta_and_every_read_it_made_are(tmp_path: Path) -> None:
    _written(tmp_path)
    read = Manifest.read(tmp_path)
    assert read is not None
    edited = Held({**DIGESTS.held, SOURCE: b"\x04" * DIGEST})
    changed = read.changed(edited)  # type: ignore[arg-type]
    assert changed == frozenset({SOURCE})
    assert not read.unchanged("claims/claim-1.md", META_1)
    assert read.unchanged("claims/index.md", META_2)
    assert not read.unchanged("claims/index.md", "ab" * DIGEST)
    assert not read.unchanged("claims/new.md", META_2)


def test_an_output_kept_from_the_previous_manifest_keeps_its_reads(tmp_path: Path) -> None:
    old = _written(tmp_path)
    old.changed(DIGESTS)  # type: ignore[arg-type]
    new = Manifest.following(old, "key")
    new.keep("claims/claim-1.md")
    new.write(tmp_path)
    read = Manifest.read(tmp_path)
    assert read is not None
    assert dict(read.outputs) == {"claims/claim-1.md": Entry(META_1, frozenset({CLAIM, SOURCE}))}


def test_a_kept_output_holds_what_its_reads_hold_now_where_they_changed(tmp_path: Path) -> None:
    _written(tmp_path)
    old = Manifest.read(tmp_path)
    assert old is not None
    edited = Held({**DIGESTS.held, SOURCE: b"\x04" * DIGEST})
    old.changed(edited)  # type: ignore[arg-type]
    new = Manifest.following(old, "key")
    new.keep("claims/claim-1.md")
    assert new.changed(edited) == frozenset()  # type: ignore[arg-type]
    assert new.changed(DIGESTS) == frozenset({SOURCE})  # type: ignore[arg-type]


def test_the_reads_no_output_made_any_more_are_not_written(tmp_path: Path) -> None:
    old = _written(tmp_path)  # claim-1's page read the claim and the source; the list read every claim
    old.changed(DIGESTS)  # type: ignore[arg-type]
    new = Manifest.following(old, "key")
    new.keep("claims/index.md")
    new.write(tmp_path)
    header = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8").splitlines()[0])
    assert header["reads"] == 1
    read = Manifest.read(tmp_path)
    assert read is not None and dict(read.outputs) == {"claims/index.md": Entry(META_2, frozenset({ALL}))}


def test_only_a_manifest_asked_what_changed_is_followed(tmp_path: Path) -> None:
    old = _written(tmp_path)
    with pytest.raises(ValueError, match="not asked what changed"):
        Manifest.following(old, "key")


def test_a_manifest_made_after_another_holds_nothing_of_it_once_compacted(tmp_path: Path) -> None:
    old = _written(tmp_path)
    old.changed(DIGESTS)  # type: ignore[arg-type]
    new = Manifest.following(old, "key")
    new.keep("claims/index.md")
    compacted = new.compacted()  # as mkdocs serve keeps it for its next rebuild
    assert compacted.table == [ALL] and compacted.rows == {ALL: 0} and not compacted.earlier
    assert dict(compacted.outputs) == {"claims/index.md": Entry(META_2, frozenset({ALL}))}


def test_a_manifest_listing_a_read_twice_is_not_read(tmp_path: Path) -> None:
    _written(tmp_path)
    lines = (tmp_path / MANIFEST).read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["reads"] += 1
    damaged = [json.dumps(header), *lines[1:4], lines[1], *lines[4:]]  # the first read again, at row 3
    (tmp_path / MANIFEST).write_text("\n".join(damaged) + "\n", encoding="utf-8")
    assert Manifest.read(tmp_path) is None


def test_a_manifest_of_the_earlier_single_object_format_is_not_read(tmp_path: Path) -> None:
    earlier = {"format": 2, "key": "key", "reads": [["claims", None, "00" * DIGEST]], "outputs": {"a": ["m", [0]]}}
    (tmp_path / MANIFEST).write_text(json.dumps(earlier), encoding="utf-8")
    assert Manifest.read(tmp_path) is None


def test_a_manifest_asked_for_under_another_key_is_not_read(tmp_path: Path) -> None:
    _written(tmp_path)
    assert Manifest.read(tmp_path, "key") is not None
    assert Manifest.read(tmp_path, "another key") is None


def test_no_manifest_is_none(tmp_path: Path) -> None:
    assert Manifest.read(tmp_path) is None


def test_reads_noted_as_a_page_renders_are_written_with_what_the_build_states_of_it(tmp_path: Path) -> None:
    made = Manifest("key")
    made.note("claims/claim-1.md", frozenset({CLAIM}), DIGESTS)  # type: ignore[arg-type]
    made.note("claims/claim-1.md", frozenset({SOURCE, CLAIM}), DIGESTS)  # type: ignore[arg-type]
    made.describe("claims/claim-1.md", META_1)
    made.write(tmp_path)
    read = Manifest.read(tmp_path)
    assert read is not None
    assert dict(read.outputs) == {"claims/claim-1.md": Entry(META_1, frozenset({CLAIM, SOURCE}))}


def test_each_line_is_written_as_json_dumps_writes_it_whatever_the_names_hold(tmp_path: Path) -> None:
    odd: Read = ("more.kind", 'quote " back\\slash é 中 \x00 \u2028')
    manifest = Manifest("key")
    held = Held({**DIGESTS.held, odd: b"\x05" * DIGEST})
    manifest.add('pages/"odd" é.md', Entry(META_1, frozenset({odd, ALL})), held)  # type: ignore[arg-type]
    manifest.write(tmp_path)
    lines = (tmp_path / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert lines == [json.dumps(json.loads(line), separators=(",", ":")) for line in lines]
    read = Manifest.read(tmp_path)
    assert read is not None and dict(read.outputs) == {'pages/"odd" é.md': Entry(META_1, frozenset({odd, ALL}))}


def _with_lines(folder: Path, change: Callable[[list[str]], list[str]]) -> None:
    lines = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    (folder / MANIFEST).write_text("\n".join(change(lines)) + "\n", encoding="utf-8")


def test_a_manifest_with_a_meta_digest_spaced_out_is_not_read(tmp_path: Path) -> None:
    _written(tmp_path)  # bytes.fromhex reads "69 a7 …" as fewer bytes than the 32 characters say

    def spaced(lines: list[str]) -> list[str]:
        path, meta, rows = json.loads(lines[-1])
        return [*lines[:-1], json.dumps([path, meta[:2] + " " + meta[2:4] + " " + meta[6:], rows])]

    _with_lines(tmp_path, spaced)
    assert Manifest.read(tmp_path) is None


def test_a_manifest_listing_an_output_twice_is_not_read(tmp_path: Path) -> None:
    _written(tmp_path)

    def twice(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        header["outputs"] += 1
        return [json.dumps(header), *lines[1:], lines[-1]]

    _with_lines(tmp_path, twice)
    assert Manifest.read(tmp_path) is None


def test_a_manifest_followed_by_a_build_that_failed_is_followed_again_with_each_read_once(tmp_path: Path) -> None:
    old = _written(tmp_path)
    old.changed(DIGESTS)  # type: ignore[arg-type]
    Manifest.following(old, "key")  # under mkdocs serve, a rebuild that failed: old is still the one served
    again = Manifest.following(old, "key")
    again.note("claims/claim-1.md", [CLAIM, SOURCE], DIGESTS)  # type: ignore[arg-type]
    assert len(again.table) == 3 and again.rows == {read: row for row, read in enumerate(again.table)}


@pytest.mark.parametrize(
    "damage",
    [
        lambda lines: [*lines[:2], lines[2] + "," + lines[3], *lines[4:]],  # two reads on one line
        lambda lines: [*lines[:2], lines[2][:20], lines[2][20:], *lines[3:]],  # a read over two lines
        lambda lines: [*lines[:2], "", *lines[2:]],  # an empty line
        lambda lines: lines[:-1],  # a line fewer than the header says
        lambda lines: [*lines, lines[-1]],  # a line more
    ],
    ids=["two-on-a-line", "one-over-two-lines", "empty-line", "line-missing", "line-more"],
)
def test_a_manifest_whose_lines_are_not_one_row_each_is_not_read(
    tmp_path: Path, damage: Callable[[list[str]], list[str]]
) -> None:
    _written(tmp_path)
    lines = (tmp_path / MANIFEST).read_text(encoding="utf-8").splitlines()
    (tmp_path / MANIFEST).write_text("\n".join(damage(lines)) + "\n", encoding="utf-8")
    assert Manifest.read(tmp_path) is None


def test_a_manifest_of_more_lines_than_are_decoded_at_once_reads_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimledger.site import manifest as manifest_module

    monkeypatch.setattr(manifest_module, "_CHUNK", 2)  # three reads and two outputs: five lines, in chunks of two
    written = _written(tmp_path)
    read = Manifest.read(tmp_path)
    assert read is not None and dict(read.outputs) == dict(written.outputs)
