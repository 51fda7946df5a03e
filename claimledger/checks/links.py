"""External links: which addresses the dataset depends on, and (``links --online``) whether they still answer.

Each request has one deadline, redirects included, so a server sending a byte at a time cannot hold the
check up; failures that may pass are retried; requests to one host are paced; results are cached. 404,
410 and unknown hosts are dead; timeouts and server errors are unreachable. The addresses come from
contributors, so :class:`_Backend` looks a host up once, refuses it if any address is not public, and
connects only to the addresses it checked (every redirect too); no proxy is used (it would look names up).
"""

from __future__ import annotations

import contextlib
import email.message
import functools
import ipaddress
import json
import math
import os
import socket
import ssl
import stat
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, get_type_hints

import httpcore
import httpx

from .. import __version__
from ..findings import Finding, Severity, warning
from ..record import paths
from ..record.addresses import host, host_problem
from ..record.graph import Graph, build_graph
from ..record.model import Dataset
from ..record.yamlsafe import Document, FieldPath, format_field

DEAD_STATUSES = frozenset({404, 410})
MAX_REDIRECTS = 10
USER_AGENT = f"claimledger-linkcheck/{__version__}"
CACHE_NAME = ".claimledger-links.json"


@dataclass(frozen=True)
class Use:
    """One place in the dataset where an address is used."""

    path: str
    line: int
    column: int
    field: str
    source: str | None  # the source whose address it is, if any


@dataclass(frozen=True)
class Result:
    url: str
    ok: bool
    dead: bool
    status: int | None
    reason: str
    checked: float  # seconds since the epoch

    def fresh(self, now: float, max_age: float) -> bool:
        """A settled answer (ok or dead) is reused until ``max_age``; a failure that may pass never is."""
        return (self.ok or self.dead) and 0 <= now - self.checked < max_age


def external_links(dataset: Dataset) -> dict[str, list[Use]]:
    """Every external address in the dataset, with where it is used."""
    found: dict[str, list[Use]] = defaultdict(list)

    def add(document: Document, path: FieldPath, url: str | None, source: str | None) -> None:
        if url and url.lower().startswith(("http://", "https://")):
            found[url].append(Use(document.path, *document.position(path), format_field(path), source))

    for source in dataset.sources.values():
        add(source.document, ("url",), source.url, source.id)
        add(source.document, ("archive_url",), source.archive_url, source.id)
    for party in dataset.parties.values():
        add(party.document, ("url",), party.url, None)
    return dict(sorted(found.items()))


def dependent_claims(graph: Graph, uses: Iterable[Use]) -> list[str]:
    """Claims that cite, or are rebutted by, a source using the address."""
    claims: set[str] = set()
    for use in uses:
        if use.source is not None:
            claims.update(c.id for c in graph.claims_in_source.get(use.source, ()))
            claims.update(ref.claim.id for ref in graph.rebuttals_in_source.get(use.source, ()))
    return sorted(claims)


class Cache:
    """Results by address, in a JSON file saved after every result, so that an interrupted run keeps them.

    Each save writes a new file, created exclusively under a fresh name, and renames it over the cache
    file, never writing through a symbolic link. A cache file that is a symbolic link, not an ordinary
    file, or tracked by git (a pull request could forge its results) is neither read nor written.
    """

    def __init__(self, path: Path | None, root: Path | None = None) -> None:
        self.path = path
        self.results: dict[str, Result] = {}
        self.findings: list[Finding] = []
        if path is None:
            return
        where = path.absolute()
        top = root.absolute() if root is not None else None
        self._shown = where.relative_to(top).as_posix() if top and where.is_relative_to(top) else str(path)
        refusal = _refusal(path, self._shown)
        if refusal is not None:
            self._give_up(f"{refusal[0]}; it was neither read nor written, and no result is kept", refusal[1])
            return
        self.results = _read_results(path)

    def record(self, result: Result) -> None:
        """Keep one result, in the file at once."""
        self.results[result.url] = result
        if self.path is None:
            return
        data = {"version": 1, "results": {url: asdict(r) for url, r in sorted(self.results.items())}}
        try:
            paths.replace_whole(self.path, json.dumps(data, indent=1) + "\n")
        except OSError as exc:
            self._give_up(
                f"cannot save the link results: {exc.strerror or exc}; no result is kept",
                "check that the folder exists and is writable, or pass --cache FILE",
            )

    def _give_up(self, message: str, hint: str) -> None:
        self.path = None
        self.findings.append(warning(self._shown, (1, 1), "link-cache", "", message, hint))


def _refusal(path: Path, shown: str) -> tuple[str, str] | None:
    """Why the file at ``path`` must be neither read nor written, and what to do about it; None if it may be."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError:
        mode = 0
    if stat.S_ISLNK(mode):
        return (
            "the link results file is a symbolic link",
            "delete the link; the next run writes an ordinary file in its place",
        )
    if not stat.S_ISREG(mode):
        return "the link results file is not an ordinary file", "move it away, or pass --cache FILE"
    command = ["git", "--literal-pathspecs", "-C", str(path.parent), "ls-files", "-z", "--", path.name]
    try:
        listed = subprocess.run(command, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):  # no git, or git cannot tell: not tracked
        return None
    if listed.returncode == 0 and listed.stdout:
        return (
            "the link results file is tracked by git, so its results cannot be trusted",
            f"untrack it with `git rm --cached {shown}` (.gitignore keeps it out); the next run starts afresh",
        )
    return None


def _read_results(path: Path) -> dict[str, Result]:
    """The results in the file; none if it cannot be read or is not what :meth:`Cache.record` writes."""
    try:
        # O_NOFOLLOW: a link put in the file's place since it was looked at is not followed;
        # O_NONBLOCK: nor can a named pipe hold the check up
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(descriptor, "rb") as handle:
            raw = json.loads(handle.read()) if stat.S_ISREG(os.fstat(descriptor).st_mode) else None
    except (OSError, ValueError):
        return {}
    entries = raw.get("results") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        return {}
    return {url: result for url, entry in entries.items() if (result := _result(url, entry)) is not None}


def _result(url: str, entry: object) -> Result | None:
    """The entry as a result if it has exactly the fields of :class:`Result`, each of its declared type
    (a bool only where one is declared); else None."""
    types = get_type_hints(Result)
    if not isinstance(entry, dict) or set(entry) != set(types) or entry["url"] != url:
        return None
    for name, kind in types.items():
        if not isinstance(entry[name], kind) or (isinstance(entry[name], bool) and kind is not bool):
            return None
    return Result(**entry) if math.isfinite(entry["checked"]) else None


class HostPacer:
    """At most one request per ``interval`` seconds to any one host."""

    def __init__(
        self, interval: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:  # each caller books its own turn, then waits for it outside the lock
            now = self.clock()
            turn = max(self._next.get(host, now), now)
            self._next[host] = turn + self.interval
        if turn > now:
            self.sleep(turn - now)


@dataclass(frozen=True)
class LinkSettings:
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 1.0
    per_host_interval: float = 1.0
    max_age: float = 7 * 24 * 3600.0
    workers: int = 4
    # Addresses come from contributors: a check run in CI must not be pointed at the machine's own
    # network (loopback, private ranges, cloud metadata). Tests against a local server allow it.
    allow_private: bool = False


# --- requests -----------------------------------------------------------------------------------------------------

Resolver = Callable[[str, int], Sequence[str]]  # a host name's addresses, given the port to connect to
Connector = Callable[[tuple[str, int], float], socket.socket]  # a socket connected to (address, port) within a timeout


def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses, from the system's resolver (``socket.gaierror`` if it has none)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def system_connect(address: tuple[str, int], timeout: float) -> socket.socket:
    return socket.create_connection(address, timeout=timeout)


@dataclass(frozen=True)
class Network:
    """How host names are looked up and connections made (tests put fakes here)."""

    resolve: Resolver = system_resolve
    connect: Connector = system_connect


class NotRequested(Exception):
    """An address the check will not request (a private one, one hiding its host, one not http(s)): why."""


class HostNotFound(Exception):
    """The host name does not exist."""


def checked_addresses(host: str, port: int, resolve: Resolver, allow_private: bool) -> list[str]:
    """The addresses to connect to for ``host``, looked up once: :class:`HostNotFound` if the name does not
    exist, :class:`NotRequested` if any is not a public unicast address (unless ``allow_private``)."""
    try:
        addresses = [ipaddress.ip_address(host)]  # an address written out is not looked up
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(answer) for answer in resolve(host, port)]
        except socket.gaierror as exc:
            if exc.errno == socket.EAI_AGAIN:  # the resolver cannot answer just now: this may pass
                raise
            raise HostNotFound(host) from exc
        if not addresses:
            raise HostNotFound(host) from None
    for address in addresses:
        if not allow_private and (not address.is_global or address.is_multicast):
            raise NotRequested(f"not requested: {host} is a private or local address ({address})")
    return [str(address) for address in addresses]


def _left(end: float) -> float:
    """Seconds left before ``end`` on the monotonic clock; TimeoutError once there are none."""
    left = end - time.monotonic()
    if left <= 0:
        raise TimeoutError("the deadline has passed")
    return left


@dataclass(frozen=True)
class _Stream(httpcore.NetworkStream):
    """A connected socket for httpcore, each operation given only the time left before the request's
    deadline ``end`` (httpcore's own timeouts would count afresh for every read)."""

    sock: socket.socket
    end: float

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.sock.settimeout(_left(self.end))
        return self.sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.sock.settimeout(_left(self.end))  # a timeout for the whole of sendall
        self.sock.sendall(buffer)

    def close(self) -> None:
        self.sock.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        try:
            self.sock.settimeout(_left(self.end))  # the handshake as a whole
            return _Stream(ssl_context.wrap_socket(self.sock, server_hostname=server_hostname), self.end)
        except BaseException:
            self.sock.close()
            raise


@dataclass(frozen=True)
class _Backend(httpcore.NetworkBackend):
    """Connects to the checked addresses of a host (the first that answers) before the deadline ``end``."""

    network: Network
    end: float
    allow_private: bool

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        failure = OSError(f"no address to connect to on port {port}")
        for address in checked_addresses(host, port, self.network.resolve, self.allow_private):
            try:
                return _Stream(self.network.connect((address, port), _left(self.end)), self.end)
            except OSError as exc:  # an address family the network lacks, say: try the next one
                failure = exc
        raise failure


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


@contextlib.contextmanager
def _answer(
    url: str, method: str, settings: LinkSettings, network: Network | None, follow: bool = True
) -> Iterator[httpx.Response]:
    """The answer to ``url``, its body unread, redirects followed unless not ``follow``, all within one
    deadline of ``settings.timeout``. Redirects are followed here (httpx would read the body of each),
    and each address, redirects too, is checked before it is requested."""
    backend = _Backend(network or Network(), time.monotonic() + settings.timeout, settings.allow_private)
    transport = httpx.HTTPTransport(verify=_tls_context(), trust_env=False)
    # httpx takes no network backend (encode/httpx#3180): its pool is replaced by one that has ours
    transport._pool = httpcore.ConnectionPool(ssl_context=_tls_context(), network_backend=backend)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    with httpx.Client(transport=transport, headers=headers, trust_env=False) as client:
        request = client.build_request(method, url)
        for _ in range(MAX_REDIRECTS + 1):
            if request.url.scheme not in ("http", "https"):
                raise NotRequested(f"not requested: {request.url} is not an http(s) address")
            problem = host_problem(str(request.url))
            if problem is not None:
                raise NotRequested(f"{request.url} is not requested: {problem}")
            response = client.send(request, stream=True)
            try:
                if not follow or response.next_request is None:
                    yield response
                    return
                request = response.next_request
            finally:
                response.close()
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)


# What a request to a contributor's address may fail with (OSError: TimeoutError and ssl's errors too).
_FAILURES = (NotRequested, HostNotFound, OSError, ValueError, httpx.HTTPError, httpx.InvalidURL)


def _failure(exc: Exception, settings: LinkSettings) -> tuple[bool, str]:
    """Whether a request that failed with one of :data:`_FAILURES` may succeed if tried again, and why it failed."""
    if isinstance(exc, (NotRequested, httpx.TooManyRedirects)):
        return False, str(exc)
    if isinstance(exc, HostNotFound):
        return False, f"host not found ({exc})"
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return True, f"timed out after {settings.timeout:g} s"
    if isinstance(exc, OSError):  # refused, reset, a certificate for another name, a resolver not answering just now
        return True, f"unreachable: {exc}"
    return True, f"failed: {exc}"  # a malformed address or answer


MAX_TEXT = 20 * 1024 * 1024  # bytes of a page's text :func:`fetch_text` keeps at most


class FetchFailed(Exception):
    """The address did not give a text: why, in words."""


def _fetch_failed(exc: Exception, url: str, settings: LinkSettings) -> FetchFailed:
    """Why a request to ``url`` failed, as :func:`fetch_text` and :func:`ask_once` say it."""
    reason = _failure(exc, settings)[1]
    if isinstance(exc, (NotRequested, HostNotFound)):
        return FetchFailed(reason)
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return FetchFailed(f"{url} {reason}")
    return FetchFailed(
        f"{url}: {exc}" if isinstance(exc, httpx.TooManyRedirects) else f"{url} could not be read: {exc}"
    )


def fetch_text(url: str, settings: LinkSettings, network: Network | None = None, limit: int = MAX_TEXT) -> bytes:
    """The body of a GET of ``url``, in UTF-8, under the link check's rules (:func:`_answer`);
    :class:`FetchFailed` for anything but a text answered with 2xx."""
    body = bytearray()
    try:
        with _answer(url, "GET", settings, network) as response:
            if not response.is_success:
                raise FetchFailed(f"{response.url} answered HTTP {response.status_code}")
            for chunk in response.iter_raw():
                body += chunk
                if len(body) > limit:
                    raise FetchFailed(f"{response.url} sent more than {limit} bytes")
    except _FAILURES as exc:
        raise _fetch_failed(exc, url, settings) from None
    message = email.message.Message()
    message["Content-Type"] = response.headers.get("Content-Type") or "text/plain"
    if message.get_content_maintype() != "text":
        raise FetchFailed(f"{response.url} sent {message.get_content_type()}, not text")
    charset = message.get_content_charset("utf-8")
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        raise FetchFailed(f"{response.url} sent text that cannot be read as {charset}") from None


def ask_once(url: str, settings: LinkSettings, network: Network | None = None) -> httpx.Response:
    """One GET of ``url`` under the link check's rules, a redirect not followed: the status and headers,
    the body unread. :class:`FetchFailed` if no answer."""
    try:
        with _answer(url, "GET", settings, network, follow=False) as response:
            return response
    except _FAILURES as exc:
        raise _fetch_failed(exc, url, settings) from None


def check_url(
    url: str,
    settings: LinkSettings,
    pacer: HostPacer,
    now: Callable[[], float] = time.time,
    network: Network | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """One address: HEAD, then GET where HEAD is refused; retries for timeouts and 5xx, until ``stop`` is set."""

    def status(method: str) -> int:
        with _answer(url, method, settings, network) as response:
            return response.status_code

    last = Result(url, False, False, None, "not checked", now())
    stop = stop or threading.Event()
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * attempt)
        pacer.wait(host(url) or "")
        if stop.is_set():
            break
        try:
            code = status("HEAD")
            if code in (403, 405, 501) and not stop.is_set():
                pacer.wait(host(url) or "")
                code = status("GET")
        except _FAILURES as exc:
            may_pass, reason = _failure(exc, settings)
            last = Result(url, False, isinstance(exc, HostNotFound), None, reason, now())
            if not may_pass:
                return last
            continue
        ok = 200 <= code < 300
        last = Result(url, ok, code in DEAD_STATUSES, code, "ok" if ok else f"HTTP {code}", now())
        if ok or last.dead or (code < 500 and code != 429):
            return last
    return last


def check_online(
    dataset: Dataset,
    cache: Cache,
    settings: LinkSettings,
    now: Callable[[], float] = time.time,
    network: Network | None = None,
) -> tuple[list[Finding], dict[str, Result]]:
    """Request every external address not fresh in the cache, keeping each result in the cache as it
    comes; findings for dead and unreachable ones, and for a cache file that could not be used."""
    links = external_links(dataset)
    started = now()
    to_check = [
        url for url in links if not (url in cache.results and cache.results[url].fresh(started, settings.max_age))
    ]
    pacer = HostPacer(settings.per_host_interval)
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, settings.workers))
    finished = False
    try:
        futures = [pool.submit(check_url, url, settings, pacer, now, network, stop) for url in to_check]
        for future in as_completed(futures):
            cache.record(future.result())
        finished = True
    finally:
        # interrupted: requests not started are dropped, and those under way make no further attempt
        stop.set()
        pool.shutdown(wait=finished, cancel_futures=True)
    results = {url: cache.results[url] for url in links}
    return sorted([*cache.findings, *findings_for(dataset, links, results)]), results


def findings_for(dataset: Dataset, links: Mapping[str, list[Use]], results: Mapping[str, Result]) -> list[Finding]:
    graph = build_graph(dataset)
    findings: list[Finding] = []
    for url, result in results.items():
        if result.ok:
            continue
        claims = dependent_claims(graph, links[url])
        depends = f"; claims depending on it: {', '.join(claims)}" if claims else ""
        if result.dead:
            severity, rule, message = Severity.ERROR, "link-dead", f"dead link {url} ({result.reason}){depends}"
            hint = "find the page's new address, or point archive_url at an archived copy"
        else:
            severity, rule = Severity.WARNING, "link-unreachable"
            message = f"could not reach {url} ({result.reason}){depends}"
            hint = "this may pass; the weekly check will try again"
        findings.extend(Finding(u.path, u.line, u.column, severity, rule, u.field, message, hint) for u in links[url])
    return sorted(findings)
