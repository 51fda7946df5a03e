"""Strict, position-aware YAML loading.

A document is composed to nodes with a YAML 1.2 core resolver (only ``true``/``false`` are booleans,
dates stay strings) and converted so that every value keeps its line and column. Refused: duplicate
keys, tags other than the core ones, aliases, several documents, characters no later reader (schema,
site, CSV, JSON, a terminal) takes safely, whole numbers JSON cannot read exactly, numbers beyond a
float's range and lists longer than a limit.
"""

from __future__ import annotations

import codecs
import contextlib
import math
import operator
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import BaseResolver

from .lean import lean

# FieldPath and format_field are imported from here by the rest of the package.
from .yamlhelp import FieldPath as FieldPath
from .yamlhelp import comment_in_value, explain, scalars
from .yamlhelp import format_field as format_field

Position = tuple[int, int]

MAX_DEPTH = 64
MAX_LIST_ITEMS = 1000  # the most items one list may hold unless the project says otherwise
# The largest whole number a JSON reader (JavaScript's Number, a double) reads exactly.
MAX_SAFE_INTEGER = 2**53 - 1

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, MAP, SEQ = (_CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq"))


class CoreResolver(BaseResolver):
    """The YAML 1.2 core schema: no ``yes``/``no`` booleans, no timestamps, no sexagesimal numbers."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        """BaseResolver.resolve without path resolvers, which it would try for every node."""
        if kind is ScalarNode:
            if implicit[0] and (not value or value[0] in _TYPED_STARTS):
                for tag, regexp in self.yaml_implicit_resolvers.get(value[0] if value else "", ()):
                    if regexp.match(value or ""):
                        return str(tag)
            return STR
        return SEQ if kind is SequenceNode else MAP

    # Called for every node, for path resolvers the core schema does not have: built-ins taking the same
    # arguments do nothing without a Python frame each time (a sixth of composing a large dataset).
    descend_resolver = staticmethod(operator.is_)  # type: ignore[assignment]  # (parent, index), result unused
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]  # (), result unused


_BOOL_FORM = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_FORM = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FINITE = r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
_FINITE_FLOAT_FORM = re.compile(f"^{_FINITE}$")
_FLOAT_FORM = re.compile(rf"^(?:{_FINITE}|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_NONZERO_DIGIT = re.compile(r"[1-9]")
_NULL_FORM = re.compile(r"^(?:~|null|Null|NULL|)$")
# What an explicit core tag (``!!int 12``) may carry: the same forms the core schema resolves implicitly.
_FORMS = {BOOL: _BOOL_FORM, INT: _INT_FORM, FLOAT: _FLOAT_FORM, NULL: _NULL_FORM}

CoreResolver.add_implicit_resolver(BOOL, _BOOL_FORM, list("tTfF"))
CoreResolver.add_implicit_resolver(INT, _INT_FORM, list("-+0123456789"))
CoreResolver.add_implicit_resolver(FLOAT, _FLOAT_FORM, list("-+.0123456789"))
CoreResolver.add_implicit_resolver(NULL, _NULL_FORM, ["~", "n", "N", ""])
# The first characters of a plain scalar that may be something other than a string.
_TYPED_STARTS = frozenset(start for start in CoreResolver.yaml_implicit_resolvers if start)

# U+FDD0-U+FDEF and the last two code points of each plane: for programs' own use, never text (XML 1.0 forbids some).
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
# Characters no text may hold, written or escaped: C0 controls but tab and line feed, DEL and C1 controls,
# directional embeddings, overrides and isolates (they can make text display in another order than it
# reads), lone surrogates (they crash UTF-8 encoders) and noncharacters; every text is then one XML 1.0 can
# carry. The marks U+200E, U+200F and U+061C stay: right-to-left text needs them and they reorder nothing.
_BAD_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff{NONCHARACTERS}]")
# Only an escape (a backslash) or one of these written out can put such a character in a value.
_SUSPECT = re.compile(rf"[\\\x7f-\x9f\u202a-\u202e\u2066-\u2069{NONCHARACTERS}]")
_CONTROL_NAMES = {0x00: "null", 0x08: "backspace", 0x0D: "carriage return", 0x1B: "escape", 0x7F: "delete"}


@dataclass(eq=False)
class YamlProblem(Exception):
    """A document that cannot be read: the rule, position and advice; ``detail``: the parser's own words."""

    rule: str
    position: Position
    message: str
    hint: str = ""
    field: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        super().__init__(self.message)


_NO_ALIAS = "write the value out in full: claim files do not use anchors and aliases"


class _StrictLoader(yaml.BaseLoader, CoreResolver):
    """PyYAML's pure-Python composer with the core resolver, refusing aliases."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlProblem("yaml-alias", _position(event), f"alias *{event.anchor} is not allowed", _NO_ALIAS)
        return super().compose_node(parent, index)


_HAS_LIBYAML = yaml.__with_libyaml__  # without libyaml, the strict loader does all the work

if _HAS_LIBYAML:

    class _FastLoader(yaml.CBaseLoader, CoreResolver):
        """libyaml with the core resolver (docs/benchmarks.md); :func:`_convert` refuses a node met twice (an alias)."""


@lean
@dataclass(frozen=True, slots=True)
class Document:
    """A loaded YAML file: its data and where each value stands in the file, worked out the first time
    a finding needs one (nearly every file has none: skipping them halves the cost of a large load)."""

    path: str
    data: Any
    text: str = field(default="", repr=False, compare=False)
    known_positions: dict[FieldPath, Position] = field(default_factory=dict, repr=False, compare=False)
    origin: str = field(default="", repr=False, compare=False)  # the file, read again if positions are needed

    @property
    def positions(self) -> Mapping[FieldPath, Position]:
        if not self.known_positions:
            text = self.text or (decode(Path(self.origin).read_bytes()) if self.origin else "")
            if text:
                self.known_positions.update(positions_of(text))
        return self.known_positions

    def slim(self) -> Document:
        """The same document without its data and text: positions are still found, from the file."""
        if not self.origin:
            return self
        return Document(path=self.path, data=None, known_positions=self.known_positions, origin=self.origin)

    def position(self, path: FieldPath) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one."""
        positions = self.positions
        while path and path not in positions:
            path = path[:-1]
        return positions.get(path, (1, 1))


def line_and_column(text: str, index: int) -> Position:
    """The line and column (both from 1, columns in characters) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def decode(raw: bytes) -> str:
    """UTF-8 text with a byte-order mark removed; a precise error otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
        raise YamlProblem("encoding", _byte_position(raw, exc.start), message, "save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _byte_position(raw: bytes, index: int) -> Position:
    """The line and column (in characters, as in every finding, after any byte-order mark) of ``raw[index]``."""
    line = raw.count(b"\n", 0, index) + 1
    before = raw[raw.rfind(b"\n", 0, index) + 1 : index].decode("utf-8", "replace")
    return line, len(before.removeprefix("\ufeff") if line == 1 else before) + 1


def form_notes(raw: bytes) -> list[tuple[str, Position, str]]:
    """The rule, position and message of a byte-order mark and of Windows line endings (CRLF) in ``raw``:
    YAML reads the file the same, but each line of a diff would differ and a stray ``\\r`` is easily
    copied into text."""
    notes = []
    if raw.startswith(codecs.BOM_UTF8):
        bom = "a byte-order mark (BOM), which some Windows editors add"
        notes.append(("byte-order-mark", (1, 1), f"the file starts with {bom}; data files are plain UTF-8 without one"))
    if (first := raw.find(b"\r\n")) >= 0:
        count = raw.count(b"\r\n")
        lines = f"{count} line ends" if count == 1 else f"{count:,} lines end"
        position = _byte_position(raw, first)
        message = f"{lines} in a Windows line ending (CRLF), the first on line {position[0]}; data files use LF only"
        notes.append(("line-ending", position, message))
    return notes


def load_document(path: str, raw: bytes, origin: str = "", *, max_items: int = MAX_LIST_ITEMS) -> Document:
    """Parse one YAML file strictly, no list longer than ``max_items``; raise :class:`YamlProblem` on anything doubtful.
    libyaml composes it; on any problem the pure-Python parser reads it again to say precisely what is wrong."""
    text = decode(raw)
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise YamlProblem("empty-file", (1, 1), "the file is empty", "fill it in, or delete it")
    if _HAS_LIBYAML:
        with contextlib.suppress(Exception):  # any doubt: the strict loader says precisely what is wrong
            return _build(path, _compose_fast(text), text, origin, max_items, with_positions=False)
    return _build(path, _compose_strict(text), text, origin, max_items)


def _check_comments(node: Node, text: str) -> None:
    """Refuse an unquoted value followed by ``#`` on its line: YAML would drop the rest as a comment."""
    found = comment_in_value(node, text, sys.maxsize)  # at any depth: this finding says more than yaml-depth
    if found is None:
        return
    position, path, line = found
    name = format_field(path)
    key, _, value = line.strip().partition(": ")
    keyed = f"{key}: " if key and value else ""
    whole = (value if keyed else line.strip().removeprefix("- ")).replace("'", "''")
    message = (
        f"the text of '{name}' stops before the '#' on line {position[0]}: YAML reads ' #' and what follows as a "
        "comment, not as part of the text"
    )
    note = "a note for editors goes on a line of its own, starting with #"
    hint = f"put the whole text in quotes ({keyed}'{whole}'); {note}"
    raise YamlProblem("yaml-comment", position, message, hint, name)


def _check_text(root: Node) -> None:
    """Raise :class:`YamlProblem` at the first key or text in ``root`` holding a character no text may hold."""
    for node, path, is_key in scalars(root, MAX_DEPTH):  # deeper: refused as too deep later
        found = refused_character(node.value, "field name" if is_key else "text")
        if found is not None:
            raise YamlProblem("text-control", _position(node), found[1], found[2], format_field(path))


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def refused_character(text: str, what: str = "text") -> tuple[int, str, str] | None:
    """The first character of ``text`` that no text may hold (``text-control``): its index, a message
    naming it (``what`` holds it: "text", "field name", "page") and a hint; None if there is none.
    The one test for every text a reader is shown: data, field names and pages."""
    found = _BAD_TEXT.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        message, hint = (
            f"the {what} holds U+{code:04X}, a lone surrogate: half of a character written as two "
            "\\u escapes, which is no character on its own",
            "write the character itself (the file is UTF-8), or escape it in one piece with eight hex digits, "
            "e.g. \\U0001F600 rather than \\ud83d\\ude00",
        )
    elif _is_noncharacter(code):
        message, hint = (
            f"the {what} holds U+{code:04X}, a noncharacter: a code point Unicode keeps for programs' own use, "
            "never for text, which XML (the corrections feed) cannot carry",
            "remove it, whether written as an escape (\\uffff) or pasted in: it shows as nothing a reader "
            "could read; if it came with copied text, type that part again",
        )
    elif code >= 0x202A:
        name = unicodedata.name(found.group()).lower()
        message, hint = (
            f"the {what} holds U+{code:04X} ({name}), which makes text display in another order than it reads",
            "remove it: directional formatting characters can hide what a text says; "
            "to set the direction of a single character, the marks U+200E and U+200F are allowed",
        )
    else:
        named = f" ({_CONTROL_NAMES[code]})" if code in _CONTROL_NAMES else ""
        message, hint = (
            f"the {what} holds the control character U+{code:04X}{named}",
            "remove it, whether written as an escape (\\0, \\e, \\x1b, ...) or pasted in: "
            "text holds no control characters other than tabs and line breaks",
        )
    return found.start(), message, hint


def text_problem(text: str) -> YamlProblem | None:
    """The first character no text may hold (``encoding``, ``text-control``) in a YAML file that is not data,
    such as a site configuration; None if there is none, or if the file is not YAML (its own reader says why)."""
    try:
        node = _compose_strict(text)
        if node is not None:
            _check_text(node)
    except YamlProblem as problem:
        return problem if problem.rule in ("encoding", "text-control") else None
    return None


def positions_of(text: str) -> dict[FieldPath, Position]:
    """Where each field of an already loaded document stands: its key's line and column."""
    try:
        node = _compose_fast(text) if _HAS_LIBYAML else _compose_strict(text)
    except Exception:
        node = _compose_strict(text)
    positions: dict[FieldPath, Position] = {}
    if node is not None:
        _convert(node, (), positions, set(), None)
    return positions


def _compose_fast(text: str) -> Node | None:
    loader = _FastLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose_strict(text: str) -> Node | None:
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here already
        return loader.get_single_node()
    except ReaderError as exc:
        code: int = exc.character  # its code point
        refused = refused_character(chr(code), "file") if _is_noncharacter(code) else None
        raise YamlProblem(
            "encoding",
            line_and_column(text, exc.position),
            f"the file contains a character YAML does not allow (U+{code:04X})",
            refused[2] if refused else "remove control characters such as NUL",
        ) from None
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if exc.problem == "but found another document":
            message, hint = "the file holds more than one YAML document", "a claim file holds exactly one YAML document"
        else:  # a duplicate anchor; aliases are refused before the composer sees them
            context = (exc.context or "").split(";")[0]
            message, hint = f"invalid YAML: {context or exc.problem}", "remove the anchors (`&name`)"
        raise YamlProblem("yaml-syntax", position, message, hint) from None
    except yaml.MarkedYAMLError as exc:
        said = explain(text, exc)
        raise YamlProblem("yaml-syntax", said.position, said.message, said.hint, said.field, said.detail) from None
    except RecursionError:
        raise YamlProblem("yaml-depth", (1, 1), "the document is nested too deeply", "flatten the structure") from None
    finally:
        if loader is not None:
            loader.dispose()


def _build(
    path: str,
    node: Node | None,
    text: str,
    origin: str = "",
    max_items: int = MAX_LIST_ITEMS,
    *,
    with_positions: bool = True,
) -> Document:
    if node is None or (isinstance(node, ScalarNode) and node.tag == NULL):
        raise YamlProblem("empty-file", (1, 1), "the file is empty", "fill it in, or delete it")
    _check_comments(node, text)
    if _SUSPECT.search(text):
        _check_text(node)
    positions: dict[FieldPath, Position] | None = {} if with_positions else None
    # An alias needs a "*" in the text: without one, no node can be met twice.
    data = _convert(node, (), positions, set() if "*" in text else None, max_items)
    return Document(path=path, data=data, text="" if origin else text, known_positions=positions or {}, origin=origin)


def _position(node: Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _refuse(rule: str, node: Node, path: FieldPath, message: str, hint: str) -> YamlProblem:
    return YamlProblem(rule, _position(node), message, hint, format_field(path))


def _bad_tag(node: Node, path: FieldPath) -> YamlProblem:
    hint = "remove the tag: only plain YAML values (text, numbers, true/false, lists, mappings) are read"
    return _refuse("yaml-tag", node, path, f"tag {node.tag!s} is not allowed", hint)


def _convert(
    node: Node,
    path: FieldPath,
    positions: dict[FieldPath, Position] | None,
    seen: set[int] | None,
    max_items: int | None,
) -> Any:
    """Python data for ``node``. Each field's position is that of its key, each list item's its own
    (``positions`` None: none kept); ``seen`` collects the nodes met, to refuse aliases (None: the
    text holds none); a list longer than ``max_items`` is refused (None: any length)."""
    if seen is not None:
        if id(node) in seen:  # only an alias makes one node appear twice
            raise YamlProblem("yaml-alias", _position(node), "aliases are not allowed", _NO_ALIAS)
        seen.add(id(node))
    if len(path) > MAX_DEPTH:
        raise _refuse("yaml-depth", node, path, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
    if positions is not None and path not in positions:
        positions[path] = _position(node)
    if isinstance(node, MappingNode):
        if node.tag != MAP:
            raise _bad_tag(node, path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode or key_node.tag != STR:
                hint = "write field names as words, e.g. `statement:`"
                raise YamlProblem(
                    "yaml-key", _position(key_node), "mapping keys must be plain text", hint, format_field(path)
                )
            key = key_node.value
            child = (*path, key)
            if key in result:
                first = positions[child] if positions is not None else _position(key_node)
                message = f"duplicate key '{key}' (first defined on line {first[0]})"
                raise _refuse(
                    "yaml-duplicate-key",
                    key_node,
                    child,
                    message,
                    "remove one of the two; YAML would silently keep only the last",
                )
            if positions is not None:
                positions[child] = _position(key_node)
            if value_node.__class__ is ScalarNode and value_node.tag == STR and seen is None:
                result[key] = value_node.value  # the common case, inlined: plain text
            else:
                result[key] = _convert(value_node, child, positions, seen, max_items)
        return result
    if isinstance(node, SequenceNode):
        if node.tag != SEQ:
            raise _bad_tag(node, path)
        if max_items is not None and len(node.value) > max_items:
            raise _refuse(
                "list-length",
                node,
                path,
                f"the list holds {len(node.value):,} items; at most {max_items:,} are allowed",
                "no real claim needs so many: check the list for a mistake; a project that does need longer "
                "lists raises `max_list_items` in claims/limits.yaml",
            )
        return [_convert(item, (*path, index), positions, seen, max_items) for index, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return _scalar(node, path)


def _shown(value: str) -> str:
    """A number as a message quotes it: a long one shortened, with its count of digits."""
    return f"'{value}'" if len(value) <= 30 else f"'{value[:12]}...{value[-6:]}' ({len(value)} characters)"


def _scalar(node: ScalarNode, path: FieldPath) -> Any:
    value: str = node.value
    if node.tag == STR:
        return value
    if node.tag not in _FORMS:
        raise _bad_tag(node, path)
    if not _FORMS[node.tag].fullmatch(value):
        message = f"'{value}' is not a valid {node.tag.rsplit(':', 1)[-1]}"
        raise _refuse("yaml-tag", node, path, message, "remove the tag or fix the value")
    if node.tag == NULL:
        return None
    if node.tag == BOOL:
        return value.lower() == "true"
    if node.tag == INT:
        digits = value.lstrip("+-")
        base = {"0o": 8, "0x": 16}.get(digits[:2], 10)
        digits = digits[2:] if base != 10 else digits
        # Counting digits first keeps a number of thousands of digits from being converted at all.
        if len(digits.lstrip("0")) <= 20 and (number := int(digits, base)) <= MAX_SAFE_INTEGER:
            return -number if value.startswith("-") else number
        raise _refuse(
            "number-range",
            node,
            path,
            f"{_shown(value)} is too large a whole number to be read exactly: JSON readers, the site's among them, "
            f"read whole numbers only up to ±{MAX_SAFE_INTEGER:,} (2^53 - 1)",
            "check the figure for a typo, or write it with a decimal exponent (1.5e24), which is read as an "
            "approximate number",
        )
    # Python's float() reads "inf" and "nan" but not YAML's ".inf" and ".nan"; neither is a figure.
    if not _FINITE_FLOAT_FORM.match(value):
        raise _refuse("yaml-tag", node, path, f"'{value}' is not a finite number", "write the figure as a plain number")
    figure = float(value)
    # Too large, it would be infinite; too small, zero: neither is the figure written.
    if math.isinf(figure) or (figure == 0 and _NONZERO_DIGIT.search(value.lower().partition("e")[0])):
        raise _refuse(
            "number-range",
            node,
            path,
            f"{_shown(value)} is {'too large' if figure else 'too small'} to be read as a number: "
            "numbers are read from about 1e-308 to 1e308 in size",
            "check the figure for a typo: no real figure lies outside this range",
        )
    return figure
