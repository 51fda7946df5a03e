"""Hostile input: crafted claim files never crash the tools, run code, inject HTML, reach the
network or lose data."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.exports.formats import export_data, to_csv
from claimledger.findings import Severity
from claimledger.record.yamlsafe import YamlProblem, load_document

from .reviews import resign
from .sitebuild import build

CLAIM = "claims/claims/widget-defects-fell.yaml"
SOURCE = "claims/sources/widget-report.yaml"
PARTY = "claims/parties/reader.yaml"
PAYLOADS = (
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<iframe src=javascript:alert(1)></iframe>",
    "'><svg onload=alert(1)>",
)


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def errors(root: Path) -> set[tuple[str, str]]:
    _, findings = check_project(root)
    return {(f.path, f.rule) for f in findings if f.severity is Severity.ERROR}


def yaml_text(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


# -- the YAML itself -----------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_in_little_memory() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    tracemalloc.start()
    try:
        with pytest.raises(YamlProblem) as problem:
            load_document("bomb.yaml", "\n".join(lines).encode())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problem.value.rule == "yaml-alias"
    assert problem.value.position[0] == 2
    assert peak < 5_000_000  # bytes: a billion expanded "lol"s would be gigabytes


@pytest.mark.parametrize(
    "text",
    [
        'value: !!python/object/apply:os.system ["touch /tmp/owned"]',
        "value: !!python/name:os.system",
        "value: !!python/object/new:subprocess.Popen [[touch, /tmp/owned]]",
        "value: !custom 1",
        "value: !!timestamp 2018-01-10",
        "value: !!binary aGVsbG8=",
    ],
)
def test_language_specific_and_unknown_tags_are_refused_and_never_run(text: str, tmp_path: Path) -> None:
    with pytest.raises(YamlProblem) as problem:
        load_document("tagged.yaml", text.encode())
    assert problem.value.rule == "yaml-tag"
    assert problem.value.position == (1, 8)
    assert not Path("/tmp/owned").exists()


def test_a_10_mb_string_is_a_finding_not_a_hang(minimal_project: Path) -> None:
    (minimal_project / "claims" / "limits.yaml").write_text("max_file_size: 20000000\n", encoding="utf-8")
    edit(minimal_project, CLAIM, "statement: Widget defects fell by 12 % in 2020.", "statement: " + "x" * 10_000_000)
    _, findings = check_project(minimal_project)
    assert [(f.path, f.line, f.field) for f in findings if f.rule == "schema"] == [(CLAIM, 2, "statement")]


def test_nesting_a_million_deep_is_a_finding_not_a_crash() -> None:
    text = "statement: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n"
    with pytest.raises(YamlProblem) as problem:
        load_document("deep.yaml", text.encode())
    assert problem.value.rule == "yaml-depth"


def test_a_claim_saved_with_a_byte_order_mark_and_crlf_line_endings_is_read(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert errors(minimal_project) == set()


def test_a_nul_byte_is_a_finding_with_its_line(minimal_project: Path) -> None:
    path = minimal_project / CLAIM
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4] + b"\x00"
    path.write_bytes(b"\n".join(lines))
    _, findings = check_project(minimal_project)
    assert [(f.path, f.line, f.rule) for f in findings] == [(CLAIM, 5, "encoding")]


# -- ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Widget-Claim", "widget_claim", "widget\u0441laim", "ｗidget", "widget claim"])
def test_a_file_name_that_is_no_plain_id_is_refused(minimal_project: Path, name: str) -> None:
    (minimal_project / "claims" / "claims" / f"{name}.yaml").write_bytes((minimal_project / CLAIM).read_bytes())
    assert (f"claims/claims/{name}.yaml", "id-format") in errors(minimal_project)


@pytest.mark.parametrize("reference", ["../widget-post", "widget-post/../../etc", "Widget-Post", "widget\u2010post"])
def test_a_reference_that_is_no_plain_id_is_refused_by_the_schema(minimal_project: Path, reference: str) -> None:
    edit(minimal_project, CLAIM, "  - source: widget-post\n", f"  - source: {yaml_text(reference)}\n")
    assert (CLAIM, "id-format") in errors(minimal_project)


def test_two_ids_that_differ_only_in_case_cannot_both_exist(minimal_project: Path) -> None:
    upper = minimal_project / "claims" / "claims" / "Widget-Defects-Fell.yaml"
    upper.write_bytes((minimal_project / CLAIM).read_bytes())
    assert ("claims/claims/Widget-Defects-Fell.yaml", "id-format") in errors(minimal_project)


# -- URLs ----------------------------------------------------------------------------------------

BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>x</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize(("relative", "field"), [(SOURCE, "url"), (SOURCE, "archive_url"), (PARTY, "url")])
def test_a_non_web_url_is_refused_in_every_url_field(
    minimal_project: Path, relative: str, field: str, url: str
) -> None:
    path = minimal_project / relative
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf"^{field}:.*\n", "", text, flags=re.MULTILINE) + f"{field}: {yaml_text(url)}\n"
    path.write_text(text, encoding="utf-8")
    assert (relative, "url-scheme") in errors(minimal_project)


# Where each markdown field of the fixture claim stands, and the same line with new text.
_MARKDOWN_FIELDS = {
    "rationale": ("rationale: A reader disputes the figure and the report is unpublished.", "rationale: {}"),
    "notes": ("review:\n", "notes: {}\nreview:\n"),
    "rebuttals[0].summary": ("    summary: A reader doubts the figure.", "    summary: {}"),
}


def _write_markdown(project: Path, field: str, text: str) -> None:
    old, new = _MARKDOWN_FIELDS[field]
    edit(project, CLAIM, old, new.format(yaml_text(text)))


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("field", ["rationale", "notes"])
def test_a_non_web_link_is_refused_in_markdown_fields(minimal_project: Path, field: str, url: str) -> None:
    _write_markdown(minimal_project, field, f"See [this]({url}) and <{url}>.")
    rules = {rule for path, rule in errors(minimal_project) if path == CLAIM}
    assert rules & {"markdown-link", "markdown-html"}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["rationale", "notes", "rebuttals[0].summary"])
def test_html_in_markdown_fields_is_refused(minimal_project: Path, field: str, payload: str) -> None:
    prefix = {"rationale": "Because ", "notes": "", "rebuttals[0].summary": "Doubt "}[field]
    _write_markdown(minimal_project, field, prefix + payload)
    assert (CLAIM, "markdown-html") in errors(minimal_project)


# -- what reaches the site -----------------------------------------------------------------------


class _Audit(HTMLParser):
    """Every element a browser would run: scripts, event handlers, frames, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
        if tag in ("iframe", "object", "embed"):
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if (
                value
                and re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE)
                and name in ("href", "src", "action", "formaction")
            ):
                self.problems.append(f"{tag} {name}={value}")


def _hostile_project(root: Path) -> None:
    """Payloads in every text field that is not markdown (markdown fields refuse HTML outright)."""
    a, b, c, d = PAYLOADS
    edit(root, CLAIM, "statement: Widget defects fell by 12 % in 2020.", f"statement: {yaml_text('Defects ' + a)}")
    edit(root, CLAIM, "    locator: paragraph 2", f"    locator: {yaml_text(b)}")
    edit(root, "claims/sources/widget-comment.yaml", "title: A reader's comment", f"title: {yaml_text(c)}")
    edit(root, SOURCE, "title: Widgets Inc. annual report 2020", f"title: {yaml_text('Report ' + d)}")
    edit(root, SOURCE, "kind: report", f"kind: report\nplace: {yaml_text(a)}\nauthor_shown: {yaml_text(b)}")
    edit(root, PARTY, "name: A reader", f"name: {yaml_text('Reader ' + a)}\nrole: {yaml_text(d)}")
    edit(root, "claims/publisher.yaml", "name: Ana Example", f"name: {yaml_text('Ana ' + c)}")  # the reviewer
    resign(root / CLAIM)  # signed off again after the edits: its page shows the verdict and the reviewer
    statuses = root / "claims" / "statuses.yaml"
    statuses.write_text(
        statuses.read_text(encoding="utf-8").replace("label: Disputed", f"label: {yaml_text(b)}"), encoding="utf-8"
    )


def test_payloads_in_every_text_field_reach_no_page_unescaped(minimal_project: Path, tmp_path: Path) -> None:
    _hostile_project(minimal_project)
    assert errors(minimal_project) == set()
    site = tmp_path / "site"
    result = build(minimal_project, site)
    assert result.returncode == 0, result.stderr
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        audit = _Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        assert audit.problems == [], page
        for script in audit.scripts:  # only the theme's own scripts and data blocks
            assert script.get("src", "") is None or not script.get("src") or "assets/" in (script.get("src") or ""), (
                page
            )
            assert script.get("type") in (None, "application/json", "application/ld+json"), page
    claim_page = (site / "claims" / "widget-defects-fell" / "index.html").read_text(encoding="utf-8")
    assert "Defects &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in claim_page
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', claim_page, re.DOTALL)
    assert json_ld is not None
    assert json.loads(json_ld.group(1))["claimReviewed"] == "Defects " + PAYLOADS[0]
    title = re.search(r"<title>(.*?)</title>", claim_page, re.DOTALL)
    assert title is not None and "Defects &lt;/script&gt;" in title[1] and "<" not in title[1]
    for preview in ('name="description"', 'property="og:title"', 'name="twitter:description"'):
        content = re.search(rf'<meta {preview} content="([^"]*)">', claim_page)
        assert content is not None and "Defects &lt;/script&gt;" in content[1], preview


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(minimal_project: Path) -> None:
    for formula in ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1,1)", "  =1+1", "\t=1"):
        edit(
            minimal_project,
            CLAIM,
            (minimal_project / CLAIM).read_text(encoding="utf-8").split("\n")[1],
            f"statement: {yaml_text(formula)}",
        )
        dataset, _ = check_project(minimal_project)
        rows = list(csv.DictReader(io.StringIO(to_csv(export_data(dataset)))))
        row = next(r for r in rows if r["id"] == "widget-defects-fell")
        assert row["statement"].startswith("'"), formula
        assert row["value"] == "-12"  # a negative figure stays a number


# -- data and the network ------------------------------------------------------------------------


def _tree(root: Path, skip: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and skip not in p.parents
    }


def test_check_export_and_build_write_nothing_outside_the_site_folder(minimal_project: Path, tmp_path: Path) -> None:
    site = minimal_project / "site"
    before = _tree(minimal_project, site)
    neighbours = sorted(p.name for p in tmp_path.iterdir())
    assert main(["check", "--root", str(minimal_project)]) == 0
    assert main(["export", "--root", str(minimal_project), "--format", "csv"]) == 0
    assert build(minimal_project, site).returncode == 0
    assert _tree(minimal_project, site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == neighbours


def test_a_rebuild_deletes_nothing_it_did_not_create(minimal_project: Path, tmp_path: Path) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("mine")
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    assert build(minimal_project, site).returncode == 0
    assert keep.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "project", "site"]  # no staging left


def test_check_and_build_run_with_the_network_blocked(
    minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    assert main(["check", "--root", str(minimal_project)]) == 0
    assert main(["build", "--root", str(minimal_project), "--site-dir", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "claims" / "widget-defects-fell" / "index.html").is_file()
    assert attempts == []


def test_a_snapshots_folder_linked_outside_the_repository_is_not_read(minimal_project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (minimal_project / "claims" / "snapshots").rename(outside)
    (minimal_project / "claims" / "snapshots").symlink_to(outside, target_is_directory=True)
    dataset, _ = check_project(minimal_project)
    assert errors(minimal_project) == {("claims/snapshots/widget-post.txt", "unsafe-path")}
    assert dataset.snapshot_texts == {}


def test_a_cache_folder_others_can_write_to_is_not_trusted(minimal_project: Path, tmp_path: Path) -> None:
    from claimledger.record.cache import ItemCache
    from claimledger.settings import Settings

    shared = tmp_path / "shared-cache"
    check_project(minimal_project, settings=Settings(cache_dir=shared))
    cache = ItemCache(minimal_project.resolve(), shared)
    assert cache.old  # trusted while private
    shared.chmod(0o777)
    assert ItemCache(minimal_project.resolve(), shared).old == {}


def test_a_link_definition_inside_a_quote_is_checked_too(minimal_project: Path) -> None:
    text = yaml_text("> [r]: javascript:alert(1)\n\nSee [this][r].")
    edit(minimal_project, CLAIM, "review:\n", f"notes: {text}\nreview:\n")
    assert (CLAIM, "markdown-link") in errors(minimal_project)
