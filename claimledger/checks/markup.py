"""Contributor markdown: no raw HTML, images or unsafe links; every ``[[kind:id]]`` resolves.

The site's hand-written pages (docs/, the contributor guide) follow the same policy, but raw HTML is allowed on
the pages the site's owner names (:class:`claimledger.checks.siteconfig.DocsPolicy`) and images from the site itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from ..findings import Finding, error
from ..record import markdown as markup
from ..record import paths, yamlsafe
from ..record.kinds import known_ids
from ..record.layout import KIND_FOLDERS
from ..record.model import Basis, Dataset
from ..record.yamlsafe import Document, FieldPath, format_field
from .siteconfig import GUIDE_PAGE, OPTION, DocsPolicy


@functools.cache
def _fields_of(kind: type) -> tuple[tuple[str, str, bool], ...] | None:
    """A dataclass's fields as (name, key in the file, whether it is Markdown); None for any other type (asked
    once per type: the walk below asks per value)."""
    if not is_dataclass(kind) or issubclass(kind, Document):
        return None
    return tuple((f.name, f.metadata.get("key", f.name), bool(f.metadata.get("markdown"))) for f in fields(kind))


def _fields(value: object) -> tuple[tuple[str, str, bool], ...] | None:
    return _fields_of(type(value))  # type: ignore[arg-type]  # every class is hashable


def _markdown_in(document: Document, path: FieldPath, value: Any) -> Iterator[tuple[Document, FieldPath, str]]:
    """Every field of ``value`` rendered as Markdown (marked ``MARKDOWN`` in the model), with its document and path."""
    for name, key, is_markdown in _fields(value) or ():
        child = getattr(value, name)
        if is_markdown:
            if child:
                yield document, (*path, key), child
        elif isinstance(child, tuple):
            for index, entry in enumerate(child):
                if _fields(entry) is not None:  # a basis is written under the fact it backs
                    yield from _markdown_in(
                        document, (*path, key, entry.field if isinstance(entry, Basis) else index), entry
                    )
        elif _fields(child) is not None:
            yield from _markdown_in(document, (*path, key), child)


def _unknown(ref: markup.Reference) -> tuple[str, str, str]:
    """The rule, message and hint for a reference to an unknown item."""
    return (
        f"ref-{ref.kind}",
        f"unknown {ref.kind} '{ref.id}' in [[{ref.kind}:{ref.id}]]",
        f"create {KIND_FOLDERS[ref.kind]}{ref.id}.yaml or correct the id",
    )


def read_item(item: Any) -> tuple[list[Finding], list[str]]:
    """What one item's markdown says on its own: raw HTML, images and unsafe links (its findings), and the
    items it cites, as ``kind:id`` (whether they exist is for :func:`unresolved` to say, against the dataset)."""
    findings: list[Finding] = []
    cited: dict[str, None] = {}
    document = item.document
    for _, path, text in _markdown_in(document, (), item):
        for problem in markup.problems(text):
            position, field = document.position(path), format_field(path)
            findings.append(error(document.path, position, problem.rule, field, problem.message, problem.hint))
        cited.update(dict.fromkeys(f"{ref.kind}:{ref.id}" for ref in markup.references(text)))
    return findings, list(cited)


def unresolved(dataset: Dataset, items: Iterable[tuple[Any, Sequence[str]]]) -> Iterator[Finding]:
    """A finding for each ``[[kind:id]]`` naming no item, in the markdown of the ``items`` (each with what it
    cites, as :func:`read_item` lists it): those that cite one are read again, for where it stands."""
    known = known_ids(dataset)
    for item, cited in items:
        if all(mention.partition(":")[2] in known[mention.partition(":")[0]] for mention in cited):
            continue
        document = item.document
        for _, path, text in _markdown_in(document, (), item):
            for ref in markup.references(text):
                if ref.id not in known[ref.kind]:
                    rule, message, hint = _unknown(ref)
                    yield error(document.path, document.position(path), rule, format_field(path), message, hint)


# -- hand-written pages ----------------------------------------------------------

# An attribute list (``{: #id .class key="value" }``, Python-Markdown's attr_list) setting what is raw
# HTML by another name: an event handler, an address, a style.
_ATTRIBUTE_LIST = re.compile(r"\{:?[^{}\n]*\}")
_UNSAFE_ATTRIBUTE = re.compile(
    r"(?<![\w-])(on[a-z]+|href|src|srcset|action|formaction|xlink:href|style|poster|background|data)\s*=",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_ALLOW_HINT = (
    f"the site's owner can allow raw HTML on a page with the claimledger plugin's {OPTION} option in mkdocs.yml"
)
_LINK_HINT = "use an http:// or https:// address, a mailto: address, or a relative link"


def image_is_local(src: str) -> bool:
    """An image of the site itself: a relative address, with no scheme and no host."""
    cleaned = "".join(char for char in src if char > " " and char != "\x7f")  # as browsers read it
    return _SCHEME.match(cleaned) is None and not cleaned.replace("\\", "/").startswith("//")


def unsafe_attribute(name: str) -> bool:
    """Whether an attribute list may not set ``name`` on a page without raw HTML."""
    return _UNSAFE_ATTRIBUTE.fullmatch(name + "=") is not None


def check_docs(root: Path, dataset: Dataset, policy: DocsPolicy | None = None) -> Iterator[Finding]:
    """The path policy's findings on the hand-written files a build publishes; raw HTML, images from elsewhere,
    unsafe links and unknown references in the hand-written pages (every ``docs/**/*.md``, and the contributor
    guide unless docs/ has its own page in its place), with their exact line and column."""
    known = known_ids(dataset)
    root = root.resolve()
    listing = paths.hand_written(root)
    yield from listing.findings
    yield from _config_text(root)
    pages = [
        (Path(name), Path(name).relative_to(root).as_posix()) for name in sorted(listing.files) if name.endswith(".md")
    ]
    guide = root / paths.GUIDE
    if str(guide) not in listing.refused and guide.is_file() and not (root / "docs" / GUIDE_PAGE).exists():
        pages.append((guide, paths.GUIDE))
    for page, rel in pages:
        try:
            text = page.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            line = page.read_bytes().count(b"\n", 0, exc.start) + 1
            yield error(rel, (line, 1), "encoding", "", "the page is not UTF-8 text", "save it as UTF-8")
            continue
        except OSError as exc:
            yield error(rel, (1, 1), "unreadable", "", f"the page cannot be read: {exc.strerror}", "check the file")
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as markdown-it counts lines
        if (refused := yamlsafe.refused_character(text, "page")) is not None:
            yield error(rel, yamlsafe.line_and_column(text, refused[0]), "text-control", "", *refused[1:])
        yield from page_problems(rel, text, raw_html=(policy or DocsPolicy()).allows_raw_html(rel))
        for ref in markup.references(text):
            if ref.id not in known[ref.kind]:
                rule, message, hint = _unknown(ref)
                yield error(rel, (ref.line + 1, 1), rule, "", message, hint)


def _config_text(root: Path) -> Iterator[Finding]:
    """mkdocs.yml holds no character no text may hold (``text-control``): its title reaches every page and the feed."""
    config = root / paths.CONFIG
    if paths.check(root, config) is not None or not config.is_file():
        return  # the path policy has said why, or there is none
    try:
        problem = yamlsafe.text_problem(yamlsafe.decode(config.read_bytes()))
    except yamlsafe.YamlProblem as exc:  # not UTF-8
        problem = exc
    except OSError:
        return
    if problem is not None:
        yield error(paths.CONFIG, problem.position, problem.rule, problem.field, problem.message, problem.hint)


class _Locator:
    """Where a piece of a page's text stands, as line and column: its first occurrence after the last piece found
    in the same block (from the block's first line), else anywhere in the page (a link definition), else the
    block's first line."""

    def __init__(self, text: str) -> None:
        self.text, self.lowered = text, text.lower()
        self.starts = [0, *(at + 1 for at, char in enumerate(text) if char == "\n")]
        self.block, self.cursor = -1, 0

    def __call__(self, needle: str, line: int) -> tuple[int, int]:
        if line != self.block:
            self.block, self.cursor = line, self.starts[line]
        needle = needle.lower()
        found = self.lowered.find(needle, self.cursor) if needle else -1
        if found >= 0:
            self.cursor = found + 1
        elif needle:
            found = self.lowered.find(needle)
        if found < 0:
            return line + 1, 1
        number = self.text.count("\n", 0, found)
        return number + 1, found - self.starts[number] + 1


def page_problems(rel: str, text: str, *, raw_html: bool) -> Iterator[Finding]:
    """The markdown policy's findings for one hand-written page (``\\n`` line endings)."""
    if "<" not in text and "[" not in text and "{" not in text:  # HTML needs <, links and images [
        return
    at = _Locator(text)
    for block in markup.parse(text):
        line = block.map[0] if block.map else 0
        words = [block.info] if block.type == "fence" else []  # the text outside code, where attribute lists stand
        for token in [block, *(block.children or [])]:
            if token.type in ("html_block", "html_inline") and not raw_html:
                content = token.content
                yield error(
                    rel,
                    at(content.strip()[:40] if token.type == "html_block" else content, line),
                    "markdown-html",
                    "",
                    "an HTML comment is raw HTML, which is not allowed in this page"
                    if content.lstrip().startswith("<!--")
                    else f"raw HTML {content.strip()[:40]!r} is not allowed in this page",
                    "write it in Markdown; " + _ALLOW_HINT,
                )
            elif token.type == "image" and not image_is_local(src := str(token.attrGet("src") or "")):
                yield error(
                    rel,
                    at(_address_start(src), line),
                    "markdown-image",
                    "",
                    f"image {src[:60]!r} is not on this site",
                    "put the image under docs/ and give its relative address, as in ![a chart](images/chart.png): "
                    "an image from another site would tell that site who reads the page",
                )
            elif token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if (problem := markup.link_problem(href, line)) is not None:
                    hint = _LINK_HINT if problem.rule == "markdown-link" else problem.hint
                    yield error(rel, at(_address_start(href), line), problem.rule, "", problem.message, hint)
            elif token.type in ("text", "softbreak"):
                words.append(token.content if token.type == "text" else "\n")
        if not raw_html:
            yield from _attribute_lists(rel, "".join(words), line, at)


def _attribute_lists(rel: str, text: str, line: int, at: _Locator) -> Iterator[Finding]:
    for attributes in _ATTRIBUTE_LIST.finditer(text):
        shown = attributes.group(0)[:60]
        for unsafe in _UNSAFE_ATTRIBUTE.finditer(attributes.group(0)):
            yield error(
                rel,
                at(attributes.group(0), line),
                "markdown-html",
                "",
                f"the attribute list {shown!r} sets {unsafe.group(1)}, which is raw HTML by another name",
                "attribute lists may set ids, classes and plain attributes, not event handlers (on…), "
                "addresses or styles; " + _ALLOW_HINT,
            )


def _address_start(url: str) -> str:
    """What an address starts with in the page's text, as markdown leaves it: its scheme (``javascript:``), else all."""
    scheme = _SCHEME.match(url.strip())
    return scheme.group(0) if scheme else url
