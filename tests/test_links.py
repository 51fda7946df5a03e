"""``claimledger links``: listing external addresses offline, and checking them with ``--online``.

Every request goes to a local server on 127.0.0.1; nothing here touches the network.  An autouse
guard makes any other host name fail the test loudly instead of being resolved; tests of host names
pass a fake resolver, and a fake connector that notes the address asked for and connects to the local
server instead.
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from claimledger.checks.links import (
    CACHE_NAME,
    MAX_REDIRECTS,
    Cache,
    HostPacer,
    LinkSettings,
    Network,
    Result,
    check_online,
    check_url,
    external_links,
)
from claimledger.checks.project import check_project
from claimledger.cli import main
from claimledger.findings import Finding, Severity
from claimledger.record.model import Dataset

from . import gitrepo
from .conftest import REPO
from .yamledit import line_of, set_field

WIDGET_POST = "claims/sources/widget-post.yaml"  # cited by both claims
AUDIT = "claims/sources/audit.yaml"  # only a rebuttal of widget-report-exists
BOTH_CLAIMS = ("widget-defects-fell", "widget-report-exists")
# Requests to the local server get a generous deadline, so that a busy machine never turns an answer
# into a timeout; only /slow, which answers when the server closes, ever times out, at TIMEOUT.
TIMEOUT = 1.0
FAST = LinkSettings(timeout=10.0, retries=0, backoff=0, per_host_interval=0, allow_private=True)
LINK_RULES = frozenset({"link-dead", "link-unreachable"})
PUBLIC = "93.184.215.14"  # a public address; tests never connect to it (the fake connector goes to 127.0.0.1)


# --- the local server --------------------------------------------------------------------------------------------


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 that counts requests by (method, path)."""

    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.closing = threading.Event()  # /slow answers only once the server closes
        self.hosts: list[str] = []  # the Host header of each request
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def record(self, method: str, path: str, host: str) -> None:
        with self._lock:
            self.hits[(method, path)] += 1
            self.hosts.append(host)

    def count(self, path: str) -> int:
        """Requests to ``path``, any method."""
        with self._lock:
            return sum(n for (_, p), n in self.hits.items() if p == path)

    def total(self) -> int:
        with self._lock:
            return sum(self.hits.values())

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self.hosts.clear()

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            path = urlsplit(self.path).path
            server.record(self.command, path, self.headers.get("Host", ""))
            if path == "/slow":
                server.closing.wait(60)
            if path == "/garbage":
                self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
                return
            if path == "/moved":
                self._send(301, body, location="/ok")
            elif path == "/user-info":
                self._send(302, body, location=server.base.replace("://", "://user@") + "/ok")
            elif path == "/loop":
                self._send(302, body, location="/loop")
            elif path == "/away":
                self._send(302, body, location="http://inside.test/ok")
            elif path == "/head-refused":
                self._send(405 if self.command == "HEAD" else 200, body)
            elif path in ("/ok", "/slow") or path.startswith("/archived/"):
                self._send(200, body)
            else:
                self._send({"/removed": 410, "/broken": 500}.get(path, 404), body)

        def _send(self, status: int, body: bool, location: str | None = None) -> None:
            payload = f"{status}\n".encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if body:
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The module's server, with its request counts reset for this test."""
    local_server.reset()
    return local_server


class DribblingServer:
    """Answers every connection with a status line, then one header byte every ``DRIP`` seconds, never
    ending the headers (it gives up after ``DRIP_BYTES`` bytes); notes whether the client hung up first."""

    DRIP = 0.2
    DRIP_BYTES = 100

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/page"
        self.hung_up = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._dribble, args=(connection,), daemon=True).start()

    def _dribble(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(self.DRIP_BYTES):
                    time.sleep(self.DRIP)
                    connection.sendall(b"a")
            except OSError:
                self.hung_up.set()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def dribbler() -> Iterator[DribblingServer]:
    server = DribblingServer()
    yield server
    server.close()


class FakeNetwork:
    """Fake name lookups and connections.

    Each host answers its list of addresses in turn (the last one again once they run out), or raises
    the exception given for it. Every connection is noted with the address it was asked for, then made
    to the local server whatever that address was.
    """

    def __init__(self, server: LocalServer, answers: Mapping[str, Sequence[Sequence[str]] | BaseException]) -> None:
        self.port = server.httpd.server_port
        self.answers = answers
        self.lookups: list[str] = []
        self.targets: list[tuple[str, int]] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.answers[host]
        if isinstance(answer, BaseException):
            raise answer
        turn = sum(1 for looked_up in self.lookups if looked_up == host) - 1
        return list(answer[min(turn, len(answer) - 1)])

    def connect(self, address: tuple[str, int], timeout: float) -> socket.socket:
        self.targets.append(address)
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    @property
    def network(self) -> Network:
        return Network(resolve=self.resolve, connect=self.connect)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve only 127.0.0.1; any other host name fails the test rather than reaching a resolver."""
    real_getaddrinfo = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise AssertionError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    monkeypatch.setenv("no_proxy", "*")  # never send the local requests through a proxy


# --- building datasets --------------------------------------------------------------------------------------------


def serve(root: Path, server: LocalServer, *, widget_post: str = "/ok", audit: str = "/ok") -> None:
    """Point the two web sources of the minimal project at the local server.

    ``widget_post`` and ``audit`` are paths on the server, or absolute addresses.  Each archived copy is a
    distinct ``/archived/…`` address that answers 200, and ``accessed`` stays, so no archive warnings appear.
    """
    for relative, name, target in ((WIDGET_POST, "widget-post", widget_post), (AUDIT, "audit", audit)):
        set_field(root, relative, "url", target if "://" in target else server.base + target)
        set_field(root, relative, "archive_url", f"{server.base}/archived/{name}")


def load(root: Path) -> Dataset:
    dataset, findings = check_project(root)
    assert findings == [], findings
    return dataset


def run_online(
    root: Path, settings: LinkSettings = FAST, cache_path: Path | None = None
) -> tuple[list[Finding], dict[str, Result]]:
    return check_online(load(root), Cache(cache_path), settings)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# --- listing ------------------------------------------------------------------------------------------------------


def test_external_links_lists_every_source_url_and_archive_url_with_its_line(
    minimal_project: Path, server: LocalServer
) -> None:
    serve(minimal_project, server)
    links = external_links(load(minimal_project))
    assert sorted(links) == sorted(
        [f"{server.base}/ok", f"{server.base}/archived/audit", f"{server.base}/archived/widget-post"]
    )
    uses = {(use.path, use.field, use.line) for use in links[f"{server.base}/ok"]}
    assert uses == {
        (WIDGET_POST, "url", line_of(minimal_project, WIDGET_POST, "url")),
        (AUDIT, "url", line_of(minimal_project, AUDIT, "url")),
    }


# --- answers ------------------------------------------------------------------------------------------------------


def test_an_address_answering_200_is_ok_with_no_finding(minimal_project: Path, server: LocalServer) -> None:
    serve(minimal_project, server)
    findings, results = run_online(minimal_project)
    assert findings == []
    result = results[f"{server.base}/ok"]
    assert (result.ok, result.dead, result.status) == (True, False, 200)


def test_a_301_redirect_is_followed_and_the_address_is_ok(minimal_project: Path, server: LocalServer) -> None:
    serve(minimal_project, server, widget_post="/moved")
    findings, results = run_online(minimal_project)
    assert findings == []
    assert results[f"{server.base}/moved"].ok
    assert server.count("/moved") == 1
    assert server.count("/ok") >= 1  # the redirect was followed


@pytest.mark.parametrize(("path", "status"), [("/gone", 404), ("/removed", 410)])
def test_404_and_410_are_link_dead_errors_at_the_url_line_naming_the_dependent_claims(
    minimal_project: Path, server: LocalServer, path: str, status: int
) -> None:
    serve(minimal_project, server, widget_post=path)
    findings, results = run_online(minimal_project)
    finding = only(findings)
    assert finding.rule == "link-dead"
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line, finding.field) == (
        WIDGET_POST,
        line_of(minimal_project, WIDGET_POST, "url"),
        "url",
    )
    assert f"{server.base}{path}" in finding.message
    assert f"HTTP {status}" in finding.message
    assert all(claim in finding.message for claim in BOTH_CLAIMS)
    assert results[f"{server.base}{path}"].dead


def test_a_dead_link_names_only_the_claims_that_depend_on_its_source(
    minimal_project: Path, server: LocalServer
) -> None:
    serve(minimal_project, server, audit="/gone")  # the audit is only a rebuttal of widget-report-exists
    findings, _ = run_online(minimal_project)
    finding = only(findings)
    assert (finding.rule, finding.path) == ("link-dead", AUDIT)
    assert "widget-report-exists" in finding.message
    assert "widget-defects-fell" not in finding.message


def test_an_address_used_by_two_sources_gets_a_finding_at_each_use(minimal_project: Path, server: LocalServer) -> None:
    serve(minimal_project, server, widget_post="/gone", audit="/gone")
    findings, _ = run_online(minimal_project)
    assert {(f.rule, f.path, f.line) for f in findings} == {
        ("link-dead", WIDGET_POST, line_of(minimal_project, WIDGET_POST, "url")),
        ("link-dead", AUDIT, line_of(minimal_project, AUDIT, "url")),
    }
    assert server.count("/gone") == 1  # requested once, however often it is used


def test_a_500_is_retried_then_reported_as_an_unreachable_warning_not_an_error(
    minimal_project: Path, server: LocalServer
) -> None:
    settings = LinkSettings(timeout=10.0, retries=2, backoff=0, per_host_interval=0, allow_private=True)
    serve(minimal_project, server, widget_post="/broken")
    findings, results = run_online(minimal_project, settings)
    assert server.count("/broken") == settings.retries + 1
    finding = only(findings)
    assert (finding.rule, finding.severity) == ("link-unreachable", Severity.WARNING)
    assert "HTTP 500" in finding.message
    assert not results[f"{server.base}/broken"].dead


def test_a_timeout_is_reported_as_unreachable_without_waiting_for_the_server(
    minimal_project: Path, server: LocalServer
) -> None:
    serve(minimal_project, server, widget_post="/slow")
    findings, _ = run_online(minimal_project, replace(FAST, timeout=TIMEOUT))
    finding = only(findings)
    assert (finding.rule, finding.severity) == ("link-unreachable", Severity.WARNING)
    assert "timed out" in finding.message


def test_a_server_sending_a_byte_at_a_time_is_cut_off_at_the_timeout_and_the_check_moves_on(
    minimal_project: Path,
    server: LocalServer,
    dribbler: DribblingServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve(minimal_project, server, widget_post=dribbler.url)
    code, out, _ = run_cli(capsys, *online_args(minimal_project, tmp_path / "links.json"), "--timeout", "1")
    assert code == 0
    assert f"could not reach {dribbler.url} (timed out after 1 s)" in out
    assert "[link-unreachable]" in out
    assert dribbler.hung_up.wait(timeout=60)  # the check closed the connection; the server did not finish
    assert server.count("/ok") == 1  # the other addresses were checked too
    assert server.count("/archived/audit") == server.count("/archived/widget-post") == 1


def test_a_redirect_loop_is_given_up_after_the_redirect_limit(server: LocalServer) -> None:
    result = check_url(f"{server.base}/loop", FAST, HostPacer(0))
    assert (result.ok, result.dead, result.reason) == (False, False, f"more than {MAX_REDIRECTS} redirects")
    assert server.count("/loop") == MAX_REDIRECTS + 1


def test_a_redirect_to_an_address_with_user_info_is_not_followed(server: LocalServer) -> None:
    result = check_url(f"{server.base}/user-info", FAST, HostPacer(0))
    assert (result.ok, result.dead) == (False, False)
    hop = server.base.replace("://", "://user@") + "/ok"
    assert result.reason.startswith(f"{hop} is not requested: it leads to 127.0.0.1")
    assert server.count("/ok") == 0


def test_a_refused_head_request_falls_back_to_get(minimal_project: Path, server: LocalServer) -> None:
    serve(minimal_project, server, widget_post="/head-refused")
    findings, results = run_online(minimal_project)
    assert findings == []
    assert results[f"{server.base}/head-refused"].ok
    assert server.hits[("HEAD", "/head-refused")] == 1
    assert server.hits[("GET", "/head-refused")] == 1


def test_a_malformed_answer_is_reported_as_unreachable_instead_of_crashing_the_check(
    minimal_project: Path, server: LocalServer
) -> None:
    serve(minimal_project, server, widget_post="/garbage")
    findings, _ = run_online(minimal_project)
    finding = only(findings)
    assert (finding.rule, finding.severity) == ("link-unreachable", Severity.WARNING)


def _fail_to_resolve(monkeypatch: pytest.MonkeyPatch, host: str, errno: int, text: str) -> None:
    """Make ``host`` fail name resolution with ``errno``; other hosts keep the (local-only) resolver."""
    resolve = socket.getaddrinfo

    def fake(name: Any, *args: Any, **kwargs: Any) -> Any:
        if name == host:
            raise socket.gaierror(errno, text)
        return resolve(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize("allow_private", [False, True], ids=["private-refused", "private-allowed"])
def test_a_host_that_does_not_exist_is_a_dead_link_whether_or_not_private_hosts_are_allowed(
    minimal_project: Path, server: LocalServer, allow_private: bool
) -> None:
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    fake = FakeNetwork(server, {"no-such-host.invalid": unknown})
    serve(minimal_project, server, widget_post="http://no-such-host.invalid/page")
    settings = replace(FAST, allow_private=allow_private, retries=1)
    findings, _ = check_online(load(minimal_project), Cache(None), settings, network=fake.network)
    finding = only([f for f in findings if f.severity is Severity.ERROR])
    assert (finding.rule, finding.path, finding.field) == ("link-dead", WIDGET_POST, "url")
    assert "host not found (no-such-host.invalid)" in finding.message
    assert fake.lookups == ["no-such-host.invalid"]  # a host that does not exist is not tried again


def test_a_temporary_name_resolution_failure_is_retried_and_reported_as_unreachable(
    minimal_project: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []
    resolve = socket.getaddrinfo

    def flaky(name: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "flaky-dns.invalid":
            attempts.append(name)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return resolve(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", flaky)
    serve(minimal_project, server, widget_post="http://flaky-dns.invalid/page")
    findings, _ = run_online(
        minimal_project, LinkSettings(timeout=10.0, retries=1, backoff=0, per_host_interval=0, allow_private=True)
    )
    finding = only(findings)
    assert (finding.rule, finding.severity) == ("link-unreachable", Severity.WARNING)
    assert len(attempts) == 2


# --- guarded requests ---------------------------------------------------------------------------------------------

GUARDED = LinkSettings(timeout=2, retries=0, backoff=0, per_host_interval=0)  # private addresses refused


def test_a_name_is_looked_up_once_and_the_connection_goes_to_the_address_that_was_checked(
    server: LocalServer,
) -> None:
    fake = FakeNetwork(server, {"rebind.test": [[PUBLIC], ["127.0.0.1"]]})  # public when checked, then private
    result = check_url("http://rebind.test/ok", GUARDED, HostPacer(0), network=fake.network)
    assert result.ok
    assert fake.lookups == ["rebind.test"]
    assert fake.targets == [(PUBLIC, 80)]
    assert server.hosts == ["rebind.test"]  # the name goes in the Host header


def test_when_an_address_cannot_be_reached_the_next_checked_one_is_tried(server: LocalServer) -> None:
    fake = FakeNetwork(server, {"two.test": [["2606:4700::1", PUBLIC]]})  # a public IPv6 address first

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:  # a network without IPv6
        if ":" in address[0]:
            fake.targets.append(address)
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        return fake.connect(address, timeout)

    network = Network(resolve=fake.resolve, connect=connect)
    result = check_url("http://two.test/ok", GUARDED, HostPacer(0), network=network)
    assert result.ok
    assert fake.targets == [("2606:4700::1", 80), (PUBLIC, 80)]


def test_a_host_with_any_private_address_is_not_requested(server: LocalServer) -> None:
    fake = FakeNetwork(server, {"mixed.test": [[PUBLIC, "10.0.0.7"]]})
    result = check_url("http://mixed.test/ok", GUARDED, HostPacer(0), network=fake.network)
    assert (result.ok, result.dead) == (False, False)
    assert result.reason == "not requested: mixed.test is a private or local address (10.0.0.7)"
    assert fake.targets == []
    assert server.total() == 0


def test_a_redirect_to_a_private_address_is_not_followed(server: LocalServer) -> None:
    fake = FakeNetwork(server, {"outside.test": [[PUBLIC]], "inside.test": [["10.0.0.7"]]})
    result = check_url("http://outside.test/away", GUARDED, HostPacer(0), network=fake.network)
    assert result.reason == "not requested: inside.test is a private or local address (10.0.0.7)"
    assert fake.targets == [(PUBLIC, 80)]
    assert server.count("/ok") == 0


def test_https_connects_to_the_checked_address_and_asks_tls_for_the_host_name(server: LocalServer) -> None:
    """The TLS server here has no certificate, so the handshake fails after the client has named its host."""
    names: list[str | None] = []
    targets: list[tuple[str, int]] = []

    def tls_server(sock: socket.socket) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.sni_callback = lambda _sock, name, _context: names.append(name)
        with sock, contextlib.suppress(OSError):
            context.wrap_socket(sock, server_side=True)

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:
        targets.append(address)
        ours, theirs = socket.socketpair()
        threading.Thread(target=tls_server, args=(theirs,), daemon=True).start()
        return ours

    network = Network(resolve=lambda host, port: [PUBLIC], connect=connect)
    result = check_url("https://secure.test/page", GUARDED, HostPacer(0), network=network)
    assert (result.ok, result.dead) == (False, False)
    assert targets == [(PUBLIC, 443)]
    assert names == ["secure.test"]


# --- the cache ----------------------------------------------------------------------------------------------------


def test_a_second_check_within_max_age_makes_no_new_request(
    minimal_project: Path, server: LocalServer, tmp_path: Path
) -> None:
    serve(minimal_project, server)
    cache_path = tmp_path / "links.json"
    _, first = run_online(minimal_project, cache_path=cache_path)
    assert server.total() == 3
    server.reset()
    _, second = run_online(minimal_project, cache_path=cache_path)
    assert server.total() == 0
    assert second == first


def test_with_max_age_0_every_address_is_requested_again(
    minimal_project: Path, server: LocalServer, tmp_path: Path
) -> None:
    serve(minimal_project, server)
    cache_path = tmp_path / "links.json"
    run_online(minimal_project, cache_path=cache_path)
    server.reset()
    run_online(
        minimal_project,
        LinkSettings(timeout=10.0, retries=0, backoff=0, per_host_interval=0, max_age=0, allow_private=True),
        cache_path,
    )
    assert server.count("/ok") == 1
    assert server.total() == 3


def test_a_cached_result_older_than_max_age_is_requested_again(
    minimal_project: Path, server: LocalServer, tmp_path: Path
) -> None:
    serve(minimal_project, server)
    cache = Cache(tmp_path / "links.json")
    day = 24 * 3600.0
    settings = LinkSettings(
        timeout=10.0, retries=0, backoff=0, per_host_interval=0, max_age=7 * day, allow_private=True
    )
    check_online(load(minimal_project), cache, settings, now=lambda: 1_000_000.0)
    server.reset()
    check_online(load(minimal_project), cache, settings, now=lambda: 1_000_000.0 + 6 * day)
    assert server.total() == 0
    check_online(load(minimal_project), cache, settings, now=lambda: 1_000_000.0 + 8 * day)
    assert server.total() == 3


def test_the_cache_file_is_json_with_a_result_per_address(
    minimal_project: Path, server: LocalServer, tmp_path: Path
) -> None:
    serve(minimal_project, server, widget_post="/gone")
    cache_path = tmp_path / "links.json"
    run_online(minimal_project, cache_path=cache_path)
    data = json.loads(cache_path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert set(data["results"]) == set(external_links(load(minimal_project)))
    gone = data["results"][f"{server.base}/gone"]
    assert (gone["ok"], gone["dead"], gone["status"]) == (False, True, 404)
    assert isinstance(gone["checked"], float)


ANOTHER_ADDRESS = {"url": "http://y.invalid/", "ok": True, "dead": False, "status": 200, "reason": "ok", "checked": 1.0}


@pytest.mark.parametrize(
    "content",
    [
        "not json {",
        "[]",
        "null",
        '{"results": {"http://x.invalid/": {"ok": 1}}}',
        json.dumps({"results": {"http://x.invalid/": ANOTHER_ADDRESS}}),
    ],
)
def test_an_unreadable_cache_file_is_ignored(tmp_path: Path, content: str) -> None:
    path = tmp_path / "links.json"
    path.write_text(content, encoding="utf-8")
    assert Cache(path).results == {}


def test_each_result_is_saved_as_it_comes_so_an_interrupted_run_keeps_it(
    minimal_project: Path, server: LocalServer, tmp_path: Path
) -> None:
    serve(minimal_project, server)
    fake = FakeNetwork(server, {})

    def connect_once(address: tuple[str, int], timeout: float) -> socket.socket:
        if fake.targets:
            raise KeyboardInterrupt  # as if Ctrl-C was pressed during the second request
        return fake.connect(address, timeout)

    cache_path = tmp_path / "links.json"
    settings = replace(FAST, workers=1)  # one address at a time, in order
    with pytest.raises(KeyboardInterrupt):
        check_online(load(minimal_project), Cache(cache_path), settings, network=Network(connect=connect_once))
    first = next(iter(external_links(load(minimal_project))))
    kept = Cache(cache_path).results
    assert list(kept) == [first]
    assert kept[first].ok
    assert server.total() == 1  # the addresses after it were not requested


def test_an_interrupted_check_exits_130_and_says_what_was_kept(
    minimal_project: Path, server: LocalServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> socket.socket:
        raise KeyboardInterrupt

    monkeypatch.setattr(socket, "create_connection", interrupted)
    serve(minimal_project, server)
    try:
        code, _, err = run_cli(capsys, *online_args(minimal_project))
    except KeyboardInterrupt:
        pytest.fail("the interruption reached the caller")  # rather than stopping the test run
    assert code == 130
    assert "claimledger: interrupted; no result was kept" in err


def forged_cache(root: Path, url: str) -> str:
    """Write a cache file that calls ``url`` fine, checked just now; its text."""
    result = {"url": url, "ok": True, "dead": False, "status": 200, "reason": "ok", "checked": time.time()}
    text = json.dumps({"version": 1, "results": {url: result}})
    (root / CACHE_NAME).write_text(text, encoding="utf-8")
    return text


def test_a_cache_file_tracked_by_git_is_not_trusted_nor_written(
    minimal_project: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/gone")
    forged = forged_cache(minimal_project, f"{server.base}/gone")
    gitrepo.init(minimal_project)  # commits every file, the cache too
    code, out, _ = run_cli(capsys, *online_args(minimal_project))
    assert code == 1
    assert f"dead link {server.base}/gone" in out
    assert out.count("[link-cache]") == 1
    assert f"{CACHE_NAME}:1:1: warning: the link results file is tracked by git" in out
    assert f"git rm --cached {CACHE_NAME}" in out
    assert (minimal_project / CACHE_NAME).read_text(encoding="utf-8") == forged


def test_a_cache_file_git_does_not_track_is_used_in_a_checkout(
    minimal_project: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server)
    gitrepo.init(minimal_project)
    run_cli(capsys, *online_args(minimal_project))
    server.reset()
    code, out, _ = run_cli(capsys, *online_args(minimal_project))
    assert (code, out) == (0, "")
    assert server.total() == 0


def test_a_cache_file_that_is_a_symbolic_link_is_neither_read_nor_written(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/gone")
    outside = tmp_path / "outside.json"
    forged_cache(minimal_project, f"{server.base}/gone")
    (minimal_project / CACHE_NAME).rename(outside)
    before = outside.read_bytes()
    (minimal_project / CACHE_NAME).symlink_to(outside)
    code, out, _ = run_cli(capsys, *online_args(minimal_project))
    assert code == 1  # the forged result in the file linked to was not believed
    assert f"{CACHE_NAME}:1:1: warning: the link results file is a symbolic link" in out
    assert outside.read_bytes() == before
    assert (minimal_project / CACHE_NAME).is_symlink()


def test_a_symbolic_link_at_the_temporary_file_name_is_never_written_through(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server)
    outside = tmp_path / "outside.txt"
    outside.write_text("untouched", encoding="utf-8")
    (minimal_project / f"{CACHE_NAME}.tmp").symlink_to(outside)
    code, _, _ = run_cli(capsys, *online_args(minimal_project))
    assert code == 0
    assert outside.read_text(encoding="utf-8") == "untouched"
    cache_file = minimal_project / CACHE_NAME
    assert not cache_file.is_symlink()
    assert len(json.loads(cache_file.read_text(encoding="utf-8"))["results"]) == 3
    assert [p.name for p in minimal_project.glob(f"{CACHE_NAME}.*")] == [f"{CACHE_NAME}.tmp"]  # nothing left over


def test_a_cache_that_cannot_be_saved_is_one_warning_and_the_check_goes_on(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/gone")
    code, out, _ = run_cli(capsys, *online_args(minimal_project, tmp_path / "no-such-folder" / "links.json"))
    assert code == 1
    assert out.count("[link-cache]") == 1
    assert "cannot save the link results" in out
    assert f"dead link {server.base}/gone" in out


def test_git_ignores_the_cache_file_and_its_temporary_files(tmp_path: Path) -> None:
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    gitrepo.git(tmp_path, "init", "-q")
    names = [CACHE_NAME, f"{CACHE_NAME}.tmp", f"{CACHE_NAME}.k3xz81qa.tmp"]
    assert gitrepo.git(tmp_path, "check-ignore", *names).split() == names


# --- pacing -------------------------------------------------------------------------------------------------------


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_host_pacer_waits_the_interval_between_requests_to_one_host() -> None:
    clock = FakeClock()
    pacer = HostPacer(2.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.wait("example.org")
    assert clock.sleeps == [2.0, 2.0]


def test_host_pacer_waits_only_for_the_rest_of_the_interval() -> None:
    clock = FakeClock()
    pacer = HostPacer(2.0, clock=clock, sleep=clock.sleep)
    pacer.wait("example.org")
    clock.now += 1.5
    pacer.wait("example.org")
    clock.now += 5.0
    pacer.wait("example.org")
    assert clock.sleeps == [pytest.approx(0.5)]


def test_host_pacer_does_not_make_one_host_wait_for_another() -> None:
    clock = FakeClock()
    pacer = HostPacer(2.0, clock=clock, sleep=clock.sleep)
    for host in ("a.example.org", "b.example.org", "c.example.org"):
        pacer.wait(host)
    assert clock.sleeps == []


# --- the command line ---------------------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def online_args(root: Path, cache: Path | None = None) -> list[str]:
    """``links --online`` against the local server; the cache is ROOT/.claimledger-links.json unless given."""
    return [
        "links",
        "--online",
        "--allow-private-hosts",
        "--root",
        str(root),
        "--timeout",
        "0.5",
        "--retries",
        "0",
        "--per-host-interval",
        "0",
        *(["--cache", str(cache)] if cache is not None else []),
    ]


def test_links_by_default_lists_addresses_and_dependent_claims_without_requesting_anything(
    minimal_project: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server)
    code, out, err = run_cli(capsys, "links", "--root", str(minimal_project))
    assert code == 0
    assert f"{server.base}/ok\n" in out
    assert f"    {WIDGET_POST}:{line_of(minimal_project, WIDGET_POST, 'url')} (url)" in out
    assert f"    claims: {', '.join(BOTH_CLAIMS)}" in out
    assert "nothing was requested" in err
    assert server.total() == 0


def test_links_online_exits_1_when_a_link_is_dead(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/gone")
    code, out, err = run_cli(capsys, *online_args(minimal_project, tmp_path / "links.json"))
    assert code == 1
    assert "[link-dead]" in out
    assert "1 dead" in err


@pytest.mark.parametrize("allow_private", [True, False], ids=["private-allowed", "private-refused"])
def test_links_online_exits_1_when_a_host_does_not_exist(
    minimal_project: Path,
    server: LocalServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    allow_private: bool,
) -> None:
    _fail_to_resolve(monkeypatch, "no-such-host.invalid", socket.EAI_NONAME, "Name or service not known")
    serve(minimal_project, server, widget_post="http://no-such-host.invalid/")
    args = online_args(minimal_project, tmp_path / "links.json")
    if not allow_private:
        args.remove("--allow-private-hosts")
    code, out, err = run_cli(capsys, *args)
    assert code == 1
    assert "dead link http://no-such-host.invalid/ (host not found (no-such-host.invalid))" in out
    assert "1 dead" in err


def test_links_online_exits_0_when_every_link_answers(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/moved", audit="/head-refused")
    code, _, err = run_cli(capsys, *online_args(minimal_project, tmp_path / "links.json"))
    assert code == 0
    assert "0 dead" in err
    assert (tmp_path / "links.json").is_file()


def test_links_online_exits_0_when_a_link_is_only_unreachable(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/broken")
    code, out, _ = run_cli(capsys, *online_args(minimal_project, tmp_path / "links.json"))
    assert code == 0
    assert "[link-unreachable]" in out


def test_links_online_github_format_prints_an_error_command_for_the_dead_link(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server, widget_post="/gone")
    code, out, _ = run_cli(capsys, *online_args(minimal_project, tmp_path / "links.json"), "--format", "github")
    assert code == 1
    line = only_line(out, "::")
    assert line.startswith(f"::error file={WIDGET_POST},line={line_of(minimal_project, WIDGET_POST, 'url')},col=")
    assert "title=link-dead::" in line


def only_line(text: str, prefix: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, text
    return lines[0]


def test_links_refuses_to_check_a_project_with_errors(
    minimal_project: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(minimal_project, server)
    set_field(minimal_project, AUDIT, "author", "nobody-known")
    code, _, err = run_cli(capsys, *online_args(minimal_project, tmp_path / "links.json"))
    assert code == 1
    assert "fix the errors above first" in err
    assert server.total() == 0


def test_a_private_or_local_address_is_not_requested_unless_allowed(minimal_project: Path, server: LocalServer) -> None:
    serve(minimal_project, server)
    dataset, _ = check_project(minimal_project)
    findings, results = check_online(
        dataset, Cache(None), LinkSettings(timeout=10.0, retries=0, backoff=0, per_host_interval=0)
    )
    assert server.total() == 0
    assert all(not r.ok and not r.dead and "private or local address" in r.reason for r in results.values())
    assert {f.rule for f in findings} == {"link-unreachable"}
