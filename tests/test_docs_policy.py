"""The hand-written pages (docs/, CONTRIBUTING.md) follow the markdown policy of claim fields.

The check finds each problem with its line and column; what the check's parser reads otherwise than
MkDocs' is stopped where MkDocs renders the page, and fails the strict build.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.checks.siteconfig import DocsPolicy, read_docs_policy
from claimledger.findings import Finding, Severity

from .conftest import REPO
from .sitebuild import build


def _errors(root: Path) -> list[Finding]:
    return [f for f in check_project(root)[1] if f.severity is Severity.ERROR]


def _page(root: Path, text: str, name: str = "docs/index.md") -> None:
    (root / name).write_text(text, encoding="utf-8")


def _allow(root: Path, option: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  - claimledger\n", f"  - claimledger:\n      docs_raw_html: {option}\n"
    )
    config.write_text(text, encoding="utf-8")


def test_a_script_in_a_docs_page_is_a_markdown_html_error_at_its_line_and_column(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\nA paragraph\nthat runs <script>alert(1)</script> here.\n")

    errors = _errors(minimal_project)

    assert ("docs/index.md", 4, 11, "markdown-html") in {(f.path, f.line, f.column, f.rule) for f in errors}
    assert all(f.hint for f in errors)


def test_a_javascript_link_in_a_docs_page_is_a_markdown_link_error(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\nSee [this](https://example.org/) and [that](JavaScript:alert(1)).\n")
    found = {(f.path, f.line, f.column, f.rule) for f in _errors(minimal_project)}
    assert found == {("docs/index.md", 3, 45, "markdown-link")}


def test_a_link_definition_with_a_javascript_address_is_reported_where_it_is_defined(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\nSee [the report][r].\n\n[r]: javascript:alert(1)\n")
    found = {(f.path, f.line, f.rule) for f in _errors(minimal_project)}
    assert found == {("docs/index.md", 5, "markdown-link")}


def test_a_docs_page_may_show_its_own_images_but_none_from_another_site(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\n![chart](images/chart.png)\n\n![pixel](//tracker.example/p.png)\n")
    found = {(f.line, f.rule) for f in _errors(minimal_project)}
    assert found == {(5, "markdown-image")}


def test_an_attribute_list_may_set_ids_and_classes_but_no_event_handler(minimal_project: Path) -> None:
    _page(minimal_project, '# Home {: #home .wide }\n\n[x](https://example.org/){: onclick="alert(1)" }\n')
    found = {(f.line, f.column, f.rule) for f in _errors(minimal_project)}
    assert found == {(3, 26, "markdown-html")}


def test_an_html_comment_is_raw_html_too(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\n<!-- a note for editors -->\n")
    [finding] = _errors(minimal_project)
    assert (finding.line, finding.rule) == (3, "markdown-html")
    assert "HTML comment" in finding.message


def test_html_in_code_is_text_and_no_problem(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\nWrite `<script>` as code:\n\n```html\n<script>alert(1)</script>\n```\n")
    assert _errors(minimal_project) == []


def test_the_contributor_guide_follows_the_same_policy(minimal_project: Path) -> None:
    _page(minimal_project, '# Contributing\n\n<iframe src="https://example.org/"></iframe>\n', "CONTRIBUTING.md")
    found = {(f.path, f.line, f.rule) for f in _errors(minimal_project)}
    assert found == {("CONTRIBUTING.md", 3, "markdown-html")}


def test_the_site_owner_can_allow_raw_html_on_every_page(minimal_project: Path, tmp_path: Path) -> None:
    _page(minimal_project, '# Home\n\n<div class="banner">Welcome</div>\n')
    _allow(minimal_project, "true")

    assert _errors(minimal_project) == []
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert '<div class="banner">Welcome</div>' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_the_site_owner_can_allow_raw_html_on_the_pages_named_only(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\n<div>Welcome</div>\n")
    _page(minimal_project, "# Contributing\n\n<div>Thanks</div>\n", "CONTRIBUTING.md")
    _allow(minimal_project, "[docs/index.md]")

    assert {(f.path, f.rule) for f in _errors(minimal_project)} == {("CONTRIBUTING.md", "markdown-html")}


def test_allowing_raw_html_still_refuses_javascript_links(minimal_project: Path) -> None:
    _page(minimal_project, "# Home\n\nWelcome <b>here</b>, and [x](javascript:alert(1))\n")
    _allow(minimal_project, "true")
    assert {f.rule for f in _errors(minimal_project)} == {"markdown-link"}


def test_a_build_takes_the_allowance_from_the_configuration_it_builds_with(
    minimal_project: Path, tmp_path: Path
) -> None:
    _page(minimal_project, '# Home\n\n<div class="banner">Welcome</div>\n')
    default = (minimal_project / "mkdocs.yml").read_text(encoding="utf-8")
    _allow(minimal_project, "true")
    (minimal_project / "banner.yml").write_bytes((minimal_project / "mkdocs.yml").read_bytes())
    (minimal_project / "mkdocs.yml").write_text(default, encoding="utf-8")

    result = build(minimal_project, tmp_path / "site", "--config-file", str(minimal_project / "banner.yml"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert '<div class="banner">Welcome</div>' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_the_allowance_is_read_from_mkdocs_yml_whatever_tags_it_holds(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: !ENV [SITE_NAME, Claims]\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n"
        "  search: {}\n"
        "  claimledger:\n"
        "    docs_raw_html: [docs/about.md]\n",
        encoding="utf-8",
    )
    assert read_docs_policy(config) == DocsPolicy(frozenset({"docs/about.md"}))
    assert read_docs_policy(tmp_path / "missing.yml") == DocsPolicy()


def test_an_allowance_that_is_neither_true_nor_a_list_of_pages_fails_the_build(
    minimal_project: Path, tmp_path: Path
) -> None:
    _allow(minimal_project, "some")
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 1
    assert "docs_raw_html" in result.stderr
    assert "expected true, false, or a list of pages" in result.stderr


def test_the_shipped_docs_and_contributor_guide_pass() -> None:
    _, findings = check_project(REPO)
    pages = [f for f in findings if f.path.startswith("docs/") or f.path == "CONTRIBUTING.md"]
    assert pages == []
    assert read_docs_policy(REPO / "mkdocs.yml") == DocsPolicy(), "and without any allowance"


def test_raw_html_in_a_docs_page_fails_the_build_and_keeps_the_previous_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site).returncode == 0
    before = (site / "index.html").read_bytes()
    _page(minimal_project, "# Home\n\n<script>alert(1)</script>\n")

    result = build(minimal_project, site)

    assert result.returncode == 1
    assert "docs/index.md:3:1: error: raw HTML '<script>alert(1)</script>' is not allowed in this page" in (
        result.stdout
    )
    assert (site / "index.html").read_bytes() == before


# Python-Markdown, which renders the pages, reads these otherwise than CommonMark, which the check
# uses: to the check they are code, to MkDocs a script and a link with an event handler.
READ_OTHERWISE = {
    "a fence left open": "# Home\n\nText.\n\n```\n<script>alert(1)</script>\n",
    "a fence indented by a space": "# Home\n\n ```\n<script>alert(1)</script>\n ```\n",
    "a link in a fence left open": '# Home\n\n```\n[x](https://example.org/){: onclick="alert(1)" }\n',
}


@pytest.mark.parametrize("text", READ_OTHERWISE.values(), ids=READ_OTHERWISE.keys())
def test_what_the_check_reads_as_code_but_mkdocs_would_run_fails_the_strict_build(
    minimal_project: Path, tmp_path: Path, text: str
) -> None:
    _page(minimal_project, text)
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "markdown_extensions:\n  - attr_list\n", encoding="utf-8")
    assert _errors(minimal_project) == []  # the check sees code

    strict = build(minimal_project, tmp_path / "site")
    assert strict.returncode == 1
    assert "claimledger: docs/index.md:" in strict.stderr and "is not allowed in this page" in strict.stderr

    # Without --strict (as under mkdocs serve), the page is built with the script shown as text.
    lenient = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(tmp_path / "lenient")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lenient.returncode == 0, lenient.stderr
    page = (tmp_path / "lenient" / "index.html").read_text(encoding="utf-8")
    article = page[page.index('<h1 id="home">') : page.index("</article>")]
    assert "<script" not in article and "onclick" not in article


def test_the_status_badges_references_add_to_a_page_are_not_taken_for_raw_html(
    minimal_project: Path, tmp_path: Path
) -> None:
    result = build(minimal_project, tmp_path / "site")  # the fixture's home page cites a claim
    assert result.returncode == 0, result.stderr
    assert "not allowed" not in result.stderr
    assert '<span class="ct-badge ct-status-disputed"' in (tmp_path / "site" / "index.html").read_text("utf-8")


def test_the_publisher_a_page_names_is_markdown_not_raw_html_and_its_name_is_text(
    minimal_project: Path, tmp_path: Path
) -> None:
    publisher = minimal_project / "claims" / "publisher.yaml"
    publisher.write_text(
        publisher.read_text(encoding="utf-8").replace("name: Widget Watch", "name: <script>alert(1)</script> *Watch*"),
        encoding="utf-8",
    )
    (minimal_project / "docs" / "index.md").write_text("# Home\n\nPublished by [[publisher]].\n", encoding="utf-8")
    result = build(minimal_project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "not allowed" not in result.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Published by <strong>&lt;script&gt;alert(1)&lt;/script&gt; *Watch*</strong>" in page
