"""``claimledger new``: write a valid claim, source, party or metric file to start from.

Every required field has a flag; in a terminal, missing ones are asked for, otherwise they are an error
(never a prompt on a pipe or in CI). The file is created exclusively: an existing one is never overwritten.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..checks.evidence import independent
from ..record import paths
from ..record.layout import KIND_DIRS, SCHEMA_COPY, Layout
from ..record.loader import ID_PATTERN, scale_from_bytes
from ..record.model import Dataset
from ..record.placeholders import PLACEHOLDER
from ..record.schema import schema, units, validate
from ..record.suggest import close_match
from ..record.yamlsafe import YamlProblem, load_document
from .skeleton import PACKAGE

MODELINE = "# yaml-language-server: $schema={up}claimledger/schema/claimledger.schema.json#/$defs/{kind}\n"


@dataclass(frozen=True)
class Field:
    name: str  # the YAML field
    prompt: str
    required: bool = True
    default: str | None = None


FIELDS: Mapping[str, tuple[Field, ...]] = {
    "claim": (
        Field("statement", "Neutral one-line statement (at most 120 characters)"),
        Field("quote", "The claim in the claimant's exact words"),
        Field("claimant", "Claimant (party id)"),
        Field("source", "Source id where the quote appears"),
        Field("date", "When the claim was made (YYYY-MM-DD, YYYY-MM, YYYY or unknown)", default="unknown"),
        Field("first_appearance", "Source id where it was first made", required=False),
        Field("locator", "Where in the source (section, paragraph, page)", required=False),
        Field("value", "The figure as a plain number in its unit (430000000, not 430 million)", required=False),
        Field("unit", "The figure's unit", required=False),
        Field("counted", "What a count or rate counts (stores, trades), as the source says", required=False),
        Field("status", "Status id", default="unverified"),
        Field("rationale", "One sentence: why this status", default=f"{PLACEHOLDER}why this status, in one sentence"),
    ),
    "source": (
        Field("title", "Title"),
        Field("kind", "Kind"),
        Field("published", "Published (YYYY-MM-DD, YYYY-MM, YYYY or unknown)", default="unknown"),
        Field("url", "Address (http/https, or unknown)", default="unknown"),
        Field("author", "Author (party id)", required=False),
        Field("publisher", "Publisher (party id)", required=False),
        Field("place", "Where it was published or presented (a city), as the source says", required=False),
    ),
    "party": (
        Field("name", "Name"),
        Field("kind", "Kind"),
        Field("role", "Role", required=False),
        Field("affiliation", "Affiliation (party id)", required=False),
    ),
    "metric": (
        Field("title", "Title"),
        Field("counts", "What is counted, as the sources say (or unknown)", default="unknown"),
        Field("counted_by", "Who counts (party id, or unknown)", default="unknown"),
        Field("period", "The period each figure covers (or unknown)", default="unknown"),
    ),
}


class ScaffoldError(Exception):
    pass


def statuses(root: Path | None = None) -> tuple[str, ...]:
    """The status ids of the project's scale (claims/statuses.yaml under ``root``), else of the default one."""
    layout = Layout((root or Path.cwd()).resolve())
    path, rel = layout.status_file, layout.relative(layout.status_file)
    scale = scale_from_bytes(layout.root, rel, path.read_bytes()) if path.is_file() else None
    if scale is None:
        scale = scale_from_bytes(layout.root, rel, (PACKAGE / "data" / "statuses.yaml").read_bytes())
    return tuple(status.id for status in scale.statuses) if scale is not None else ()


def allowed(kind: str, name: str, root: Path | None = None) -> tuple[str, ...] | None:
    """The values a field of a new ``kind`` may take, read from the schema (and, for a claim's
    status, from the project's scale); ``None`` for a field that takes any text."""
    if (kind, name) == ("claim", "status"):
        return statuses(root)
    definition: dict[str, Any] = schema()["$defs"][kind]["properties"].get(name, {})
    if definition.get("$ref") == "#/$defs/unit":
        return tuple(units())
    return tuple(definition["enum"]) if "enum" in definition else None


def refuse_unknown(kind: str, name: str, value: str, root: Path | None = None) -> None:
    """Raise ``ScaffoldError`` listing the allowed values (and the likely one) if ``value`` is not one."""
    choices = allowed(kind, name, root)
    if choices is None or value in choices:
        return
    noun = f"{kind} kind" if name == "kind" else name
    guess = close_match(value, choices, typo_only=name == "status")
    did_you_mean = f"; did you mean {guess}?" if guess else ""
    raise ScaffoldError(
        f"'{value}' is not a {noun}: use one of {', '.join(choices)}{did_you_mean}; nothing was written"
    )


def gather(
    kind: str, given: Mapping[str, str | None], ask: Callable[[str], str] | None, root: Path | None = None
) -> dict[str, str]:
    """The values to write: flags, else (in a terminal) answers, else defaults. A value given or answered
    outside the schema's (or the status scale's) list is refused with the list."""
    values: dict[str, str] = {}
    missing: list[str] = []
    for spec in FIELDS[kind]:
        value = given.get(spec.name)
        if value is None and ask is not None:
            choices = allowed(kind, spec.name, root)
            listed = f" ({', '.join(choices)})" if choices else ""
            suggested = f" [{spec.default}]" if spec.default else ""
            value = ask(f"{spec.prompt}{listed}{suggested}: ").strip() or spec.default
        if value is not None:
            refuse_unknown(kind, spec.name, value, root)
            values[spec.name] = value
        elif spec.default is not None:
            values[spec.name] = spec.default
        elif spec.required:
            missing.append(spec.name)
    if missing:
        flags = " ".join(f"--{name.replace('_', '-')} …" for name in missing)
        raise ScaffoldError(f"missing {', '.join(missing)}: give {flags}")
    return values


def document(
    kind: str, values: Mapping[str, str], basis: Mapping[str, str] | None = None, reported: bool = False
) -> dict[str, Any]:
    """The YAML mapping for ``values`` (and a source's ``basis``), in the order a reader expects; a
    claim whose source only ``reported`` it (someone else wrote it) has that source's role so."""
    if kind == "metric":
        return {**values, "sources": []}
    if kind != "claim":
        return {**values, "basis": dict(basis)} if basis else dict(values)
    appearance: dict[str, Any] = {"source": values["source"], "quote": values["quote"]}
    if values.get("locator"):
        appearance["locator"] = values["locator"]
    first = values.get("first_appearance") or values["source"]
    figure: dict[str, Any] = {name: values[name] for name in ("value", "unit", "counted") if name in values}
    if "value" in figure:
        figure["value"] = _number(figure["value"])
    # The first appearance stated the claim unless the claimant did not write it (then it reported it, and
    # where the claimant first made it is for the editor to add). No review: `claimledger review` signs one.
    return {
        **{name: values[name] for name in ("statement", "quote", "claimant", "date")},
        **figure,
        "first_appearance": first,
        "appearances": [appearance],
        "provenance": [{"source": first, "role": "reported" if reported else "stated"}],
        "status": values["status"],
        "rationale": values["rationale"],
    }


def _number(text: str) -> int | float:
    """A ``--value`` as the plain number the schema asks for."""
    with contextlib.suppress(ValueError):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        raise ScaffoldError(
            f"'{text}' is not a plain number: write the figure in its unit, e.g. 430000000, not \"430 million\""
        ) from None
    if not math.isfinite(number):
        raise ScaffoldError(f"'{text}' is not a plain number; nothing was written")
    return number


def modeline(kind: str, item_path: Path, layout: Layout) -> str:
    """Point editors at the schema: the project's copy (``claimledger init`` writes it), else this repository's
    own, else the copy the site publishes under its ``site_url``."""
    up = "../" * (len(item_path.relative_to(layout.root).parts) - 1)
    project_copy = MODELINE.replace("{up}claimledger/schema/", "{up}" + SCHEMA_COPY.rpartition("/")[0] + "/")
    if (layout.root / SCHEMA_COPY).is_file():
        return project_copy.format(up=up, kind=kind)
    if (layout.root / "claimledger" / "schema" / "claimledger.schema.json").is_file():
        return MODELINE.format(up=up, kind=kind)
    config = layout.root / paths.CONFIG
    site_url = _site_url(config) if paths.check(layout.root, config) is None else ""
    if site_url:
        return MODELINE.replace("{up}claimledger/", site_url.rstrip("/") + "/").format(kind=kind)
    return project_copy.format(up=up, kind=kind)


def _site_url(config: Path) -> str:
    try:
        text = config.read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():  # not a YAML load: MkDocs configurations may hold Python tags
        if line.startswith("site_url:"):
            value = line.partition(":")[2].strip()
            return "" if value.startswith("!") else value.strip("'\"")  # !ENV: known at build time only
    return ""


def ensure_new(root: Path, kind: str, item_id: str) -> Path:
    """The path a new item would take; refuse a bad id or one already used (in any sub-folder)."""
    if not ID_PATTERN.fullmatch(item_id) or item_id == "index":
        raise ScaffoldError(
            f"'{item_id}' is not a valid id: use lower-case letters, digits and hyphens "
            "(at most 80 characters), e.g. alibaba-2018-complaints-drop"
        )
    layout = Layout(root.resolve())
    folder = layout.kind_dir(kind)
    listing = paths.walk(layout.root, folder)
    if str(folder) in listing.refused:  # the folder leads outside the repository, or nowhere
        raise ScaffoldError(f"{layout.relative(folder)}: {listing.findings[0].message}; nothing was written")
    name = f"{item_id}.yaml"
    existing = [path for path in (*listing.files, *listing.refused) if Path(path).name == name]
    if existing:
        raise ScaffoldError(f"{layout.relative(existing[0])} already exists; nothing was written")
    return folder / name


def create(
    root: Path,
    kind: str,
    item_id: str,
    values: Mapping[str, str],
    basis: Mapping[str, str] | None = None,
    reported: bool = False,
) -> Path:
    """Write the new file; refuse a bad id, an invalid result, or an existing file."""
    from .fmt import canonical_text

    path = ensure_new(root, kind, item_id)
    layout = Layout(root.resolve())
    data = document(kind, values, basis, reported)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88, default_flow_style=False)
    text = canonical_text(modeline(kind, path, layout) + body, kind)
    try:
        problems = validate(load_document(layout.relative(path), text.encode("utf-8")), kind)
    except YamlProblem as problem:
        raise ScaffoldError(f"the values do not make a valid file: {problem.message}") from None
    if problems:
        details = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise ScaffoldError(f"the values do not make a valid {kind}: {details}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{layout.relative(path)} already exists; nothing was written") from None
    return path


NEXT_STEPS = {
    "claim": """Next steps:
  1. Open {path} and complete it: value and unit for a figure, period, provenance,
     tags, related claims, and the evidence under `rebuttals:`{guide}.
  2. Choose the status the evidence justifies, with a one-sentence rationale.
  3. A verdict (any status but unverified) is signed off by an editor on the record, who
     reviews the claim and runs `claimledger review {id} --by EDITOR`.
  4. Run `claimledger check` and fix what it reports.
  5. Preview with `mkdocs serve`, then open a pull request.""",
    "source": """Next steps:
  1. Open {path}: add `archive_url:` (a Wayback snapshot) and `accessed:` for a web page,
     and `full_text:` if the text cannot be read.
  2. Under `basis:`, say where each fact (author, publisher, date, place, full text) comes
     from: the source that states it, with its words, or the reasoning that infers it.
  3. Run `claimledger check`, then cite it from a claim with `source: {id}`.""",
    "party": """Next steps:
  1. Open {path} and add `role:` and `affiliation:` if it speaks for an organisation,
     each with its `basis:` (the source that states it, or the reasoning that infers it).
  2. Run `claimledger check`, then name it as `claimant: {id}` or a rebuttal's `party: {id}`.""",
    "metric": """Next steps:
  1. Open {path}: replace `unknown` only with what the sources say (what is counted, by whom,
     over what period), list them under `sources:`, and add known `caveats:`.
  2. Run `claimledger check`, then name it from claims as `metric: {id}`.""",
}

KINDS = tuple(KIND_DIRS)

TABLE_START = '[//]: # "allowed values: start (generated from the schema; see tests/test_scaffold.py)"'
TABLE_END = '[//]: # "allowed values: end"'


def reference_table(root: Path) -> str:
    """The allowed values of the fields ``claimledger new`` asks for, as a Markdown table between the
    markers: kinds and units from the schema, statuses from ``root``'s scale."""
    lines = [TABLE_START, "", "| Field | Flag | Allowed values |", "| --- | --- | --- |"]
    for kind, name in (("source", "kind"), ("party", "kind"), ("claim", "unit"), ("claim", "status")):
        field = f"{kind} `{name}:`" + (" (claims/statuses.yaml)" if name == "status" else "")
        values = ", ".join(f"`{v}`" for v in allowed(kind, name, root) or ())
        lines.append(f"| {field} | `new {kind} --{name}` | {values} |")
    return "\n".join([*lines, "", TABLE_END])


def with_reference_table(text: str, root: Path) -> str:
    """``text`` (CONTRIBUTING.md) with its table between the markers replaced by the current one."""
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    return text[:start] + reference_table(root) + text[end:]


def reported_by_another(dataset: Dataset, values: Mapping[str, str]) -> bool:
    """Whether a new claim's source was written by someone other than its claimant (or whoever speaks
    for it, or belongs to it): a news report of the claim, not where the claimant made it. False where
    the record does not say who wrote the source."""
    source = dataset.sources.get(values.get("first_appearance") or values["source"])
    makers = {p for p in (source.author, source.publisher) if p} if source is not None else set()
    side = {values["claimant"], *([values["spokesperson"]] if values.get("spokesperson") else [])}
    return bool(makers) and all(independent(maker, party, dataset.parties) for maker in makers for party in side)
