"""YAML syntax errors in plain words: what went wrong, where it started, in which field, and the fix.

PyYAML says where it gave up (at the end of the file, for a quote never closed); a contributor needs
the line they got wrong and what to type instead. :func:`comment_in_value` finds text cut short by a
``#`` that YAML took for a comment.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Position = tuple[int, int]
FieldPath = tuple[str | int, ...]

# A line that starts a field (``  source: x``), possibly as a list item (``- source: x``).
_LINE = re.compile(r"(?P<indent> *)(?P<dashes>(?:- +)*)(?:(?P<key>[^\s#:'\"\[\]{}-][^:#]*?) *:(?:[ \t]|$)|-$)?")
_DASHES = re.compile(r"- +|-$")


@dataclass(frozen=True)
class Explanation:
    position: Position
    message: str
    hint: str
    field: str
    detail: str


class _Level(NamedTuple):
    column: int
    part: str | int
    item: bool  # a list item rather than a field


def _levels(lines: list[str], upto: int) -> list[_Level]:
    """The fields and list items open at line ``upto`` (1-based), read from the indentation alone."""
    stack: list[_Level] = []
    for line in lines[:upto]:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "\t" in line[: len(line) - len(line.lstrip())]:
            continue
        match = _LINE.match(line)
        if match is None or (not match.group("dashes") and not match.group("key")):
            continue
        column = len(match.group("indent"))
        for dash in _DASHES.finditer(match.group("dashes")):
            index = 0
            while stack and (stack[-1].column > column or (stack[-1].column == column and stack[-1].item)):
                popped = stack.pop()
                if popped.item and popped.column == column:
                    index = int(popped.part) + 1
            stack.append(_Level(column, index, True))
            column += len(dash.group())
        if match.group("key"):
            while stack and stack[-1].column >= column and not (stack[-1].item and stack[-1].column < column):
                stack.pop()
            stack.append(_Level(column, match.group("key").strip(), False))
    return stack


def format_field(path: FieldPath) -> str:
    """``rebuttals[0].source`` for ``("rebuttals", 0, "source")``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:  # a key: an empty one first in the path gives no leading dot
            text += f".{part}" if text else str(part)
    return text


def field_at(text: str, line: int) -> str:
    """``rebuttals[0].quote``: the field being written at ``line`` (1-based), as far as indentation tells."""
    return format_field(tuple(level.part for level in _levels(text.splitlines(), line)))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _quoted(text: str) -> str:
    """``text`` in single quotes, as YAML writes it."""
    return "'" + text.replace("'", "''") + "'"


def _detail(exc: yaml.MarkedYAMLError) -> str:
    parts = [
        f"{words} (line {mark.line + 1}, column {mark.column + 1})" if mark else words
        for words, mark in ((exc.context, exc.context_mark), (exc.problem, exc.problem_mark))
        if words
    ]
    return "YAML parser: " + ("; ".join(parts) or "invalid YAML")


def explain(text: str, exc: yaml.MarkedYAMLError) -> Explanation:
    """The syntax error ``exc`` met in ``text``, in plain words, at the line where the problem starts."""
    lines = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    line_text = lines[position[0] - 1] if 0 < position[0] <= len(lines) else ""
    problem = exc.problem or ""
    detail = _detail(exc)

    def said(position: Position, message: str, hint: str, field: str | None = None) -> Explanation:
        return Explanation(position, message, hint, field_at(text, position[0]) if field is None else field, detail)

    if "'\\t'" in problem:
        # The field the tabbed line writes: the one beside the field above it, by its name.
        named = re.match(r"[ \t]*(?:- +)?([^\s#:'\"\[\]{}-][^:#]*?) *:(?:[ \t]|$)", line_text)
        previous = field_at(text, position[0] - 1)
        within = previous.rpartition(".")[0] if not previous.endswith("]") else previous
        written = (f"{within}.{named.group(1)}" if within else named.group(1)) if named else previous
        if line_text.lstrip(" \t").startswith("-"):  # a list item: of the field above
            written = previous
        return said(
            position,
            f"line {position[0]} is indented with a tab: YAML allows only spaces there",
            "replace the tab with spaces, as many as the lines around it use (two per level)",
            written,
        )
    if "quoted scalar" in (exc.context or "") and exc.context_mark is not None:
        opened = (exc.context_mark.line + 1, exc.context_mark.column + 1)
        quote = text[exc.context_mark.index] if exc.context_mark.index < len(text) else '"'
        if "escape" in problem:
            return said(
                position,
                "a backslash (\\) in text between double quotes starts an escape YAML does not know",
                "put the text between single quotes instead, or write the backslash twice (\\\\)",
            )
        message = f"the quote ({quote}) that opens this text on line {opened[0]} is never closed"
        return said(opened, message, _close_quote(quote, "on the same line"))
    if problem == "mapping values are not allowed here":
        match = _LINE.match(line_text)
        key = match.group("key") if match else None
        first_colon = (
            (len(match.group("indent")) + len(match.group("dashes")) + len(key.rstrip())) if key and match else -1
        )
        if key and mark is not None and line_text.find(":", first_colon) == mark.column:
            above = _previous_line(lines, position[0])
            where = (position[0], _indent(line_text) + 1)
            parent = field_at(text, above[0]).rpartition(".")[0] if above else ""
            return said(
                where,
                f"line {position[0]} is indented more than the field above it, so YAML reads it as part of "
                "that field's text",
                f"indent '{key.strip()}' like the field above it"
                + (f" (on line {above[0]} it starts in column {above[1]})" if above else ""),
                f"{parent}.{key.strip()}" if parent else key.strip(),
            )
        if key:
            value = line_text[first_colon + 1 :].strip()
            return said(
                position,
                f"the text of '{key.strip()}' holds ': ' (a colon and a space), which YAML reads as the start "
                "of a new field",
                f"put the whole text in quotes: {key.strip()}: {_quoted(value)}",
            )
    if problem.startswith("expected <block end>") and mark is not None:
        found = problem.partition("but found ")[2]
        if found in ("'-'", "'<block sequence start>'"):
            within = field_at(text, position[0] - 1)
            return said(
                (position[0], _indent(line_text) + 1),
                f"the list item on line {position[0]} is not at the depth of the list it belongs to",
                "start the item's '-' in the same column as the '-' of the items above it"
                + _columns(lines, position[0], item=True),
                within.partition("[")[0],
            )
        opened_at = _unclosed_quote(text, mark.index) if found == "'<scalar>'" else None
        if opened_at is not None:
            # A quote never closed on its line, that YAML read on, line after line, up to the next quote of its
            # kind: the text after that one is where the parser stopped, but the mistake is where it opened.
            start, quote = opened_at
            opened = (start.line + 1, start.column + 1)
            message = (
                f"the quote ({quote}) that opens this text on line {opened[0]} is never closed on its line: "
                f"YAML reads on to the next {quote} on line {position[0]}"
            )
            return said(opened, message, _close_quote(quote, f"on line {opened[0]}"))
        if found == "'<scalar>'" and line_text[: mark.column].rstrip().endswith(('"', "'")):
            match = _LINE.match(line_text)
            key = (match.group("key") or "").strip() if match else ""
            value = line_text[len(match.group(0)) :].strip() if match and key else line_text.strip()
            return said(
                position,
                "the text goes on after its closing quote: YAML reads only what is between the quotes",
                f"put the whole text between single quotes: {key + ': ' if key else ''}{_quoted(value)}"
                if value.startswith('"')
                else "put the whole text between quotes of the other kind",
            )
        return said(
            (position[0], _indent(line_text) + 1),
            f"line {position[0]} does not line up with the lines above it",
            "indent it exactly as the fields it belongs with" + _columns(lines, position[0], item=False),
        )
    return said(
        position,
        "this line is not valid YAML",
        "check the indentation (spaces only, fields of one level in one column) and the quotes; text containing "
        "': ' or starting with a quote needs quotes around it",
    )


def _close_quote(quote: str, where: str) -> str:
    inside = "\\" + quote if quote == '"' else "''"
    return (
        f"end the text with {quote} {where}; a {quote} inside the text is written {inside}, "
        "or put the whole text between the other kind of quotes"
    )


def _previous_line(lines: list[str], line: int) -> tuple[int, int] | None:
    """The number of the last field line before ``line``, and the column (1-based) its field starts at."""
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            match = _LINE.match(text)
            return number, 1 + (len(match.group("indent")) + len(match.group("dashes")) if match else _indent(text))
    return None


def _columns(lines: list[str], line: int, *, item: bool) -> str:
    columns = sorted({level.column + 1 for level in _levels(lines, line - 1) if level.item == item})
    return f" (column {' or '.join(map(str, columns))} here)" if columns else ""


def _unclosed_quote(text: str, index: int) -> tuple[yaml.Mark, str] | None:
    """Where the quoted text that ends just before ``index`` opens, and its quote, if it opens on an
    earlier line: a quote left open, which YAML read on to the next one; ``None`` otherwise."""
    last: yaml.ScalarToken | None = None
    with contextlib.suppress(yaml.YAMLError):
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= index:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    if last is None or last.style not in ('"', "'") or last.start_mark.line == last.end_mark.line:
        return None
    # Not if something else stands between the quoted text and where the parser stopped.
    return None if text[last.end_mark.index : index].strip() else (last.start_mark, last.style)


def scalars(root: Node, max_depth: int) -> Iterator[tuple[ScalarNode, FieldPath, bool]]:
    """Each scalar under ``root`` in the order of the file, with its field path and whether it is a key.
    Each collection is visited once (libyaml's nodes may hold an alias), none deeper than ``max_depth``."""
    stack: list[tuple[Node, FieldPath, bool]] = [(root, (), False)]
    seen: set[int] = set()
    while stack:
        node, path, is_key = stack.pop()
        if isinstance(node, ScalarNode):
            yield node, path, is_key
        elif id(node) not in seen and len(path) <= max_depth:
            seen.add(id(node))
            if isinstance(node, MappingNode):
                for key, value in reversed(node.value):
                    child = (*path, key.value if isinstance(key, ScalarNode) else "?")
                    stack += [(value, child, False), (key, child, True)]
            elif isinstance(node, SequenceNode):
                stack += [(item, (*path, index), False) for index, item in reversed(list(enumerate(node.value)))]


# ``#`` straight after a space and before a letter or digit (``figure #2``) belongs to the text the
# writer meant; ``# note``, with a space after it, is a comment on purpose.
_COMMENT_AFTER = re.compile(r"[ \t]*#[^\s#]")


def comment_in_value(node: Node, text: str, max_depth: int) -> tuple[Position, FieldPath, str] | None:
    """The first unquoted value followed on its line by a ``#`` that looks like part of it (``#2``: YAML
    drops the rest of the line as a comment): its position, field path and the line's text; ``None``
    if there is none."""
    if " #" not in text and "\t#" not in text:
        return None
    for scalar, path, is_key in scalars(node, max_depth):
        if is_key or scalar.style or not path or scalar.end_mark.line != scalar.start_mark.line:
            continue
        end = scalar.end_mark.index
        line_end = text.find("\n", end)
        rest = text[end : line_end if line_end >= 0 else len(text)]
        if _COMMENT_AFTER.match(rest):
            start = text.rfind("\n", 0, end) + 1
            return (scalar.start_mark.line + 1, scalar.start_mark.column + 1), path, text[start : end + len(rest)]
    return None
