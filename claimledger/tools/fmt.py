"""``claimledger fmt``: data files in one canonical style, comments kept with the field they follow.

Fields in the schema's order, two spaces per level with list items under their field, quotes only where
needed, and text too long for its field's line as a folded block (``>-``). A file is rewritten only if it
reads back as exactly the same data.
"""

from __future__ import annotations

import difflib
import io
import itertools
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from ..findings import printable
from ..record import paths
from ..record.kinds import KINDS
from ..record.layout import Layout
from ..record.schema import schema
from ..record.yamlsafe import YamlProblem, load_document

WIDTH = 100  # columns a field's line may take; longer text becomes a folded block
FOLD = 80  # columns the lines of a folded block take at most (a longer word is not broken)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _CoreResolver(VersionedResolver):
    """YAML 1.2's core schema, as claimledger reads files: a date is text, so it needs no quotes."""

    @property
    def versioned_resolver(self) -> Any:
        found = super().versioned_resolver
        return {first: [(tag, rx) for tag, rx in rules if tag != _TIMESTAMP] for first, rules in found.items()}


def round_trip() -> YAML:
    """A YAML reader and writer in the house style that keeps comments (for commands that edit a file)."""
    yaml = YAML(typ="rt")
    yaml.Resolver = _CoreResolver
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never wrap plain text: long text becomes a folded block instead (see _fold)
    yaml.preserve_quotes = False
    return yaml


def _dumped(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _data(text: str) -> Any:
    return load_document("", text.encode("utf-8")).data


def _insert(data: CommentedMap, kind: str, name: str, value: object) -> None:
    """Set ``name`` in ``data``: where it was, else where the schema's order of ``kind``'s fields puts it."""
    if name in data:
        data[name] = value
        return
    order = list(schema()["$defs"][KINDS[kind].schema_def]["properties"])
    before = set(order[: order.index(name)])
    keys = list(data)
    position = max((index + 1 for index, key in enumerate(keys) if key in before), default=len(keys))
    data.insert(position, name, value)


def set_fields(text: str, kind: str, fields: Mapping[str, Any]) -> str:
    """``text`` (a ``kind`` file) with ``fields`` set, the rest as it was; ``ValueError`` if it would change."""
    yaml = round_trip()
    data = yaml.load(text)
    if not isinstance(data, CommentedMap):
        raise ValueError("it is not a mapping of fields")
    for name, value in fields.items():
        _insert(data, kind, name, value)
    result = _dumped(yaml, data)
    before, written = _data(text), _data(result)
    for name, value in fields.items():
        before.pop(name, None)
        if written.pop(name, None) != (dict(value) if isinstance(value, CommentedMap) else value):
            raise ValueError(f"writing {name} would change other data")
    if before != written:
        raise ValueError(f"writing {', '.join(fields)} would change other data")
    return result


def _definition(node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref", "")
    return schema()["$defs"][ref.rpartition("/")[2]] if ref.startswith("#/$defs/") else node


def _fold(text: str, column: int) -> str | FoldedScalarString:
    """``text`` as a folded block wrapped at :data:`FOLD` (from ``column``), if folding keeps it the same."""
    # Folded only at single spaces: textwrap breaks at any white space, and a fold joins with a space.
    if any(space in text for space in "\t\n\x0b\x0c\r") or text != text.strip() or "  " in text or " #" in text:
        return text
    width = max(FOLD - column, 30)
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    folds = [end - 1 for end in itertools.accumulate(len(line) + 1 for line in lines[:-1])]
    folded: FoldedScalarString = FoldedScalarString(text)
    folded.fold_pos = folds  # type: ignore[attr-defined]
    return folded


def _text(value: str, line_length: int, column: int) -> Any:
    if isinstance(value, LiteralScalarString):
        return value
    return str(value) if line_length + len(value) <= WIDTH else _fold(str(value), column)


def _canonical(value: Any, definition: Mapping[str, Any], column: int) -> Any:
    """``value`` in the canonical style; ``column``: where a mapping's keys start."""
    definition = _definition(definition)
    if isinstance(value, CommentedMap):
        properties: Mapping[str, Any] = definition.get("properties", {})
        order = [key for key in properties if key in value] + [key for key in value if key not in properties]
        for key in order:
            value.move_to_end(key)
        for key in order:
            item = value[key]
            if isinstance(item, str):
                value[key] = _text(item, column + len(str(key)) + 2, column + 2)
            else:
                inner = column + 4 if isinstance(item, CommentedSeq) else column + 2
                value[key] = _canonical(item, properties.get(key, {}), inner)
        return value
    if isinstance(value, CommentedSeq):
        items = _definition(definition.get("items", {})) if isinstance(definition.get("items"), dict) else {}
        for index, item in enumerate(value):
            if isinstance(item, str) and not value.fa.flow_style():
                value[index] = _text(item, column, column)
            elif not isinstance(item, str):
                value[index] = _canonical(item, items, column)
        return value
    return value


def canonical_text(text: str, kind: str) -> str:
    """``text`` (a file of ``kind``) in the canonical style; ``ValueError`` if unreadable or if it would change."""
    yaml = round_trip()
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise ValueError(f"it is not valid YAML ({str(exc).splitlines()[0]}); run claimledger check") from None
    result = _dumped(yaml, _canonical(data, schema()["$defs"][KINDS[kind].schema_def], 0))
    try:
        same = _data(text) == _data(result)
    except YamlProblem as problem:
        raise ValueError(f"{problem.message}; run claimledger check") from None
    if not same:
        raise ValueError("formatting would change its data; it is left as it is")
    return result


@dataclass(frozen=True)
class Outcome:
    path: str  # relative to the project root
    changed: bool
    problem: str = ""
    position: tuple[int, int] | None = None  # where the problem is, if it is at a place in the file
    hint: str = ""
    diff: tuple[str, ...] = ()  # what formatting changes, as a unified diff (with ``check``)


def normalised(text: str) -> str:
    """``text`` without a byte-order mark, with LF line endings only (CRLF and a lone CR are breaks to YAML)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ``\\n`` (a carriage return stays part of its line)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def diff(rel: str, before: str, after: str) -> tuple[str, ...]:
    """The unified diff from ``before`` to ``after``, every character visible (CR as ``\\r``, BOM as ``\\ufeff``)."""
    lines = difflib.unified_diff(_lines(before), _lines(after), fromfile=rel, tofile=f"{rel} (formatted)")
    return tuple(printable(line.removesuffix("\n")).replace("\ufeff", "\\ufeff") for line in lines)


def _kind_of(layout: Layout, path: Path) -> str | None:
    return next((name for name, kind in KINDS.items() if path.is_relative_to(layout.data_dir / kind.data_folder)), None)


def files(root: Path, given: Sequence[Path] = ()) -> Iterator[tuple[Path, str | None]]:
    """The data files to format, with their kind: those ``given`` (files or folders), else all of them."""
    layout = Layout(root.resolve())
    folders = [layout.data_dir / kind.data_folder for kind in KINDS.values()]
    targets = [path.resolve() for path in given] or [folder for folder in folders if folder.exists()]
    for target in targets:
        if target.is_dir():
            for name in paths.walk(layout.root, target).files:
                if name.endswith(paths.DATA_SUFFIX):
                    yield Path(name), _kind_of(layout, Path(name))
        else:
            yield target, _kind_of(layout, target)


def run(root: Path, given: Sequence[Path] = (), *, check: bool = False) -> list[Outcome]:
    """Format the files (with ``check``, only tell which would change)."""
    layout = Layout(root.resolve())
    return [_format(layout, path, kind, check) for path, kind in files(root, given)]


def _format(layout: Layout, path: Path, kind: str | None, check: bool) -> Outcome:
    rel = layout.relative(path)
    if kind is None:
        return Outcome(rel, False, "not a claim, source or party file (under claims/)")
    try:
        raw = path.read_bytes()
        load_document(rel, raw)  # the strict reader says where and why a file cannot be read
        text = raw.decode("utf-8")
        result = canonical_text(normalised(text), kind)
    except OSError as exc:
        return Outcome(rel, False, f"cannot be read: {exc.strerror}")
    except YamlProblem as problem:
        said = f"it is not valid YAML: {problem.message}" if problem.rule == "yaml-syntax" else problem.message
        return Outcome(rel, False, said, problem.position, problem.hint)
    except ValueError as exc:
        return Outcome(rel, False, str(exc))
    changed = result != text
    if changed and not check:
        paths.write_whole(path, result)  # whole or not at all: never a half-written claim
    return Outcome(rel, changed, diff=diff(rel, text, result) if changed and check else ())
