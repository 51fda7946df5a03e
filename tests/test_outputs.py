"""What a site contains is said once, engine-neutral (site_outputs), from one registry of item kinds
and one of export formats."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import frictionless
import pytest

from claimledger.checks.project import check_project
from claimledger.exports import formats
from claimledger.exports import site as exports_site
from claimledger.exports.formats import FORMATS, export_data, whole
from claimledger.record.graph import build_graph
from claimledger.record.kinds import KINDS, kind_of_page
from claimledger.record.layout import KIND_DIRS, KIND_FOLDERS
from claimledger.record.markdown import references
from claimledger.record.schema import KIND_SCHEMAS, schema, schema_text
from claimledger.site.outputs import FileOutput, MarkdownPage, PageOutput, Unpublishable, site_outputs
from claimledger.site.render import PageContext, Renderer, SiteSettings, template_environment
from claimledger.site.views import SITE_KINDS

from .conftest import MINIMAL, REPO

SETTINGS = SiteSettings("Widget claims", "https://widgets.example.org/", "https://example.org/edit/main/")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    dataset, findings = check_project(MINIMAL, today=dt.date(2026, 1, 1))
    assert findings == []
    return Renderer(dataset, build_graph(dataset), SETTINGS)


def test_every_file_of_the_site_is_an_output(renderer: Renderer) -> None:
    outputs = list(site_outputs(renderer.dataset, renderer, root=REPO))
    paths = [output.path for output in outputs]
    assert len(paths) == len(set(paths))
    dataset = renderer.dataset
    items = {f"{kind.site_folder}/{key}.md" for kind in KINDS.values() for key in kind.items(dataset)}
    pages = {o.path for o in outputs if isinstance(o, PageOutput)}
    assert items <= pages
    assert {"claims/index.md", "dashboard.md", "timeline.md", "tags.md", "methodology.md", "corrections.md"} <= pages
    assert [o.path for o in outputs if isinstance(o, MarkdownPage)] == ["contributing.md"]
    files = {o.path for o in outputs if isinstance(o, FileOutput)}
    assert files == {
        "assets/claimledger/claimledger.css",
        "assets/claimledger/claimledger.js",
        "claims.json",
        "claims.csv",
        "claims.db",
        "metadata.json",
        "datapackage.json",
        "claimreview.json",
        "schema/claimledger.schema.json",
        *(f"schema/{name}.schema.json" for name in sorted(KIND_SCHEMAS)),
        "corrections.xml",
        *(f"claims/{claim_id}/claim.json" for claim_id in dataset.claims),
    }


def test_a_contributor_guide_linked_outside_the_project_is_unpublishable_whatever_the_engine(
    renderer: Renderer, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    secret = tmp_path / "secret.md"
    secret.write_text("a secret kept outside the project\n", encoding="utf-8")
    (project / "CONTRIBUTING.md").symlink_to(secret)

    with pytest.raises(Unpublishable) as refused:
        list(site_outputs(renderer.dataset, renderer, root=project))

    [finding] = refused.value.findings
    assert (finding.path, finding.line, finding.rule) == ("CONTRIBUTING.md", 1, "unsafe-path")


def test_nothing_is_rendered_until_asked(renderer: Renderer, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []
    monkeypatch.setattr(renderer, "render", lambda spec: rendered.append(spec.src_uri) or "")
    outputs = list(site_outputs(renderer.dataset, renderer))
    assert rendered == []
    page = next(o for o in outputs if isinstance(o, PageOutput) and o.path == "claims/widget-defects-fell.md")
    page.render()
    assert rendered == ["claims/widget-defects-fell.md"]


def test_a_claim_page_carries_its_search_text_json_ld_and_edit_link(renderer: Renderer) -> None:
    outputs = {o.path: o for o in site_outputs(renderer.dataset, renderer)}
    claim = outputs["claims/widget-defects-fell.md"]
    assert isinstance(claim, PageOutput)
    assert claim.spec.title == renderer.dataset.claims["widget-defects-fell"].statement
    assert not claim.spec.in_nav
    assert claim.search_text is not None and claim.spec.title in claim.search_text()
    assert claim.jsonld is not None and json.loads(claim.jsonld())["@type"] == "ClaimReview"
    assert claim.edit_url == "https://example.org/edit/main/claims/claims/widget-defects-fell.yaml"
    assert claim.description
    listing = outputs["claims/index.md"]
    assert isinstance(listing, PageOutput)
    assert listing.spec.in_nav and listing.jsonld is None and listing.edit_url is None


def test_exports_on_the_site_carry_each_items_page_under_page(renderer: Renderer) -> None:
    outputs = {o.path: o for o in site_outputs(renderer.dataset, renderer)}
    exported = outputs["claims.json"]
    assert isinstance(exported, FileOutput)
    data = json.loads(whole(exported.content()))
    assert [c["page"] for c in data["claims"]] == [f"claims/{c}/" for c in renderer.dataset.claims]
    assert all(p["page"] == f"parties/{p['id']}/" for p in data["parties"])
    assert all(s["page"] == f"sources/{s['id']}/" for s in data["sources"])
    schema_file = outputs["schema/claimledger.schema.json"]
    assert isinstance(schema_file, FileOutput) and schema_file.content() == schema_text()
    claim_json = outputs["claims/widget-defects-fell/claim.json"]
    assert isinstance(claim_json, FileOutput) and claim_json.bulk
    assert json.loads(claim_json.content())["page"] == "claims/widget-defects-fell/"


def test_each_claims_claim_json_is_its_record_in_claims_json_made_once(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    record = formats.claim_record
    monkeypatch.setattr(exports_site, "claim_record", lambda claim: made.append(claim.id) or record(claim))
    outputs = {o.path: o for o in site_outputs(renderer.dataset, renderer)}
    exported = outputs["claims.json"]
    assert isinstance(exported, FileOutput)
    records = {c["id"]: c for c in json.loads(whole(exported.content()))["claims"]}
    for claim_id in renderer.dataset.claims:
        claim_json = outputs[f"claims/{claim_id}/claim.json"]
        assert isinstance(claim_json, FileOutput)
        content = claim_json.content()
        assert json.loads(content) == records[claim_id]
        assert content == formats.to_json(record(renderer.dataset.claims[claim_id]), compact=True)
    assert sorted(made) == sorted(renderer.dataset.claims)


def test_each_export_and_claim_json_asked_for_again_is_the_same_again(renderer: Renderer) -> None:
    outputs = [o for o in site_outputs(renderer.dataset, renderer) if isinstance(o, FileOutput)]
    first = {o.path: whole(o.content()) for o in outputs}
    assert {o.path: whole(o.content()) for o in outputs} == first


def test_exports_on_the_site_keep_each_items_own_web_address_under_url(renderer: Renderer) -> None:
    outputs = {o.path: o for o in site_outputs(renderer.dataset, renderer)}
    exported = outputs["claims.json"]
    assert isinstance(exported, FileOutput)
    sources = {s["id"]: s for s in json.loads(whole(exported.content()))["sources"]}
    assert sources["widget-post"]["url"] == renderer.dataset.sources["widget-post"].url
    assert sources["widget-post"]["url"].startswith("https://")
    assert all("url" not in c for c in json.loads(whole(exported.content()))["claims"])


def test_the_sites_exports_are_what_claimledger_export_writes(renderer: Renderer) -> None:
    outputs = {o.path: o for o in site_outputs(renderer.dataset, renderer)}
    data = export_data(renderer.dataset)
    for export in FORMATS.values():
        published = outputs[export.site_path]
        assert isinstance(published, FileOutput)
        assert whole(published.content()) == whole(export.write(data, True))


def test_site_outputs_refuses_a_renderer_of_another_dataset(renderer: Renderer) -> None:
    other, _ = check_project(MINIMAL, today=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="another dataset"):
        next(site_outputs(other, renderer))


def test_every_kind_has_its_folders_schema_definition_template_and_site_side() -> None:
    definitions = schema()["$defs"]
    templates = set(template_environment().list_templates())
    for name, kind in KINDS.items():
        assert kind.schema_def in definitions
        assert SITE_KINDS[name].template in templates
        assert KIND_DIRS[name] == kind.data_folder and KIND_FOLDERS[name] == f"claims/{kind.data_folder}/"
        assert kind_of_page(kind.page_src("x")) is kind
        assert [r.kind for r in references(f"[[{name}:x]]")] == [name]
    assert kind_of_page("claims/index.md") is None and kind_of_page("dashboard.md") is None


def test_every_export_format_is_offered_by_the_command_and_published() -> None:
    from claimledger.cli import build_parser

    export = build_parser().parse_args(["export", "--format", "csv"])
    assert export.format == "csv"
    assert list(FORMATS) == ["json", "csv", "sqlite", "datapackage"]
    assert [f.site_path for f in FORMATS.values()] == ["claims.json", "claims.csv", "claims.db", "datapackage.json"]


def test_export_writes_a_data_package_that_describes_the_exports_written_beside_it(tmp_path: Path) -> None:
    from claimledger.cli import main

    for export in FORMATS.values():
        assert (
            main(["export", "--root", str(MINIMAL), "--format", export.name, "-o", str(tmp_path / export.site_path)])
            == 0
        )
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["claims.json", "claims.csv", "claims.db"]


def test_a_claim_review_names_the_publisher_and_the_claimants_web_address(minimal_project: Path) -> None:
    party = minimal_project / "claims/parties/widgets-inc.yaml"
    party.write_text(party.read_text(encoding="utf-8") + "url: https://widgets.example.org/\n", encoding="utf-8")
    dataset, findings = check_project(minimal_project, today=dt.date(2026, 1, 1))
    assert findings == []
    renderer = Renderer(dataset, build_graph(dataset), SETTINGS)
    review = json.loads(renderer.claim_jsonld(dataset.claims["widget-defects-fell"]))
    assert (
        review["publisher"]
        == review["author"]
        == {  # claims/publisher.yaml
            "@type": "Organization",
            "name": "Widget Watch",
            "url": "https://widgets.example.org/about/",
            "logo": {"@type": "ImageObject", "url": "https://widgets.example.org/logo.png"},
        }
    )
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Widgets Inc.",
        "url": "https://widgets.example.org/",
    }


def test_an_unverified_claim_page_has_no_claim_review(minimal_project: Path) -> None:
    claim = minimal_project / "claims/claims/widget-report-exists.yaml"
    text = claim.read_text(encoding="utf-8")
    claim.write_text(re.sub(r"(?m)^status: .*$", "status: unverified", text), encoding="utf-8")
    dataset, findings = check_project(minimal_project, today=dt.date(2026, 1, 1))
    assert [f for f in findings if f.severity.name == "ERROR"] == []
    renderer = Renderer(dataset, build_graph(dataset), SETTINGS)
    outputs = {o.path: o for o in site_outputs(dataset, renderer)}
    unverified = outputs["claims/widget-report-exists.md"]
    assert isinstance(unverified, PageOutput) and unverified.jsonld is not None and unverified.jsonld() is None
    reviewed = outputs["claims/widget-defects-fell.md"]
    assert isinstance(reviewed, PageOutput) and reviewed.jsonld is not None and reviewed.jsonld() is not None


def test_a_status_scale_says_which_statuses_are_verdicts(renderer: Renderer) -> None:
    scale = renderer.dataset.scale
    assert scale is not None
    verdicts = {status.id: status.verdict for status in scale.statuses}
    assert verdicts["unverified"] is False and verdicts["superseded"] is False
    assert verdicts["disputed"] and verdicts["refuted"] and verdicts["corroborated"] and verdicts["unverifiable"]


def test_a_claim_pages_title_and_description_carry_its_verdict(renderer: Renderer) -> None:
    outputs = {o.path: o for o in site_outputs(renderer.dataset, renderer)}
    claim = outputs["claims/widget-defects-fell.md"]
    assert isinstance(claim, PageOutput)
    assert claim.browser_title == "Disputed — Widgets Inc., 15 January 2021: Widget defects fell by 12 % in 2020."
    assert claim.spec.title == "Widget defects fell by 12 % in 2020."
    assert claim.description.startswith("Disputed: Widget defects fell by 12 % in 2020.")


def test_every_generated_page_has_a_description_of_its_own(renderer: Renderer) -> None:
    pages = [o for o in site_outputs(renderer.dataset, renderer) if isinstance(o, PageOutput)]
    descriptions = [page.description for page in pages]
    assert all(descriptions) and len(set(descriptions)) == len(descriptions)


def test_templates_name_and_link_any_item_by_kind_and_id(renderer: Renderer) -> None:
    assert renderer.title("party", "widgets-inc") == renderer.dataset.parties["widgets-inc"].name
    assert renderer.title("source", "no-such-source") == "no-such-source"  # an unknown id, as it is
    assert renderer.title("party", None) == ""
    page = PageContext(renderer, "claims/widget-defects-fell/")
    assert page.url("party", "widgets-inc") == "../../parties/widgets-inc/"
    assert PageContext(renderer, "").url("metric", "m") == "metrics/m/"
