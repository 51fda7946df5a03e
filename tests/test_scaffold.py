"""``claimledger new`` writes valid files, asks only in a terminal, and never overwrites."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Severity
from claimledger.record.schema import schema, units
from claimledger.tools.scaffold import ScaffoldError, allowed, gather, with_reference_table

from .conftest import REPO


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


CLAIM = (
    "--statement",
    "Widgets got cheaper.",
    "--quote",
    "Widget defects fell by 12% in 2020",
    "--claimant",
    "widgets-inc",
    "--source",
    "widget-post",
)


def test_new_claim_writes_a_file_whose_only_finding_is_the_placeholder_left_to_fill_in(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *CLAIM)
    assert code == 0
    assert "Wrote claims/claims/widgets-cheaper.yaml" in out
    assert "[placeholder]" in out  # shown right away, with the rest of what check has to say
    _, findings = check_project(minimal_project)
    own = [f for f in findings if f.path.endswith("widgets-cheaper.yaml")]
    assert [(f.rule, f.field) for f in own] == [("placeholder", "rationale")]
    assert own[0].message == "'rationale' is still a placeholder: TODO: why this status, in one sentence"
    assert own[0].hint


def test_a_new_claim_given_every_value_passes_the_check(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = (*CLAIM, "--rationale", "No evidence has been weighed yet.")
    assert run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *args)[0] == 0
    _, findings = check_project(minimal_project)
    assert [f for f in findings if f.path.endswith("widgets-cheaper.yaml")] == []


def test_a_placeholder_anywhere_in_a_file_is_refused(minimal_project: Path) -> None:
    path = minimal_project / "claims/parties/reader.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "role: '  TODO say who'\n", encoding="utf-8")
    _, findings = check_project(minimal_project)
    errors = [(f.rule, f.path, f.field) for f in findings if f.severity is Severity.ERROR]
    assert errors == [("placeholder", "claims/parties/reader.yaml", "role")]


def test_new_claim_defaults_to_unverified_with_no_review(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *CLAIM)
    text = (minimal_project / "claims" / "claims" / "widgets-cheaper.yaml").read_text(encoding="utf-8")
    assert "status: unverified" in text
    assert "review" not in text  # no verdict yet, so nobody has signed one off
    assert "date: unknown" in text


def test_new_source_and_party_are_valid(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            capsys,
            "new",
            "party",
            "regulator",
            "--root",
            str(minimal_project),
            "--name",
            "The Regulator",
            "--kind",
            "organisation",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "new",
            "source",
            "regulator-notice",
            "--root",
            str(minimal_project),
            "--title",
            "A notice",
            "--kind",
            "government-report",
            "--published",
            "2021-06",
            "--author",
            "regulator",
        )[0]
        == 0
    )
    _, findings = check_project(minimal_project)
    # Both files are valid; the source's date and author are facts, and the check asks for their basis.
    assert sorted((f.path, f.rule, f.field) for f in findings) == [
        ("claims/sources/regulator-notice.yaml", "fact-basis", "author"),
        ("claims/sources/regulator-notice.yaml", "fact-basis", "published"),
    ]


def test_new_refuses_to_overwrite_an_existing_file(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = minimal_project / "claims" / "claims" / "widget-defects-fell.yaml"
    before = path.read_bytes()
    code, _, err = run(capsys, "new", "claim", "widget-defects-fell", "--root", str(minimal_project), *CLAIM)
    assert code == 2
    assert "already exists; nothing was written" in err
    assert path.read_bytes() == before


def test_new_refuses_an_id_used_in_a_sub_folder(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = minimal_project / "claims" / "claims" / "2021"
    folder.mkdir()
    (minimal_project / "claims" / "claims" / "widget-defects-fell.yaml").rename(folder / "widget-defects-fell.yaml")
    code, _, err = run(capsys, "new", "claim", "widget-defects-fell", "--root", str(minimal_project), *CLAIM)
    assert code == 2
    assert "claims/claims/2021/widget-defects-fell.yaml already exists" in err


def test_new_refuses_a_bad_id(minimal_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "new", "claim", "../escape", "--root", str(minimal_project), *CLAIM)
    assert code == 2
    assert "is not a valid id" in err
    assert not (minimal_project / "claims" / "escape.yaml").exists()


def test_new_refuses_an_id_with_a_trailing_line_break(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "new", "claim", "widgets-cheaper\n", "--root", str(minimal_project), *CLAIM)
    assert code == 2
    assert "is not a valid id" in err
    assert sorted(p.name for p in (minimal_project / "claims" / "claims").iterdir()) == [
        "widget-defects-fell.yaml",
        "widget-report-exists.yaml",
    ]


def test_new_writes_nothing_through_a_kind_folder_linked_outside_the_repository(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = minimal_project / "claims" / "claims"
    outside = tmp_path / "elsewhere"
    claims.rename(outside)
    claims.symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    code, _, err = run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *CLAIM)
    assert code == 2
    assert "claims/claims: this link points outside the repository" in err
    assert sorted(p.name for p in outside.iterdir()) == before


def test_new_without_a_terminal_names_the_missing_flags_and_writes_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "claimledger",
            "new",
            "claim",
            "half-done",
            "--root",
            str(tmp_path),
            "--statement",
            "Something.",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "missing quote, claimant, source: give --quote … --claimant … --source …" in result.stderr
    assert not list(tmp_path.rglob("*.yaml"))


def test_new_values_that_break_the_schema_are_refused(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "new", "party", "someone", "--root", str(minimal_project), "--name", "X", "--kind", "robot"
    )
    assert code == 2
    assert "kind" in err
    assert not (minimal_project / "claims" / "parties" / "someone.yaml").exists()


def test_gather_asks_for_what_is_missing_and_offers_defaults() -> None:
    asked: list[str] = []
    answers = iter(["The Regulator", "organisation", "", ""])

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    values = gather("party", {"name": None, "kind": None, "role": None, "affiliation": None}, ask)
    assert values == {"name": "The Regulator", "kind": "organisation"}
    assert asked[0].startswith("Name")


def test_gather_without_a_terminal_raises_for_missing_required_values() -> None:
    with pytest.raises(ScaffoldError, match="missing name, kind"):
        gather("party", {"name": None, "kind": None}, None)


def test_new_in_a_terminal_prompts_for_missing_fields(minimal_project: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child runs the real command with a terminal on stdin
        os.execv(
            sys.executable,
            [sys.executable, "-m", "claimledger", "new", "party", "prompted", "--root", str(minimal_project)],
        )
    transcript = b""
    for answer in (b"Prompted Person\n", b"person\n", b"\n", b"\n"):
        output = b""
        while not output.rstrip().endswith((b":", b"]:")):
            output += os.read(fd, 1024)
        transcript += output
        os.write(fd, answer)
    rest = b""
    try:
        while chunk := os.read(fd, 1024):
            rest += chunk
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, rest
    assert b"Name" in transcript
    assert b"Kind (person, organisation, unidentified)" in transcript
    text = (minimal_project / "claims" / "parties" / "prompted.yaml").read_text(encoding="utf-8")
    assert "name: Prompted Person" in text
    assert "kind: person" in text


def test_new_refuses_a_flag_that_belongs_to_another_kind(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "new",
        "party",
        "someone",
        "--root",
        str(minimal_project),
        "--name",
        "X",
        "--kind",
        "person",
        "--title",
        "A title",
    )
    assert code == 2
    assert "--title is not a field of a party" in err
    assert not (minimal_project / "claims" / "parties" / "someone.yaml").exists()


def test_new_points_editors_at_the_published_schema_outside_this_repository(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "new", "party", "someone", "--root", str(minimal_project), "--name", "X", "--kind", "person")
    first = (minimal_project / "claims" / "parties" / "someone.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == (
        "# yaml-language-server: $schema=https://widgets.example.org/schema/claimledger.schema.json#/$defs/party"
    )


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines where it likes


def test_new_source_help_shows_only_the_source_fields_with_the_kinds_the_schema_allows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys, "new", "source")
    kinds = schema()["$defs"]["source"]["properties"]["kind"]["enum"]
    assert f"one of: {', '.join(kinds)}" in text
    assert "--title" in text
    assert "--statement" not in text and "--name" not in text  # a claim's and a party's fields


def test_new_party_help_lists_the_party_kinds_the_schema_allows(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "new", "party")
    assert f"one of: {', '.join(schema()['$defs']['party']['properties']['kind']['enum'])}" in text
    assert "--title" not in text


def test_new_claim_help_lists_the_schemas_units_and_the_projects_own_statuses(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scale = minimal_project / "claims" / "statuses.yaml"
    scale.write_text(scale.read_text(encoding="utf-8").replace("id: disputed", "id: contested"), encoding="utf-8")
    text = _help(capsys, "new", "claim", "--root", str(minimal_project))
    assert f"one of: {', '.join(units())}" in text
    assert "contested" in text and "disputed" not in text
    assert "--kind" not in text


def test_new_source_with_an_unknown_kind_lists_the_allowed_kinds_and_the_likely_one(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "new", "source", "a-post", "--root", str(minimal_project), "--title", "A post", "--kind", "blogpost"
    )
    assert code == 2
    assert "'blogpost' is not a source kind: use one of report, government-report," in err
    assert "did you mean blog-post?" in err
    assert not (minimal_project / "claims" / "sources" / "a-post.yaml").exists()


def test_new_source_kind_newspaper_lists_the_allowed_kinds(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "new", "source", "a-paper", "--root", str(minimal_project), "--title", "A paper", "--kind", "newspaper"
    )
    assert code == 2
    assert all(kind in err for kind in schema()["$defs"]["source"]["properties"]["kind"]["enum"])


def test_new_claim_refuses_a_status_that_is_not_on_the_projects_scale(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "new", "claim", "c", "--root", str(minimal_project), *CLAIM, "--status", "verified")
    assert code == 2
    assert "'verified' is not a status: use one of " in err
    assert "did you mean" not in err  # "unverified" is its opposite, not a typo of it


def test_new_claim_writes_the_value_and_unit_it_is_given(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--value", "-12", "--unit", "percent-change")
    assert run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *CLAIM, *args)[0] == 0
    written = yaml.safe_load((minimal_project / "claims/claims/widgets-cheaper.yaml").read_text(encoding="utf-8"))
    assert (written["value"], written["unit"]) == (-12, "percent-change")


def test_new_claim_from_a_source_someone_else_wrote_records_that_it_reported_the_claim(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # widget-post is a blogger's: it reports what Widgets Inc. said, and says where to record the original.
    code, out, _ = run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *CLAIM)
    assert code == 0
    written = yaml.safe_load((minimal_project / "claims/claims/widgets-cheaper.yaml").read_text(encoding="utf-8"))
    assert written["first_appearance"] == "widget-post"
    assert written["provenance"] == [{"source": "widget-post", "role": "reported"}]
    assert "if you know where widgets-inc first made it" in out
    assert "reviewed" not in written and "review" not in written


def test_new_claim_from_the_claimants_own_source_records_that_it_stated_it(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = [*CLAIM[:-1], "widget-report"]  # the company's own report
    code, out, _ = run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *own)
    assert code == 0
    written = yaml.safe_load((minimal_project / "claims/claims/widgets-cheaper.yaml").read_text(encoding="utf-8"))
    assert (written["first_appearance"], written["provenance"]) == (
        "widget-report",
        [{"source": "widget-report", "role": "stated"}],
    )
    assert "first made it" not in out


def test_new_claim_told_where_it_first_appeared_starts_its_provenance_there(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ("--first-appearance", "widget-report")
    assert run(capsys, "new", "claim", "widgets-cheaper", "--root", str(minimal_project), *CLAIM, *first)[0] == 0
    written = yaml.safe_load((minimal_project / "claims/claims/widgets-cheaper.yaml").read_text(encoding="utf-8"))
    assert written["first_appearance"] == "widget-report"
    assert written["provenance"] == [{"source": "widget-report", "role": "stated"}]
    assert written["appearances"][0]["source"] == "widget-post"


def test_the_reference_table_in_contributing_matches_the_schema_and_the_status_scale() -> None:
    """Regenerate after a change with UPDATE_CONTRIBUTING=1 scripts/test tests/test_scaffold.py -k reference_table."""
    guide = REPO / "CONTRIBUTING.md"
    text = guide.read_text(encoding="utf-8")
    expected = with_reference_table(text, REPO)
    if os.environ.get("UPDATE_CONTRIBUTING"):
        guide.write_text(expected, encoding="utf-8")
    assert text == expected or os.environ.get("UPDATE_CONTRIBUTING"), (
        "CONTRIBUTING.md's table of allowed values differs from the schema: "
        "run UPDATE_CONTRIBUTING=1 scripts/test tests/test_scaffold.py -k reference_table"
    )
    for values in (allowed("source", "kind"), allowed("party", "kind"), tuple(units())):
        assert ", ".join(f"`{value}`" for value in values or ()) in expected


NEWS_SOURCE = (
    "--title",
    "Widget defects fall",
    "--kind",
    "news-report",
    "--published",
    "2021-03-14",
    "--author",
    "blogger",
    "--publisher",
    "widgets-inc",
)


def new_news_source(capsys: pytest.CaptureFixture[str], root: Path, text: str) -> tuple[int, str, str]:
    saved = root.parent / "saved-news.txt"
    saved.write_text(text, encoding="utf-8")
    return run(
        capsys, "new", "source", "widget-news", "--root", str(root), "--today", "2021-03-15", *NEWS_SOURCE,
        "--snapshot", str(saved),
    )  # fmt: skip


def test_new_source_with_a_snapshot_saves_it_and_bases_what_its_text_states_on_self(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = new_news_source(capsys, minimal_project, "Widgets Inc. news\nBy A blogger, 14 March 2021\n")
    assert code == 0
    assert "Saved claims/snapshots/widget-news.txt" in out
    assert "Based published, author, publisher on the source itself (`self`)" in out
    data = yaml.safe_load((minimal_project / "claims/sources/widget-news.yaml").read_text(encoding="utf-8"))
    assert data["basis"] == {"published": "self", "author": "self", "publisher": "self"}
    assert data["snapshot"]["file"] == "snapshots/widget-news.txt"
    _, findings = check_project(minimal_project)
    assert [f for f in findings if f.path == "claims/sources/widget-news.yaml"] == []


def test_new_source_with_a_snapshot_leaves_out_a_basis_its_text_does_not_state(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = new_news_source(capsys, minimal_project, "Widgets Inc. news, 14 March 2021\n")
    assert code == 0
    assert "Its text does not state its author in words check can find: give each a basis" in out
    data = yaml.safe_load((minimal_project / "claims/sources/widget-news.yaml").read_text(encoding="utf-8"))
    assert data["basis"] == {"published": "self", "publisher": "self"}
    _, findings = check_project(minimal_project)
    assert [(f.rule, f.field) for f in findings if f.path == "claims/sources/widget-news.yaml"] == [
        ("fact-basis", "author")
    ]


def test_new_source_takes_the_place_and_bases_it_on_the_source_itself_where_its_text_names_it(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = minimal_project.parent / "saved-news.txt"
    saved.write_text("Widgets Inc. news\nBy A blogger, Hangzhou, 14 March 2021\n", encoding="utf-8")
    code, _, _ = run(
        capsys, "new", "source", "widget-news", "--root", str(minimal_project), "--today", "2021-03-15", *NEWS_SOURCE,
        "--place", "Hangzhou", "--snapshot", str(saved),
    )  # fmt: skip
    assert code == 0
    data = yaml.safe_load((minimal_project / "claims/sources/widget-news.yaml").read_text(encoding="utf-8"))
    assert data["place"] == "Hangzhou" and data["basis"]["place"] == "self"
    _, findings = check_project(minimal_project)
    assert [f for f in findings if f.path == "claims/sources/widget-news.yaml"] == []


def test_new_source_with_a_missing_snapshot_file_writes_nothing(
    minimal_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(minimal_project.parent / "nowhere.txt")
    code, _, err = run(capsys, "new", "source", "widget-news", "--root", str(minimal_project), *NEWS_SOURCE,
                       "--snapshot", missing)  # fmt: skip
    assert code == 2
    assert "does not exist; nothing was written" in err
    assert not (minimal_project / "claims/sources/widget-news.yaml").exists()


def test_new_claim_takes_what_a_count_counts(minimal_project: Path) -> None:
    code = main(
        [
            "new", "claim", "stores-closed", "--root", str(minimal_project),
            "--statement", "Stores closed.", "--quote", "Widget defects fell by 12% in 2020",
            "--claimant", "widgets-inc", "--source", "widget-post", "--date", "2021-01-15",
            "--value", "5", "--unit", "count", "--counted", "stores", "--rationale", "Not yet checked.",
        ]
    )  # fmt: skip
    assert code == 0
    text = (minimal_project / "claims/claims/stores-closed.yaml").read_text(encoding="utf-8")
    assert "value: 5\nunit: count\ncounted: stores\n" in text
