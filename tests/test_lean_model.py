"""The model is lean: slotted objects, one copy of each repeated text, and still frozen, comparable and picklable."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from claimledger.record import model
from claimledger.record.cache import ItemCache
from claimledger.record.lean import lean
from claimledger.record.loader import load
from claimledger.record.yamlsafe import Document

CLAIM = "claims/claims/widget-defects-fell.yaml"
MODEL_CLASSES = [
    cls
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
]


@pytest.mark.parametrize("cls", [*MODEL_CLASSES, Document], ids=lambda cls: cls.__name__)
def test_every_item_class_but_the_dataset_keeps_its_fields_in_slots(cls: type) -> None:
    assert hasattr(cls, "__slots__") == (cls is not model.Dataset)


def test_a_loaded_claim_and_all_its_parts_have_no_dict(minimal_project: Path) -> None:
    claim = load(minimal_project)[0].claims["widget-defects-fell"]
    parts = [claim, claim.document, claim.period, claim.review, *claim.appearances, *claim.rebuttals]
    assert [part for part in parts if hasattr(part, "__dict__")] == []


def test_a_slotted_item_is_still_frozen(minimal_project: Path) -> None:
    claim = load(minimal_project)[0].claims["widget-defects-fell"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.status = "corroborated"  # type: ignore[misc]


def test_a_slotted_item_is_replaced_field_by_field(minimal_project: Path) -> None:
    claim = load(minimal_project)[0].claims["widget-defects-fell"]
    changed = dataclasses.replace(claim, status="corroborated")
    assert changed.status == "corroborated"
    assert [f.name for f in dataclasses.fields(changed)] == [f.name for f in dataclasses.fields(claim)]
    assert dataclasses.replace(changed, status=claim.status) == claim


def test_every_loaded_item_pickles_and_comes_back_equal(minimal_project: Path) -> None:
    dataset = load(minimal_project)[0]
    items = [*dataset.claims.values(), *dataset.sources.values(), *dataset.parties.values(), dataset.scale]
    assert pickle.loads(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)) == items


def test_an_unpickled_item_still_finds_the_lines_of_its_fields(minimal_project: Path) -> None:
    claim = load(minimal_project)[0].claims["widget-defects-fell"]
    again = pickle.loads(pickle.dumps(claim))
    assert again.document.path == CLAIM
    assert again.document.position(("rebuttals", 0, "stance")) == claim.document.position(("rebuttals", 0, "stance"))
    assert again.document.position(("status",)) == (23, 1)


def test_a_claim_from_the_item_cache_finds_the_lines_of_its_fields(minimal_project: Path, tmp_path: Path) -> None:
    load(minimal_project, cache_dir=tmp_path / "cache")
    assert ItemCache(minimal_project.resolve(), tmp_path / "cache").old  # the second load reads the cache
    cached = load(minimal_project, cache_dir=tmp_path / "cache")[0].claims["widget-defects-fell"]
    assert cached == load(minimal_project)[0].claims["widget-defects-fell"]
    assert cached.document.position(("review", "date")) == (27, 3)


def test_a_short_text_repeated_across_files_is_kept_once(minimal_project: Path) -> None:
    dataset = load(minimal_project, workers=1)[0]
    claim = dataset.claims["widget-defects-fell"]
    assert claim.claimant == "widgets-inc" and claim.claimant is dataset.parties["widgets-inc"].id
    assert claim.rebuttals[0].source is dataset.sources["widget-comment"].id


def test_a_longer_text_written_twice_in_one_file_is_kept_once(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    words = "I do not believe the defect figure, nor any figure in the report."
    text = path.read_text(encoding="utf-8").replace("I do not believe the defect figure.", words)
    path.write_text(text.replace("A reader doubts the figure.", words), encoding="utf-8")
    rebuttal = load(minimal_project)[0].claims["widget-defects-fell"].rebuttals[0]
    assert rebuttal.summary == rebuttal.quote == words
    assert rebuttal.summary is rebuttal.quote


def test_items_that_state_nothing_unknown_share_one_empty_set(minimal_project: Path) -> None:
    dataset = load(minimal_project)[0]
    unknown = [item.unknown for item in [*dataset.claims.values(), *dataset.parties.values()] if not item.unknown]
    assert len(unknown) > 2 and all(found is unknown[0] for found in unknown)


def test_only_a_slotted_dataclass_is_made_lean() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        name: str

    with pytest.raises(TypeError, match="not a slotted dataclass"):
        lean(Plain)


def test_a_lean_class_of_one_field_pickles_too() -> None:
    @lean
    @dataclasses.dataclass(frozen=True, slots=True)
    class One:
        name: str

    assert One.__getstate__(One("x")) == ("x",)  # type: ignore[attr-defined]
    restored = One.__new__(One)
    One.__setstate__(restored, ("x",))  # type: ignore[attr-defined]
    assert restored == One("x")


def test_the_dataset_is_keyed_by_its_items_own_ids_and_paths(minimal_project: Path) -> None:
    dataset = load(minimal_project, workers=1)[0]
    for claim_id, claim in dataset.claims.items():
        assert claim_id is claim.id
    paths = {claim.document.path: claim.document.path for claim in dataset.claims.values()}
    assert all(path is paths[path] for path in dataset.digests if path in paths)
    assert CLAIM in dataset.digests
