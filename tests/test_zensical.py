"""``claimledger build --engine zensical``: the site's pages as plain files, built by Zensical, with the
same text, links, JSON-LD and exports as on every other engine; docs/ never written to."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from claimledger.checks.project import check_project
from claimledger.engines import ENGINES
from claimledger.engines.zensical.plain import _front_matter
from claimledger.engines.zensical.relink import rebase
from claimledger.engines.zensical.workspace import ProjectFiles, open_workspace
from claimledger.site.outputs import write_file
from claimledger.tools.synthetic import write_site_project

from .conftest import REPO
from .reviews import resign
from .sitebuild import build, build_in_subprocess, lychee
from .test_hostile import PAYLOADS, _Audit, _hostile_project

ENGINE = ("--engine", "zensical")
CLAIM = "claims/claims/widget-defects-fell.yaml"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def _json_ld(page: Path) -> list[str]:
    return JSON_LD.findall(page.read_text(encoding="utf-8"))


def _head(page: Path) -> str:
    return page.read_text(encoding="utf-8").partition("</head>")[0]


# -- the shipped dataset -------------------------------------------------------------------------


PUBLISHED = {"CLAIMLEDGER_SITE_URL": "https://claims.test/", "CLAIMLEDGER_REPO_URL": "https://github.com/o/c"}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    docs_before, root_before = _tree(REPO / "docs"), sorted(p.name for p in REPO.iterdir())
    site = tmp_path_factory.mktemp("zensical") / "site"
    result = build(REPO, site, *ENGINE, env=PUBLISHED)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stderr
    yield site
    assert _tree(REPO / "docs") == docs_before  # nothing written inside docs/, nothing added to it
    assert sorted(p.name for p in REPO.iterdir()) == root_before  # no .cache, no project left beside it


@pytest.fixture(scope="module")
def dataset() -> Any:
    data, _ = check_project(REPO)
    return data


@pytest.mark.parametrize("folder", ["claims", "sources", "parties"])
def test_every_item_of_the_shipped_dataset_has_its_page(shipped: Path, dataset: Any, folder: str) -> None:
    items = {"claims": dataset.claims, "sources": dataset.sources, "parties": dataset.parties}[folder]
    assert items
    assert [item_id for item_id in items if not (shipped / folder / item_id / "index.html").is_file()] == []


def test_every_reviewed_claim_page_has_exactly_one_claim_review_in_its_head(shipped: Path, dataset: Any) -> None:
    verdicts = {status.id for status in dataset.scale.statuses if status.verdict}
    for claim in dataset.claims.values():
        if claim.status not in verdicts:  # not reviewed yet: no review to mark up
            assert _json_ld(shipped / "claims" / claim.id / "index.html") == [], claim.id
            continue
        page = shipped / "claims" / claim.id / "index.html"
        scripts = _json_ld(page)
        assert len(scripts) == 1, claim.id
        assert scripts[0] in _head(page), claim.id
        review = json.loads(scripts[0])
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == claim.statement
        assert review["url"] == f"{PUBLISHED['CLAIMLEDGER_SITE_URL']}claims/{claim.id}/"
    for page in (shipped / "index.html", shipped / "sources" / "ustr-2017-notorious-markets-list" / "index.html"):
        assert _json_ld(page) == []


def test_every_internal_link_and_anchor_of_the_shipped_site_resolves(shipped: Path) -> None:
    result = lychee(shipped)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Successful\.+[1-9][0-9]*", result.stdout), result.stdout


def test_the_search_index_holds_every_item_page_and_the_lists(shipped: Path, dataset: Any) -> None:
    index = json.loads((shipped / "search.json").read_text(encoding="utf-8"))
    pages = {item["location"].partition("#")[0] for item in index["items"]}
    for folder, items in (("claims", dataset.claims), ("sources", dataset.sources), ("parties", dataset.parties)):
        assert {f"{folder}/{item_id}/" for item_id in items} <= pages
    assert {"claims/", "dashboard/", "timeline/", "tags/", "sources/", "parties/"} <= pages
    statement = dataset.claims["alibaba-2017-ip-complaints-drop-42-percent"].statement
    assert any(item["title"] == f"Alibaba Group, 10 January 2018: {statement}" for item in index["items"])


def test_lists_of_other_pages_stay_out_of_the_search_index(shipped: Path, dataset: Any) -> None:
    # Zensical indexes a page whole, within a budget that shrinks as the site grows (at 10,000 claims a
    # section may hold 4 KB): the lists a page links to are left out, as the MkDocs build leaves them.
    index = json.loads((shipped / "search.json").read_text(encoding="utf-8"))
    claim_id = "alibaba-2017-ip-complaints-drop-42-percent"
    statement = dataset.claims[claim_id].statement
    claimant = dataset.claims[claim_id].claimant
    lists = {"claims/", "dashboard/", "timeline/", "tags/", "sources/", "parties/", f"parties/{claimant}/"}
    listed = [item for item in index["items"] if item["location"].partition("#")[0] in lists]
    assert {item["location"].partition("#")[0] for item in listed} == lists
    assert [item["location"] for item in listed if statement in item["text"]] == []
    own = [item for item in index["items"] if item["location"].startswith(f"claims/{claim_id}/")]
    assert any(statement in item["title"] + item["text"] for item in own)


def test_edit_links_point_to_the_file_a_page_is_made_from(shipped: Path) -> None:
    def edit_link(page: str) -> list[str]:
        return re.findall(r'<a href="([^"]*)" title="Edit this page"', (shipped / page).read_text(encoding="utf-8"))

    edit = f"{PUBLISHED['CLAIMLEDGER_REPO_URL']}/edit/main/"
    claim = "alibaba-2017-ip-complaints-drop-42-percent"
    assert edit_link(f"claims/{claim}/index.html") == [f"{edit}claims/claims/{claim}.yaml"]
    assert edit_link("about/index.html") == [f"{edit}docs/about.md"]
    assert edit_link("contributing/index.html") == [f"{edit}CONTRIBUTING.md"]
    assert edit_link("dashboard/index.html") == []  # generated from no one file


# -- the same site on every engine ---------------------------------------------------------------


class _Content(HTMLParser):
    """The text and link targets of a page's content (the theme's ``md-content__inner`` article), the
    theme's page actions left out; links made absolute site paths."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.depth = 0
        self.in_action = False
        self.text: list[str] = []
        self.links: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "article" and (self.depth or "md-content__inner" in classes):
            self.depth += 1
        if not self.depth:
            return
        if tag == "a" and "md-content__button" in classes:
            self.in_action = True
        if self.in_action:
            return
        for name in ("href", "src"):
            if values.get(name) is not None:
                target = urlsplit(urljoin("https://site.invalid/" + self.url, values[name]))
                if target.netloc == "site.invalid":
                    target = target._replace(scheme="", netloc="", path=target.path.removesuffix("index.html"))
                self.links.add(target.geturl())

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.depth:
            self.depth -= 1
        if tag == "a":
            self.in_action = False

    def handle_data(self, data: str) -> None:
        if self.depth and not self.in_action:
            self.text.append(data)


def _content(site: Path, url: str) -> tuple[str, set[str]]:
    parser = _Content(url)
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return " ".join("".join(parser.text).split()), parser.links


@pytest.fixture(scope="module")
def three_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small fixture built by each engine, from copies of it."""
    sites = {}
    for engine in ("mkdocs", "properdocs", "zensical"):
        folder = tmp_path_factory.mktemp(engine)
        project = folder / "project"
        shutil.copytree(REPO / "tests" / "fixtures" / "minimal", project)
        site = folder / "site"
        # ProperDocs answers MkDocs' imports in the process it runs in: a process of its own.
        run = build_in_subprocess if engine == "properdocs" else build
        result = run(project, site, "--engine", engine)
        assert result.returncode == 0, result.stderr
        sites[engine] = site
    return sites


@pytest.mark.parametrize("url", ["claims/widget-defects-fell/", "sources/widget-post/", "dashboard/"])
def test_a_page_has_the_same_text_and_links_on_every_engine(three_sites: dict[str, Path], url: str) -> None:
    text, links = _content(three_sites["mkdocs"], url)
    assert len(text) > 200
    assert "/parties/widgets-inc/" in links or "/claims/widget-defects-fell/" in links
    for engine in ("properdocs", "zensical"):
        assert _content(three_sites[engine], url) == (text, links), engine


def test_json_ld_exports_and_claim_data_are_the_same_on_every_engine(three_sites: dict[str, Path]) -> None:
    mkdocs = three_sites["mkdocs"]
    files = ["claims.json", "claims.csv", "schema/claimledger.schema.json", "assets/claimledger/claimledger.css"]
    files += [p.relative_to(mkdocs).as_posix() for p in mkdocs.glob("claims/*/claim.json")]
    assert len(files) == 6
    claim_page = "claims/widget-defects-fell/index.html"
    for engine in ("properdocs", "zensical"):
        site = three_sites[engine]
        assert [f for f in files if (site / f).read_bytes() != (mkdocs / f).read_bytes()] == [], engine
        assert _json_ld(site / claim_page) == _json_ld(mkdocs / claim_page), engine
    pages = {p.relative_to(mkdocs).as_posix() for p in mkdocs.rglob("index.html")}
    assert {p.relative_to(three_sites["zensical"]).as_posix() for p in three_sites["zensical"].rglob("index.html")} == (
        pages
    )


# -- the build -----------------------------------------------------------------------------------


def test_a_missing_zensical_is_one_line_naming_the_extra_to_install(
    minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = ENGINES["zensical"]
    monkeypatch.setitem(
        ENGINES,  # type: ignore[arg-type]
        "zensical",
        type(entry)(entry.name, entry.factory, "claimledger_no_such_package", entry.extra, entry.preview),
    )
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 2
    assert result.stderr == "claimledger: the zensical engine is not installed: pip install 'claimledger[zensical]'\n"
    assert not (tmp_path / "site").exists()


def test_the_project_is_left_as_it_was_and_nothing_is_left_beside_the_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    before = _tree(minimal_project)
    assert build(minimal_project, tmp_path / "site", *ENGINE).returncode == 0
    assert build(minimal_project, tmp_path / "site", *ENGINE).returncode == 0  # and again, over it
    assert _tree(minimal_project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]
    assert not (tmp_path / "site" / ".zensical").exists()
    assert (tmp_path / "site" / "claims" / "widget-defects-fell" / "claim.json").is_file()


def test_the_same_project_gives_the_same_site_byte_for_byte(minimal_project: Path, tmp_path: Path) -> None:
    assert build(minimal_project, tmp_path / "one", *ENGINE).returncode == 0
    assert build(minimal_project, tmp_path / "two", *ENGINE).returncode == 0
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_checks_come_first_and_a_failed_check_keeps_the_previous_site(minimal_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site, *ENGINE).returncode == 0
    before = _tree(site)
    claim = minimal_project / CLAIM
    claim.write_text(claim.read_text().replace("claimant: widgets-inc", "claimant: nobody"))
    result = build(minimal_project, site, *ENGINE)
    assert result.returncode == 1
    assert "unknown party 'nobody' [ref-party]" in result.stdout
    assert "not built; the previous site is untouched" in result.stderr
    assert _tree(site) == before


def test_a_zensical_warning_fails_the_build_shown_without_colour_and_keeps_the_previous_site(
    minimal_project: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site, *ENGINE).returncode == 0
    before = _tree(site)
    (minimal_project / "docs" / "about.md").write_text("# About\n\nSee [the rules](rules.md).\n", encoding="utf-8")
    result = build(minimal_project, site, *ENGINE)
    assert result.returncode == 1
    assert "Warning: page does not exist" in result.stderr
    assert "about.md:3:17" in result.stderr
    assert "\x1b" not in result.stderr
    assert result.stderr.endswith(
        "claimledger: zensical: aborted in strict mode on the warnings above; the previous site is untouched\n"
    )
    assert _tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_references_in_docs_pages_become_links_to_the_items_pages(minimal_project: Path, tmp_path: Path) -> None:
    (minimal_project / "docs" / "notes").mkdir()
    (minimal_project / "docs" / "notes" / "widgets.md").write_text(
        "# Notes\n\nSee [[claim:widget-defects-fell]] and `[[claim:widget-defects-fell]]`.\n", encoding="utf-8"
    )
    before = _tree(minimal_project / "docs")
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 0, result.stderr
    text, links = _content(tmp_path / "site", "notes/widgets/")
    assert "/claims/widget-defects-fell/" in links
    claim = "Widgets Inc., 15 January 2021: Widget defects fell by 12 % in 2020. Disputed"
    assert f"See {claim} and [[claim:widget-defects-fell]]." in text
    assert _tree(minimal_project / "docs") == before


def test_a_docs_page_where_a_generated_page_goes_fails_the_build(minimal_project: Path, tmp_path: Path) -> None:
    (minimal_project / "docs" / "dashboard.md").write_text("# Mine\n", encoding="utf-8")
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 1
    assert result.stderr.endswith(
        "claimledger: docs/dashboard.md clashes with a generated page; rename it; the previous site is untouched\n"
    )
    assert not (tmp_path / "site").exists()


def test_a_configuration_error_is_one_message_after_the_findings(minimal_project: Path, tmp_path: Path) -> None:
    config = minimal_project / "mkdocs.yml"
    text = config.read_text().replace("  font: false\n", "  font: false\n  custom_dir: nowhere\n")
    config.write_text(text.replace("  - claimledger\n", "  - claimledger:\n      allow: {custom_dir: [nowhere]}\n"))
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "claimledger: 0 errors, 0 warnings"
    assert lines[1].startswith("claimledger: mkdocs.yml: Custom theme directory does not exist: ")
    assert lines[1].endswith("; the previous site is untouched")
    assert len(lines) == 2
    assert not (tmp_path / "site").exists()


def test_the_plugins_options_and_the_sites_own_overrides_apply(minimal_project: Path, tmp_path: Path) -> None:
    """What only MkDocs reads (``!ENV``, the plugin's options) is no obstacle: Zensical is handed what
    claimledger makes of it; the site's own template overrides come before claimledger's."""
    config = minimal_project / "mkdocs.yml"
    text = config.read_text().replace(
        "  - claimledger\n",
        "  - claimledger:\n      edit_base: https://git.example.org/e/\n"
        "      allow: {env: [CLAIMLEDGER_TEST_COPYRIGHT], custom_dir: [theme]}\n",
    )
    text = text.replace("  font: false\n", "  font: false\n  custom_dir: theme\n")
    config.write_text(text + "copyright: !ENV [CLAIMLEDGER_TEST_COPYRIGHT, Widget people]\n")
    (minimal_project / "theme" / "partials").mkdir(parents=True)
    (minimal_project / "theme" / "partials" / "copyright.html").write_text("<p>The site's own footer</p>\n")
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "claims" / "widget-defects-fell" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://git.example.org/e/claims/claims/widget-defects-fell.yaml"' in page
    assert "<p>The site's own footer</p>" in page
    assert len(_json_ld(tmp_path / "site" / "claims" / "widget-defects-fell" / "index.html")) == 1


def test_the_claim_review_is_in_the_themes_language_on_every_engine(minimal_project: Path, tmp_path: Path) -> None:
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  font: false\n", "  font: false\n  language: de\n"))
    for engine in ("mkdocs", "zensical"):
        result = build(minimal_project, tmp_path / engine, "--engine", engine)
        assert result.returncode == 0, result.stderr
        [review] = _json_ld(tmp_path / engine / "claims" / "widget-defects-fell" / "index.html")
        assert json.loads(review)["inLanguage"] == "de", engine


MAKER_PAGE = "---\ntitle: For developers\nsearch:\n  boost: 0.5\n---\n\n# Developers\n\nHow the build works.\n"


def test_a_page_out_of_the_navigation_leaves_search_keeping_its_own_front_matter(
    minimal_project: Path, tmp_path: Path
) -> None:
    (minimal_project / "docs" / "developers.md").write_text(MAKER_PAGE)
    config = minimal_project / "mkdocs.yml"
    config.write_text(config.read_text() + "not_in_nav: |\n  /developers.md\n")
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / "site" / "search.json").read_text(encoding="utf-8"))
    assert [item for item in index["items"] if "developers/" in item["location"]] == []
    page = (tmp_path / "site" / "developers" / "index.html").read_text(encoding="utf-8")
    assert "<title>For developers - Widget claims</title>" in page  # its own front matter kept
    assert "How the build works." in page


def test_zensicals_search_reads_no_boost_so_a_party_page_is_given_none() -> None:
    """Material's search ranks a party's page higher by its ``search: boost`` (the mkdocs plugin hands
    it the page output's ``search_boost``); Zensical's reads no boost. Should a release read one,
    write it in the page's front matter (``plain.page_text``), and this test fails to say so."""
    import zensical

    package = Path(zensical.__file__).parent
    assert [p.name for p in package.rglob("*") if p.is_file() and b"boost" in p.read_bytes()] == []


def test_titles_and_descriptions_are_escaped_in_the_head(minimal_project: Path, tmp_path: Path) -> None:
    statement = 'Defects "fell" </title><script>alert(1)</script> & rose'
    claim = minimal_project / CLAIM
    original = "statement: Widget defects fell by 12 % in 2020."
    claim.write_text(claim.read_text().replace(original, f"statement: {json.dumps(statement)}"))
    resign(claim)  # reviewed as it now reads: its verdict stays in its title
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 0, result.stderr
    head = _head(tmp_path / "site" / "claims" / "widget-defects-fell" / "index.html")
    escaped = "Defects &quot;fell&quot; &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; rose"
    # the verdict first, then who made the claim and when, as on MkDocs
    assert f"<title>Disputed — Widgets Inc., 15 January 2021: {escaped} - Widget claims</title>" in head
    assert f'<meta name="description" content="Disputed: {escaped} Claimed by Widgets Inc., 15 January 2021.">' in head
    assert "<script>alert(1)" not in head
    assert (
        json.loads(_json_ld(tmp_path / "site" / "claims" / "widget-defects-fell" / "index.html")[0])["claimReviewed"]
        == statement
    )


def test_payloads_in_every_text_field_reach_no_page_unescaped(minimal_project: Path, tmp_path: Path) -> None:
    _hostile_project(minimal_project)
    result = build(minimal_project, tmp_path / "site", *ENGINE)
    assert result.returncode == 0, result.stderr
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        audit = _Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        assert audit.problems == [], page
        for script in audit.scripts:  # only the theme's own scripts and data blocks
            assert not script.get("src") or "assets/" in (script.get("src") or ""), page
            assert script.get("type") in (None, "application/json", "application/ld+json"), page
    claim_page = tmp_path / "site" / "claims" / "widget-defects-fell" / "index.html"
    assert json.loads(_json_ld(claim_page)[0])["claimReviewed"] == "Defects " + PAYLOADS[0]
    assert re.search(r"<title>[^<]*Defects &lt;/script&gt;", _head(claim_page))  # after the (hostile) verdict


# -- links as Zensical reads them ----------------------------------------------------------------

PAGES = {"": "index.md", "claims/x/": "claims/x.md", "claims/": "claims/index.md", "dashboard/": "dashboard.md"}


@pytest.mark.parametrize(
    ("page_url", "page_src", "link", "rebased"),
    [
        ("claims/x/", "claims/x.md", "../../dashboard/", "../dashboard.md"),
        ("claims/x/", "claims/x.md", "../../claims/x/#evidence", "x.md#evidence"),
        ("claims/x/", "claims/x.md", "../../", "../index.md"),
        ("claims/x/", "claims/x.md", "claim.json", "x/claim.json"),
        ("claims/x/", "claims/x.md", "../../claims.csv", "../claims.csv"),
        ("claims/x/", "claims/x.md", "../../claims/?status=disputed", "index.md?status=disputed"),
        ("dashboard/", "dashboard.md", "../claims/x/", "claims/x.md"),
        ("dashboard/", "dashboard.md", "../assets/", "assets/"),
        ("claims/", "claims/index.md", "x/", "x.md"),
    ],
)
def test_links_are_written_relative_to_the_source_file_to_the_pages_source_files(
    page_url: str, page_src: str, link: str, rebased: str
) -> None:
    assert rebase(f'<a href="{link}">x</a>', page_url, page_src, PAGES) == f'<a href="{rebased}">x</a>'


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://example.org/a/">x</a>',
        '<a href="mailto:a@example.org">x</a>',
        '<a href="/claims/x/">x</a>',
        '<a href="#evidence">x</a>',
        '<blockquote cite="../../claims/x/">x</blockquote>',
        '<a data-href="../../claims/x/">x</a>',
        "<p>href=&#34;../../claims/x/&#34;</p>",
    ],
)
def test_links_that_are_not_relative_and_other_attributes_are_left_alone(html: str) -> None:
    assert rebase(html, "claims/x/", "claims/x.md", PAGES) == html


# -- rebuilds: the plain project and Zensical's cache kept in the user's cache folder ----------------


def _workspaces(cache: Path) -> list[Path]:
    return sorted((cache / "zensical").iterdir()) if (cache / "zensical").is_dir() else []


def _unreferenced_claim(root: Path) -> Path:
    """A claim no other item names (deleting it leaves the dataset valid)."""
    files = sorted(root.rglob("*.yaml"))
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    for claim in sorted((root / "claims" / "claims").glob("*.yaml")):
        if not any(claim.stem in text for path, text in texts.items() if path != claim):
            return claim
    raise AssertionError("every claim is named by another item")


def test_a_rebuild_after_editing_adding_and_deleting_claims_is_the_site_a_clean_build_makes(tmp_path: Path) -> None:
    root = write_site_project(tmp_path / "project", 60)  # small, with items linked every way
    cache = tmp_path / "cache"
    kept = {"CLAIMLEDGER_CACHE_DIR": str(cache)}
    assert build(root, tmp_path / "site", *ENGINE, env=kept).returncode == 0
    claims = root / "claims" / "claims"
    unverified = next(p for p in sorted(claims.glob("*.yaml")) if "status: unverified" in p.read_text())
    gone = _unreferenced_claim(root)
    assert gone != unverified
    added = unverified.read_text().replace("Synthetic claim", "A new synthetic claim")
    unverified.write_text(unverified.read_text().replace("Synthetic rationale", "An edited rationale"))
    (claims / "claim-00999.yaml").write_text(added)
    gone.unlink()

    rebuilt = build(root, tmp_path / "site", *ENGINE, env=kept)
    assert rebuilt.returncode == 0, rebuilt.stderr
    clean = build(root, tmp_path / "clean", *ENGINE, env={"CLAIMLEDGER_NO_CACHE": "1"})
    assert clean.returncode == 0, clean.stderr
    site = _tree(tmp_path / "site")
    assert site == _tree(tmp_path / "clean")
    assert "An edited rationale" in site[f"claims/{unverified.stem}/index.html"].decode()
    assert "claims/claim-00999/index.html" in site
    assert f"claims/{gone.stem}/index.html" not in site
    assert gone.stem not in site["search.json"].decode() and gone.stem not in site["sitemap.xml"].decode()
    [workspace] = _workspaces(cache)
    assert not (workspace / "project" / "docs" / "claims" / f"{gone.stem}.md").exists()  # the page gone is removed


def test_a_rebuild_after_changing_a_template_and_the_configuration_is_the_site_a_clean_build_makes(
    minimal_project: Path, tmp_path: Path
) -> None:
    config = minimal_project / "mkdocs.yml"
    text = (
        config.read_text()
        .replace("  - claimledger\n", "  - claimledger:\n      allow: {custom_dir: [theme]}\n")
        .replace("  font: false\n", "  font: false\n  custom_dir: theme\n")
    )
    config.write_text(text)
    footer = minimal_project / "theme" / "partials" / "copyright.html"
    footer.parent.mkdir(parents=True)
    footer.write_text("<p>The first footer</p>\n")
    kept = {"CLAIMLEDGER_CACHE_DIR": str(tmp_path / "cache")}
    assert build(minimal_project, tmp_path / "site", *ENGINE, env=kept).returncode == 0
    footer.write_text("<p>The second footer</p>\n")
    config.write_text(config.read_text().replace("site_name: ", "site_name: Renamed "))

    assert build(minimal_project, tmp_path / "site", *ENGINE, env=kept).returncode == 0
    assert build(minimal_project, tmp_path / "clean", *ENGINE, env={"CLAIMLEDGER_NO_CACHE": "1"}).returncode == 0
    site = _tree(tmp_path / "site")
    assert site == _tree(tmp_path / "clean")
    page = site["claims/widget-defects-fell/index.html"].decode()
    assert "The second footer" in page and "Renamed " in page


def test_the_plain_project_and_zensicals_cache_are_kept_private_in_the_cache_folder(
    minimal_project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert build(minimal_project, tmp_path / "site", *ENGINE, env={"CLAIMLEDGER_CACHE_DIR": str(cache)}).returncode == 0
    [workspace] = _workspaces(cache)
    assert workspace.stat().st_mode & 0o777 == 0o700
    assert (workspace / "project" / ".cache").is_dir()
    assert (workspace / "project" / "docs" / "claims" / "widget-defects-fell.md").is_file()
    assert not (workspace / "project" / "site").exists()  # the built site was moved into place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "project", "site"]


def test_entries_of_zensicals_cache_it_cannot_read_are_rendered_again(minimal_project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kept = {"CLAIMLEDGER_CACHE_DIR": str(cache)}
    assert build(minimal_project, tmp_path / "clean", *ENGINE, env=kept).returncode == 0
    [workspace] = _workspaces(cache)
    entries = [p for p in (workspace / "project" / ".cache").rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # as a write cut short leaves it
    assert build(minimal_project, tmp_path / "site", *ENGINE, env=kept).returncode == 0
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_without_a_cache_folder_nothing_is_kept(minimal_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(minimal_project, site, *ENGINE, env={"CLAIMLEDGER_NO_CACHE": "1"}).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]
    assert not (site / ".zensical").exists()


def test_a_warning_fails_the_rebuild_as_it_failed_the_build(minimal_project: Path, tmp_path: Path) -> None:
    kept = {"CLAIMLEDGER_CACHE_DIR": str(tmp_path / "cache")}
    (minimal_project / "docs" / "rules.md").write_text("# Rules\n", encoding="utf-8")
    (minimal_project / "docs" / "about.md").write_text("# About\n\nSee [the rules](rules.md).\n", encoding="utf-8")
    assert build(minimal_project, tmp_path / "site", *ENGINE, env=kept).returncode == 0
    (minimal_project / "docs" / "rules.md").unlink()  # about.md, unchanged, now links to no page
    for _ in range(2):  # and again, from the cache of the failed build
        result = build(minimal_project, tmp_path / "site", *ENGINE, env=kept)
        assert result.returncode == 1
        assert "Warning: page does not exist" in result.stderr


def test_a_build_with_full_starts_from_an_empty_zensical_cache(minimal_project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"CLAIMLEDGER_CACHE_DIR": str(cache)}
    assert build(minimal_project, tmp_path / "site", *ENGINE, env=env).returncode == 0
    [workspace] = _workspaces(cache)
    left = workspace / "project" / ".cache" / "left-by-an-earlier-build"
    left.write_text("{}")
    assert build(minimal_project, tmp_path / "site", *ENGINE, "--full", env=env).returncode == 0
    assert not left.exists()
    assert (workspace / "project" / ".cache").is_dir()


# -- the workspace -------------------------------------------------------------------------------


def test_a_workspace_is_kept_for_the_same_versions_once_zensical_returned(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, tmp_path / "project", "0.0.73")
    assert workspace is not None
    write_file(workspace.project / "docs" / "index.md", "# Home\n")
    workspace.running()
    workspace.finished()
    workspace.close()
    again = open_workspace(tmp_path, tmp_path / "project", "0.0.73")
    assert again is not None
    assert (again.project / "docs" / "index.md").is_file()
    again.close()


@pytest.mark.parametrize("how", ["other zensical", "killed while zensical ran", "full"])
def test_a_workspace_of_other_versions_or_left_half_done_is_thrown_away(tmp_path: Path, how: str) -> None:
    workspace = open_workspace(tmp_path, tmp_path / "project", "0.0.73")
    assert workspace is not None
    write_file(workspace.project / ".cache" / "entry", "{}")
    workspace.running()
    if how != "killed while zensical ran":
        workspace.finished()
    workspace.close()
    version = "0.0.74" if how == "other zensical" else "0.0.73"
    again = open_workspace(tmp_path, tmp_path / "project", version, full=how == "full")
    assert again is not None
    assert not again.project.exists()
    again.close()


def test_a_workspace_others_may_write_to_is_not_used(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, tmp_path / "project", "0.0.73")
    assert workspace is not None
    workspace.close()
    workspace.folder.chmod(0o777)
    assert open_workspace(tmp_path, tmp_path / "project", "0.0.73") is None


def test_a_second_build_of_the_same_project_meanwhile_builds_without_the_workspace(tmp_path: Path) -> None:
    first = open_workspace(tmp_path, tmp_path / "project", "0.0.73")
    assert first is not None
    assert open_workspace(tmp_path, tmp_path / "project", "0.0.73") is None
    assert open_workspace(tmp_path, tmp_path / "other", "0.0.73") is not None  # another project has its own
    first.close()
    assert open_workspace(tmp_path, tmp_path / "project", "0.0.73") is not None


def test_only_files_whose_bytes_changed_are_written_and_the_others_removed(tmp_path: Path) -> None:
    for relative in ("docs/same.md", "docs/changed.md", "docs/gone/page.md", "docs/folder/index.md", "mkdocs.yml"):
        write_file(tmp_path / relative, "before\n")
    os.utime(tmp_path / "docs" / "same.md", ns=(0, 0))
    files = ProjectFiles(tmp_path)
    files.write("docs/same.md", "before\n")
    files.write("docs/changed.md", "after\n")
    files.write("docs/folder", "a file where a folder was\n")
    files.prune("docs")
    assert files.changed == 2
    assert (tmp_path / "docs" / "same.md").stat().st_mtime_ns == 0  # untouched: Zensical sees it unchanged
    assert (tmp_path / "docs" / "changed.md").read_text() == "after\n"
    assert (tmp_path / "docs" / "folder").read_text() == "a file where a folder was\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "docs",
        "docs/changed.md",
        "docs/folder",
        "docs/same.md",
        "mkdocs.yml",  # not in a folder pruned
    ]


AWKWARD = (
    *PAYLOADS,
    "Déjà vu: « 10 % » — 数字 🙂",
    "---\nnot: the end",
    "  leading and trailing spaces  ",
    "yes",
    "null",
    "line\u2028separator and next\x85line",
    "tab\there, bell\x07, escape\x1b[0m",
    "x" * 5000,
)


@pytest.mark.parametrize("text", AWKWARD)
def test_a_pages_front_matter_reads_back_as_the_values_written(text: str) -> None:
    meta = {"title": text, "description": f"{text} {text}", "edit_url": None, "search": {"exclude": True}}
    written = _front_matter(meta)
    assert written.startswith("---\n") and written.endswith("\n---\n\n")
    assert yaml.safe_load(written[4:-5]) == meta


def test_a_file_written_again_with_other_bytes_never_keeps_its_modification_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zensical knows a template changed by its modification time: a clock too coarse to tell two
    writes apart must not hide the change."""
    template = tmp_path / "overrides" / "main.html"
    write_file(template, "before\n")
    before = template.stat().st_mtime_ns

    def coarse(path: Path, content: str | bytes) -> None:  # writes within the same tick of the clock
        write_file(path, content)
        os.utime(path, ns=(before, before))

    monkeypatch.setattr("claimledger.engines.zensical.workspace.write_file", coarse)
    ProjectFiles(tmp_path).write("overrides/main.html", "after\n")
    assert template.read_text() == "after\n"
    assert template.stat().st_mtime_ns != before


def test_the_workspace_of_a_project_whose_folder_is_gone_is_removed(tmp_path: Path) -> None:
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    gone.mkdir()
    kept.mkdir()
    folders = []
    for root in (gone, kept):
        workspace = open_workspace(tmp_path / "cache", root, "0.0.73")
        assert workspace is not None
        workspace.finished()
        workspace.close()
        folders.append(workspace.folder)
    gone.rmdir()
    workspace = open_workspace(tmp_path / "cache", kept, "0.0.73")
    assert workspace is not None
    workspace.close()
    assert [folder.exists() for folder in folders] == [False, True]
