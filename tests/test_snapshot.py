"""``claimledger snapshot`` saves a source's text and records it so that ``check`` accepts it at once,
refuses what it cannot keep faithfully, and never leaves half its work behind."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Severity
from claimledger.tools import snapshot as snapshot_module

TEXT = "Widgets Inc. says the widget defects fell.\nA second line.\n"
SOURCE = "claims/sources/audit.yaml"


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["snapshot", *args, "--root", str(root), "--today", "2024-05-06"])
    out, err = capsys.readouterr()
    return code, out, err


def errors(root: Path) -> list[tuple[str, str]]:
    _, findings = check_project(root)
    return [(f.rule, f.path) for f in findings if f.severity is Severity.ERROR]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "saved.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def test_the_snapshot_and_its_record_pass_the_check(
    minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, minimal_project, "audit", str(saved))
    assert code == 0
    assert "Saved claims/snapshots/audit.txt" in out
    assert (minimal_project / "claims/snapshots/audit.txt").read_text(encoding="utf-8") == TEXT
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    text = (minimal_project / SOURCE).read_text(encoding="utf-8")
    assert (
        f"snapshot:\n  file: snapshots/audit.txt\n  sha256: {digest}\n  retrieved: 2024-05-06\n  third_party: true\n"
        in text
    )
    assert errors(minimal_project) == []


def test_comments_and_the_other_fields_stay_as_they_were(
    minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = minimal_project / SOURCE
    before = path.read_text(encoding="utf-8").replace("kind: government-report", "kind: government-report  # PDF")
    path.write_text(before, encoding="utf-8")
    run(capsys, minimal_project, "audit", str(saved))
    after = path.read_text(encoding="utf-8")
    start = after.index("snapshot:\n")
    end = after.index("basis:\n")
    assert after[:start] + after[end:] == before  # only the snapshot block is new, placed before basis
    assert "kind: government-report  # PDF\n" in after


def test_line_endings_become_lf_and_a_byte_order_mark_is_dropped(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    windows = tmp_path / "windows.txt"
    windows.write_bytes(b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert run(capsys, minimal_project, "audit", str(windows))[0] == 0
    assert (minimal_project / "claims/snapshots/audit.txt").read_bytes() == TEXT.encode("utf-8")
    assert errors(minimal_project) == []


def test_retrieved_may_be_given(minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, minimal_project, "audit", str(saved), "--retrieved", "2021-03-02")[0] == 0
    assert "  retrieved: 2021-03-02\n" in (minimal_project / SOURCE).read_text(encoding="utf-8")


def test_a_retrieval_day_in_the_future_is_refused(
    minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, minimal_project, "audit", str(saved), "--retrieved", "2030-01-01")
    assert code == 2
    assert "--retrieved 2030-01-01 is in the future" in err
    assert not (minimal_project / "claims/snapshots/audit.txt").exists()


def test_an_unknown_source_is_refused_with_the_ids_it_may_mean(
    minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, minimal_project, "audits", str(saved))
    assert code == 2
    assert "no source 'audits': there is no claims/sources/audits.yaml" in err
    assert "hint: did you mean audit?" in err
    assert not (minimal_project / "claims/snapshots/audits.txt").exists()


def test_a_missing_file_is_refused(minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, minimal_project, "audit", str(tmp_path / "nowhere.txt"))
    assert code == 2
    assert "nowhere.txt does not exist" in err
    assert "hint:" in err


def test_a_binary_file_is_refused(minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n\x00\x01\x02")
    code, _, err = run(capsys, minimal_project, "audit", str(pdf))
    assert code == 2
    assert "is not a text file" in err
    assert not (minimal_project / "claims/snapshots/audit.txt").exists()


def test_text_that_is_not_utf8_is_refused(
    minimal_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\u00e9 society\n".encode("latin-1"))
    code, _, err = run(capsys, minimal_project, "audit", str(latin))
    assert code == 2
    assert "is not UTF-8 text (byte 3" in err
    assert "iconv" in err


def test_another_text_already_saved_is_kept_unless_forced(
    minimal_project: Path, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, minimal_project, "audit", str(saved))[0] == 0
    other = tmp_path / "other.txt"
    other.write_text("Another copy.\n", encoding="utf-8")
    code, _, err = run(capsys, minimal_project, "audit", str(other))
    assert code == 2
    assert "claims/snapshots/audit.txt already holds another text; a snapshot is never edited" in err
    assert "--force" in err
    assert (minimal_project / "claims/snapshots/audit.txt").read_text(encoding="utf-8") == TEXT
    assert run(capsys, minimal_project, "audit", str(other), "--force")[0] == 0
    assert (minimal_project / "claims/snapshots/audit.txt").read_text(encoding="utf-8") == "Another copy.\n"
    assert errors(minimal_project) == []


def test_the_same_text_again_changes_nothing(
    minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, minimal_project, "audit", str(saved))
    before = (minimal_project / SOURCE).read_bytes()
    code, out, _ = run(capsys, minimal_project, "audit", str(saved), "--retrieved", "2024-01-01")
    assert code == 0
    assert "nothing changed" in out
    assert (minimal_project / SOURCE).read_bytes() == before


def test_a_snapshot_is_never_written_through_a_link(
    minimal_project: Path, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("untouched\n", encoding="utf-8")
    (minimal_project / "claims/snapshots/audit.txt").symlink_to(elsewhere)
    code, _, err = run(capsys, minimal_project, "audit", str(saved), "--force")
    assert code == 2
    assert "claims/snapshots/audit.txt is a link" in err
    assert elsewhere.read_text(encoding="utf-8") == "untouched\n"
    assert "snapshot:" not in (minimal_project / SOURCE).read_text(encoding="utf-8")


def test_a_snapshot_folder_leading_out_of_the_repository_is_refused(
    minimal_project: Path, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = minimal_project / "claims/snapshots"
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(outside)
    code, _, err = run(capsys, minimal_project, "audit", str(saved))
    assert code == 2
    assert "is a link" in err
    assert list(outside.iterdir()) == []


def test_when_the_source_cannot_be_written_the_snapshot_is_rolled_back(
    minimal_project: Path, saved: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.replace

    def failing(self: Path, target: str | Path) -> Path:
        if Path(target).name == "audit.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self, target)

    monkeypatch.setattr(snapshot_module.Path, "replace", failing)
    before = (minimal_project / SOURCE).read_bytes()
    code, _, err = run(capsys, minimal_project, "audit", str(saved))
    assert code == 2
    assert "nothing was written" in err
    assert not (minimal_project / "claims/snapshots/audit.txt").exists()
    assert (minimal_project / SOURCE).read_bytes() == before
    assert [p.name for p in (minimal_project / "claims/snapshots").iterdir()] == ["widget-post.txt"]
    assert [p.name for p in (minimal_project / "claims/sources").iterdir() if p.name.startswith(".")] == []


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        found = self.path == "/page"
        body = TEXT.replace("\n", "\r\n").encode("utf-8") if found else b"gone"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_the_text_may_be_fetched_from_an_address_redirects_followed(
    minimal_project: Path, local_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, minimal_project, "audit", "--url", f"{local_site}/moved", "--allow-private-hosts")
    assert code == 0, err
    assert (minimal_project / "claims/snapshots/audit.txt").read_text(encoding="utf-8") == TEXT
    assert errors(minimal_project) == []


def test_an_address_that_does_not_answer_200_saves_nothing(
    minimal_project: Path, local_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, minimal_project, "audit", "--url", f"{local_site}/gone", "--allow-private-hosts")
    assert code == 2
    assert "answered HTTP 404" in err
    assert not (minimal_project / "claims/snapshots/audit.txt").exists()


def test_a_local_address_is_not_requested_unless_allowed(
    minimal_project: Path, local_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, minimal_project, "audit", "--url", f"{local_site}/page")
    assert code == 2
    assert "not requested: 127.0.0.1 is a private or local address" in err


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/page", "http://user@127.0.0.1/page"], ids=["ftp", "user-info"])
def test_an_address_other_than_plain_http_is_not_requested(
    minimal_project: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, minimal_project, "audit", "--url", url, "--allow-private-hosts")
    assert code == 2
    assert "is not requested" in err or "not an http(s) address" in err
    assert not (minimal_project / "claims/snapshots/audit.txt").exists()


# --- --archive: Save Page Now, played by a local server -------------------------------------------------------------

PAGE = "https://audit.example.org/report"
STAMP = "20261207120000"
COPY = f"https://web.archive.org/web/{STAMP}/{PAGE}"


class _SavePageNow(BaseHTTPRequestHandler):
    """Save Page Now as it answers at /save/URL; a first path segment picks how it answers instead."""

    def do_GET(self) -> None:
        manner, _, rest = self.path.lstrip("/").partition("/")
        if manner == "save":
            manner, rest = "redirect", self.path.lstrip("/")
        page = rest.removeprefix("save/")
        self.send_response({"redirect": 302, "other": 302, "refused": 429, "error": 503}.get(manner, 200))
        if manner == "redirect":
            self.send_header("Location", f"/web/{STAMP}/{page}")
        elif manner == "other":
            self.send_header("Location", f"/web/{STAMP}/https://elsewhere.example.org/")
        elif manner == "content":
            self.send_header("Content-Location", f"/web/{STAMP}/{page}")
        elif manner == "link":
            self.send_header(
                "Link", f'<{page}>; rel="original", <https://web.archive.org/web/{STAMP}/{page}>; rel="memento"'
            )
        elif manner == "slow":
            time.sleep(1.0)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def save_page_now() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SavePageNow)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def unarchived(minimal_project: Path) -> Path:
    """The fixture's web source with no archived copy and no access date recorded."""
    path = minimal_project / SOURCE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(("archive_url:", "accessed:"))), "utf-8")
    return minimal_project


def archive(capsys: pytest.CaptureFixture[str], root: Path, base: str, *args: str) -> tuple[int, str, str]:
    code = main(
        [
            "snapshot",
            *args,
            "--archive",
            "--save-page-now",
            base,
            "--allow-private-hosts",
            "--root",
            str(root),
            "--today",
            "2026-12-07",
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def warnings(root: Path) -> list[str]:
    _, findings = check_project(root)
    return [f.rule for f in findings if f.path == SOURCE]


@pytest.mark.parametrize("manner", ["save", "content/save", "link/save"], ids=["redirect", "content-location", "link"])
def test_archive_alone_records_the_copy_save_page_now_names(
    unarchived: Path, save_page_now: str, manner: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert {"archive-missing", "accessed-missing"} <= set(warnings(unarchived))
    code, out, err = archive(capsys, unarchived, f"{save_page_now}/{manner}/", "audit")
    assert code == 0, err
    assert f"archived copy {COPY} (2026-12-07)" in out
    text = (unarchived / SOURCE).read_text(encoding="utf-8")
    assert f"url: {PAGE}\narchive_url: {COPY}\narchive_date: 2026-12-07\naccessed: 2026-12-07\n" in text
    assert text.startswith("# yaml-language-server:")
    assert not (unarchived / "claims/snapshots/audit.txt").exists()
    assert errors(unarchived) == []
    assert not {"archive-missing", "accessed-missing", "archive-url"} & set(warnings(unarchived))


def test_the_text_and_its_archived_copy_are_recorded_in_one_write(
    unarchived: Path, local_site: str, save_page_now: str, capsys: pytest.CaptureFixture[str]
) -> None:
    page = f"{local_site}/page"
    code, out, err = archive(capsys, unarchived, f"{save_page_now}/save/", "audit", "--url", page)
    assert code == 0, err
    assert "Saved claims/snapshots/audit.txt" in out
    text = (unarchived / SOURCE).read_text(encoding="utf-8")
    assert f"archive_url: https://web.archive.org/web/{STAMP}/{page}\n" in text
    assert "accessed: 2026-12-07\n" in text
    assert "snapshot:\n  file: snapshots/audit.txt\n" in text
    assert errors(unarchived) == []


def test_a_saved_text_gets_its_archived_copy_without_being_saved_again(
    unarchived: Path, saved: Path, save_page_now: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, unarchived, "audit", str(saved))[0] == 0
    code, out, err = archive(capsys, unarchived, f"{save_page_now}/save/", "audit", str(saved))
    assert code == 0, err
    assert f"archived copy {COPY}" in out
    text = (unarchived / SOURCE).read_text(encoding="utf-8")
    assert f"archive_url: {COPY}\n" in text and "retrieved: 2024-05-06\n" in text
    assert errors(unarchived) == []


@pytest.mark.parametrize(
    ("manner", "message"),
    [
        ("refused/save/", "too many requests (HTTP 429)"),
        ("error/save/", "refused to save https://audit.example.org/report (HTTP 503)"),
        ("plain/save/", "names no copy"),
        ("other/save/", f"names /web/{STAMP}/https://elsewhere.example.org/, not a copy of {PAGE}"),
        ("slow/save/", "timed out after 0.2 s"),
    ],
    ids=["refused", "server-error", "no-copy", "another-page", "timeout"],
)
def test_a_failed_archive_writes_nothing(
    unarchived: Path, saved: Path, save_page_now: str, manner: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (unarchived / SOURCE).read_bytes()
    code, _, err = archive(capsys, unarchived, f"{save_page_now}/{manner}", "audit", str(saved), "--timeout", "0.2")
    assert code == 2
    assert "not archived:" in err and message in err
    assert "if it cannot be archived" in err and "claims/accepted-warnings.yaml" in err  # what to do if it never can
    assert (unarchived / SOURCE).read_bytes() == before
    assert not (unarchived / "claims/snapshots/audit.txt").exists()


def test_an_archived_copy_already_recorded_is_kept_unless_forced(
    minimal_project: Path, save_page_now: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (minimal_project / SOURCE).read_bytes()
    code, _, err = archive(capsys, minimal_project, f"{save_page_now}/save/", "audit")
    assert code == 2
    assert "already records an archived copy" in err and "--force" in err
    assert (minimal_project / SOURCE).read_bytes() == before
    code, _, err = archive(capsys, minimal_project, f"{save_page_now}/save/", "audit", "--force")
    assert code == 0, err
    assert f"archive_url: {COPY}\n" in (minimal_project / SOURCE).read_text(encoding="utf-8")


def test_a_source_without_an_address_cannot_be_archived_alone(
    unarchived: Path, save_page_now: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = unarchived / SOURCE
    path.write_text(path.read_text(encoding="utf-8").replace(f"url: {PAGE}\n", ""), "utf-8")
    code, _, err = archive(capsys, unarchived, f"{save_page_now}/save/", "audit")
    assert code == 2
    assert "has no url: --archive needs the address of the page" in err


def test_save_page_now_is_the_real_service_unless_told() -> None:
    from claimledger.tools.wayback import SAVE_PAGE_NOW

    assert SAVE_PAGE_NOW == "https://web.archive.org/save/"
