"""The JSON Schema contract and its errors as findings.

One schema file (``claimledger/schema/claimledger.schema.json``) defines every kind of YAML document
under ``claims/``. jsonschema-rs, compiled, recognises the (many) valid documents; jsonschema explains
an invalid one, each error at its field's line and column. Both take ``pattern`` and ``format`` from
jsonschema-rs, so that they cannot disagree.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from ..findings import Finding, error
from .kinds import KINDS
from .suggest import close_match
from .yamlsafe import Document, FieldPath, format_field

if TYPE_CHECKING:  # jsonschema is imported only when a file is invalid: it is slow to import
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "claimledger.schema.json"


@cache
def schema_text() -> str:
    return (resources.files("claimledger") / "schema" / SCHEMA_FILE).read_text(encoding="utf-8")


@cache
def schema() -> Mapping[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


# One schema file per kind, for other tools (check-jsonschema, yaml-language-server): a `$ref` to the kind's
# definition in the combined schema beside it; no `$id`, so that it resolves against where it was read from.
KIND_SCHEMAS = {name: kind.schema_def for name, kind in KINDS.items()} | {
    "status-scale": "status_scale",
    "publisher": "publisher",
}


def kind_schema_text(name: str) -> str:
    """The text of ``claimledger/schema/<name>.schema.json``: a ``$ref`` to the combined schema's definition."""
    words = name.replace("-", " ")
    data = {
        "$schema": schema()["$schema"],
        "title": f"claimledger {words} file",
        "description": f"A {words} file under claims/, as claimledger check reads it.",
        "$ref": f"{SCHEMA_FILE}#/$defs/{KINDS[name].schema_def if name in KINDS else KIND_SCHEMAS[name]}",
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_kind_schemas(folder: Path) -> None:
    """Write every kind's schema file into ``folder`` (the package's schema folder, after adding a kind)."""
    for name in KIND_SCHEMAS:
        (folder / f"{name}.schema.json").write_text(kind_schema_text(name), encoding="utf-8", newline="\n")


@cache
def _validator(definition: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend
    from referencing import Registry, Resource

    root = schema()
    registry: Registry[Any] = Registry().with_resource(root["$id"], Resource.from_contents(dict(root)))
    # The two keywords whose meaning depends on an implementation, evaluated by jsonschema-rs: in ECMA-262
    # patterns `$` is the end of the text (Python's also matches before a final "\n"); formats such as `uri`.
    keywords = {"pattern": _rs_keyword("pattern", "{!r} does not match {!r}"), "format": _rs_keyword("format")}
    validator = extend(Draft202012Validator, keywords)  # type: ignore[no-untyped-call]
    return validator({"$ref": f"{root['$id']}#/$defs/{definition}"}, registry=registry)  # type: ignore[no-any-return]


def _rs_keyword(keyword: str, message: str = "{!r} is not a {!r}") -> Any:
    """jsonschema's check of ``keyword`` (on text), made by jsonschema-rs, with jsonschema's message."""

    def check(validator: Any, value: str, instance: Any, _: Mapping[str, Any]) -> Iterator[ValidationError]:
        from jsonschema.exceptions import ValidationError

        if not isinstance(instance, str):
            return
        try:
            valid = _keyword_validator(keyword, value).is_valid(instance)
        except UnicodeEncodeError:  # a lone surrogate: no text matches a pattern with it (the loader reports it)
            valid = False
        if not valid:
            yield ValidationError(message.format(instance, value))

    return check


@cache
def _keyword_validator(keyword: str, value: str) -> Any:
    return jsonschema_rs.validator_for({keyword: value}, validate_formats=True)


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    symbol: str
    description: str


@cache
def units() -> Mapping[str, Unit]:
    """The unit vocabulary, read from the schema so that it is defined once."""
    return {
        entry["const"]: Unit(entry["const"], entry["title"], entry.get("x-symbol", ""), entry["description"])
        for entry in schema()["$defs"]["unit"]["oneOf"]
    }


@cache
def _fast_validator(definition: str) -> Any:
    """jsonschema-rs, a compiled validator of the same Draft 2020-12 schema: answers "valid?" quickly."""
    root = schema()
    return jsonschema_rs.Draft202012Validator(
        {"$schema": root["$schema"], "$ref": f"#/$defs/{definition}", "$defs": root["$defs"]},
        validate_formats=True,
    )


def validate(document: Document, definition: str) -> list[Finding]:
    """Every schema error of ``document`` against ``$defs/definition``, one finding each; jsonschema-rs
    recognises the valid documents, three times as fast (docs/benchmarks.md)."""
    with contextlib.suppress(ValueError, OverflowError):  # data it cannot take (a lone surrogate)
        if _fast_validator(definition).is_valid(document.data):
            return []
    errors = _validator(definition).iter_errors(document.data)
    return sorted({_finding(document, _leaf(err)) for err in errors})


def _schema_of(err: ValidationError) -> Mapping[str, Any]:
    return err.schema if isinstance(err.schema, Mapping) else {}


def _leaf(err: ValidationError) -> ValidationError:
    """For ``oneOf`` over constants or a URL, the error itself; otherwise the most specific one."""
    while err.validator in ("oneOf", "anyOf") and err.context:
        alternatives: list[Any] = list(_schema_of(err).get(str(err.validator), []))
        if _is_constant_list(alternatives) or _is_url_or_unknown(alternatives):
            break
        err = max(err.context, key=lambda e: len(e.absolute_path))
    return err


def _is_constant_list(alternatives: list[Any]) -> bool:
    return bool(alternatives) and all(isinstance(a, dict) and "const" in a for a in alternatives)


def _is_url_or_unknown(alternatives: list[Any]) -> bool:
    return any(isinstance(a, dict) and a.get("$ref", "").endswith("/url") for a in alternatives)


def _finding(document: Document, err: ValidationError) -> Finding:
    path: FieldPath = tuple(err.absolute_path)
    sub = _schema_of(err)
    instance = err.instance
    if err.validator == "required":
        missing = _quoted_name(err.message)
        message, hint = f"missing required field '{missing}'", _describe(sub, missing)
        return error(document.path, document.position(path), "schema", format_field((*path, missing)), message, hint)
    if err.validator == "dependentRequired":
        missing, present = _quoted_name(err.message), _quoted_name(err.message.split(" of ", 1)[-1])
        message = f"'{present}' needs '{missing}' beside it"
        hint = "a figure has both `value:` (a plain number) and `unit:`; a baseline or conversion needs a `value:`"
        field = format_field((*path, missing))
        return error(document.path, document.position((*path, present)), "schema", field, message, hint)
    rule, message, hint = "schema", err.message, ""
    if err.validator == "additionalProperties":
        allowed = sorted(sub.get("properties", {}))
        extras = [key for key in instance if key not in allowed] if isinstance(instance, dict) else []
        path = (*path, extras[0] if extras else "?")
        close = close_match(str(path[-1]), allowed)
        message = f"unknown field '{path[-1]}'"
        hint = f"did you mean '{close}'?" if close else f"allowed fields: {', '.join(allowed)}"
    elif (choices := _choices(err, sub)) is not None:
        close = close_match(str(instance), [str(c) for c in choices], typo_only=True)
        message = f"{instance!r} is not one of the allowed values"
        hint = (f"did you mean '{close}'? " if close else "") + f"allowed: {', '.join(map(str, choices))}"
    elif _is_url_error(err):
        rule, message = "url-scheme", f"{_short(instance)} is not an http or https URL"
        hint = "use an absolute http:// or https:// address; other schemes (javascript:, data:, file:) are refused"
    elif err.validator == "pattern":
        message = f"{_short(instance)} does not have the expected form"
        hint = sub.get("description", "") or f"expected to match {err.validator_value}"
        if sub.get("$comment") == "id" or err.validator_value == schema()["$defs"]["id"]["pattern"]:
            rule, hint = (
                "id-format",
                "ids use lower-case letters, digits and hyphens, e.g. `alibaba-2017-complaints-drop`",
            )
    elif err.validator == "type":
        expected = err.validator_value
        found = _VALUE_NAMES.get(type(instance), "a mapping")
        message = f"{_short(instance)} should be {_type_words(expected)}, not {found}"
        hint = _type_hint(instance, expected)
    elif err.validator == "maxLength":
        length = len(instance) if isinstance(instance, str) else 0
        message = f"text is {length} characters long; at most {err.validator_value} allowed"
        hint = sub.get("description", "")
    elif err.validator == "minLength":
        message, hint = "text is empty", sub.get("description", "")
    elif err.validator in ("minimum", "maximum"):
        message = f"{instance!r} is out of range"
        hint = sub.get("description", "") or (
            "a share (unit `percent`) lies between 0 and 100; counts, rates, durations and amounts are not negative"
        )
    elif err.validator == "uniqueItems":
        message, hint = "the list repeats an item", "list each item once"
    elif err.validator == "minItems":
        message, hint = "the list is empty", sub.get("description", "") or "add at least one item"
    elif err.validator == "const":
        expected = json.dumps(err.validator_value)
        message = f"{_short(instance)} must be {expected}"
        hint = f"write `{expected}`" + (
            " (YAML 1.1 words like yes/on are text here)" if isinstance(instance, str) else ""
        )
    if not hint:
        hint = sub.get("description") or (
            "see what this field takes in claimledger/schema/claimledger.schema.json (editors show it as you type)"
        )
    return error(document.path, document.position(path), rule, format_field(path), message, hint)


def _choices(err: ValidationError, sub: Mapping[str, Any]) -> list[Any] | None:
    """The allowed values, for an ``enum`` error or a ``oneOf`` over constants."""
    if err.validator == "enum" and isinstance(err.validator_value, list):
        return err.validator_value
    alternatives = sub.get(str(err.validator), [])
    if err.validator in ("oneOf", "anyOf") and _is_constant_list(alternatives):
        return [a["const"] for a in alternatives]
    return None


def _is_url_error(err: ValidationError) -> bool:
    sub = _schema_of(err)
    if err.validator in ("oneOf", "anyOf"):
        return _is_url_or_unknown(sub.get(str(err.validator), []))
    return err.validator in ("pattern", "format") and sub.get("pattern") == schema()["$defs"]["url"]["pattern"]


def _quoted_name(message: str) -> str:
    """The first name in single quotes in a jsonschema message."""
    found = re.search(r"'([^']*)'", message)
    return found.group(1) if found else message


def _describe(parent_schema: Mapping[str, Any], name: str) -> str:
    prop = parent_schema.get("properties", {}).get(name, {})
    description = prop.get("description", "")
    if not description and "$ref" in prop:
        description = schema()["$defs"].get(prop["$ref"].rsplit("/", 1)[-1], {}).get("description", "")
    return f"add `{name}:` ({description})" if description else f"add `{name}:`"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}
# What a value the file holds is called, by its Python type; anything else is a mapping.
_VALUE_NAMES = {
    type(None): "empty",
    bool: "true/false",
    int: "a number",
    float: "a number",
    str: "text",
    list: "a list",
}


def _type_words(expected: object) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_NAMES.get(str(n), str(n)) for n in names)


def _type_hint(value: object, expected: object) -> str:
    names = expected if isinstance(expected, list) else [expected]
    if isinstance(value, str) and ("number" in names or "integer" in names):
        return 'write the figure as a plain number in base units: 430000000, not "430 million" or 430_000_000'
    if not isinstance(value, str) and "string" in names:
        return "put the value in quotes to keep it as text"
    if value is None:
        return "fill in a value, or remove the field"
    if "array" in names:
        return "write a list: one `- item` per line below the field"
    if "object" in names:
        return "write the fields of this entry indented below it"
    return ""
