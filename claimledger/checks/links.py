"""External links: which addresses the dataset depends on, and (only when asked) whether they still answer.

``claimledger links`` lists every external address with the claims that depend
on it, offline.  ``claimledger links --online`` requests each one, with a
timeout, retries for failures that may pass, a minimum interval between
requests to the same host, and a cache file so that a weekly run does not
hammer anyone.  404, 410 and hosts that do not exist are dead links; timeouts
and server errors are reported as unreachable, since they may pass.

The addresses come from contributors, so each request is guarded: the host is
looked up once, refused if any of its addresses is loopback, private,
link-local or otherwise not public, and the connection goes only to the
addresses that were looked at (the first that answers), so a name cannot
answer one address when checked and another when fetched; every redirect is
checked the same way.  httpx makes the requests, through a network backend
that does this looking up and connecting.  A request has one deadline in all,
from connecting to the last header of the last redirect, so a server sending
a byte at a time cannot hold the check up; the body of an answer is read only
by :func:`fetch_text`.  Requests go straight to the host, never through a proxy
(which would look the name up itself).
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
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import httpcore
import httpx

from .. import __version__
from ..findings import Finding, error, warning
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
            line, column = document.position(path)
            found[url].append(Use(document.path, line, column, format_field(path), source))

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
        if use.source is None:
            continue
        claims.update(c.id for c in graph.claims_in_source.get(use.source, ()))
        claims.update(ref.claim.id for ref in graph.rebuttals_in_source.get(use.source, ()))
    return sorted(claims)


class Cache:
    """Results by address, in a JSON file saved after every result, so that an interrupted run keeps them.

    The file is never written through a symbolic link: each save writes a new temporary file, created
    exclusively under a fresh name, then renames it over the cache file. A cache file that is a
    symbolic link or not an ordinary file, or that git tracks (a pull request could forge its results),
    is neither read nor written, and ``findings`` says so.
    """

    def __init__(self, path: Path | None, root: Path | None = None) -> None:
        self.path = path
        self.results: dict[str, Result] = {}
        self.findings: list[Finding] = []
        if path is None:
            return
        self._shown = _shown(path, root)
        refusal = _refusal(path)
        if refusal is not None:
            hint = _FIX[refusal].format(path=self._shown)
            self._give_up(f"{refusal}; it was neither read nor written, and no result is kept", hint)
            return
        self.results = _read_results(path)

    def record(self, result: Result) -> None:
        """Keep one result, in the file at once."""
        self.results[result.url] = result
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        data = {"version": 1, "results": {url: asdict(r) for url, r in sorted(self.results.items())}}
        try:
            _replace_file(self.path, json.dumps(data, indent=1) + "\n")
        except OSError as exc:
            self._give_up(
                f"cannot save the link results: {exc.strerror or exc}; no result is kept",
                "check that the folder exists and is writable, or pass --cache FILE",
            )

    def _give_up(self, message: str, hint: str) -> None:
        self.path = None
        self.findings.append(warning(self._shown, (1, 1), "link-cache", "", message, hint))


_SYMLINK = "the link results file is a symbolic link"
_NOT_A_FILE = "the link results file is not an ordinary file"
_TRACKED = "the link results file is tracked by git, so its results cannot be trusted"
_FIX = {
    _SYMLINK: "delete the link; the next run writes an ordinary file in its place",
    _NOT_A_FILE: "move it away, or pass --cache FILE",
    _TRACKED: "untrack it with `git rm --cached {path}` (.gitignore keeps it out); the next run starts afresh",
}


def _shown(path: Path, root: Path | None) -> str:
    """The path as findings show it: relative to the project root when it lies inside it."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return str(path)


def _refusal(path: Path) -> str | None:
    """Why the file at ``path`` must be neither read nor written, if it must not."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError:
        return _NOT_A_FILE
    if stat.S_ISLNK(mode):
        return _SYMLINK
    if not stat.S_ISREG(mode):
        return _NOT_A_FILE
    return _TRACKED if _tracked_by_git(path) else None


def _tracked_by_git(path: Path) -> bool:
    """Whether git tracks the file; False outside a checkout, or where git cannot tell."""
    command = ["git", "--literal-pathspecs", "-C", str(path.parent), "ls-files", "-z", "--", path.name]
    try:
        listed = subprocess.run(command, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and bool(listed.stdout)


def _read_results(path: Path) -> dict[str, Result]:
    """The results in the file; none if it cannot be read or is not what :meth:`Cache.save` writes."""
    try:
        # O_NOFOLLOW: a link put in the file's place since it was looked at is not followed;
        # O_NONBLOCK: nor can a named pipe hold the check up
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return {}
            raw = json.loads(handle.read())
        except (OSError, ValueError):
            return {}
    entries = raw.get("results") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        return {}
    results = {url: _result(url, entry) for url, entry in entries.items()}
    return {url: result for url, result in results.items() if result is not None}


_RESULT_TYPES: dict[str, tuple[type, ...]] = {
    "url": (str,),
    "ok": (bool,),
    "dead": (bool,),
    "status": (int, type(None)),
    "reason": (str,),
    "checked": (int, float),
}


def _result(url: str, entry: object) -> Result | None:
    """The entry as a result, if it is exactly what :meth:`Cache.save` writes; else None."""
    if not isinstance(entry, dict) or set(entry) != {f.name for f in fields(Result)}:
        return None
    for name, types in _RESULT_TYPES.items():
        value = entry[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            return None
    if entry["url"] != url or not math.isfinite(entry["checked"]):
        return None
    return Result(**entry)


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` to a new temporary file beside ``path``, then rename it over ``path``.

    ``mkstemp`` creates the file with O_EXCL under a fresh name, so nothing planted beforehand is
    written through; the rename replaces whatever ``path`` is (a symbolic link too), never its target.
    """
    descriptor, temporary = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
class Settings:
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

Resolver = Callable[[str, int], Sequence[str]]
"""The addresses of a host name, given the port to connect to."""
Connector = Callable[[tuple[str, int], float], socket.socket]
"""A connected socket to an (address, port), with a timeout in seconds for connecting."""


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


class Deadline:
    """The moment a request gives up, whatever it is doing."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        """Seconds left; TimeoutError once there are none."""
        left = self._end - self._clock()
        if left <= 0:
            raise TimeoutError("the deadline has passed")
        return left


def checked_addresses(host: str, port: int, resolve: Resolver, allow_private: bool) -> list[str]:
    """The addresses to connect to for ``host``, looked up once.

    :class:`HostNotFound` if the name does not exist; :class:`NotRequested` if any of its addresses
    is loopback, private, link-local, reserved or multicast (unless ``allow_private``).
    """
    try:
        addresses = [ipaddress.ip_address(host)]  # an address written out is not looked up
    except ValueError:
        try:
            answers = resolve(host, port)
        except socket.gaierror as exc:
            if exc.errno == socket.EAI_AGAIN:  # the resolver cannot answer just now: this may pass
                raise
            raise HostNotFound(host) from exc
        addresses = [ipaddress.ip_address(answer) for answer in answers]
        if not addresses:
            raise HostNotFound(host) from None
    for address in addresses:
        if not allow_private and (not address.is_global or address.is_multicast):
            raise NotRequested(f"not requested: {host} is a private or local address ({address})")
    return [str(address) for address in addresses]


class _Stream(httpcore.NetworkStream):
    """A connected socket as httpcore uses it, each operation given only the time left before the deadline
    (httpcore's own timeouts count afresh for every read)."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._sock.settimeout(self._deadline.remaining())
        return self._sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._sock.settimeout(self._deadline.remaining())  # a timeout for the whole of sendall
        self._sock.sendall(buffer)

    def close(self) -> None:
        self._sock.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        try:
            self._sock.settimeout(self._deadline.remaining())  # the handshake as a whole
            return _Stream(ssl_context.wrap_socket(self._sock, server_hostname=server_hostname), self._deadline)
        except BaseException:
            self._sock.close()
            raise

    def get_extra_info(self, info: str) -> Any:
        return self._sock if info == "ssl_object" and isinstance(self._sock, ssl.SSLSocket) else None


@dataclass(frozen=True)
class _Backend(httpcore.NetworkBackend):
    """Connects to the checked addresses of a host (the first that answers), within the deadline."""

    network: Network
    deadline: Deadline
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
                return _Stream(self.network.connect((address, port), self.deadline.remaining()), self.deadline)
            except OSError as exc:  # an address family the network lacks, say: try the next one
                failure = exc
        raise failure


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class _Transport(httpx.HTTPTransport):
    """httpx's transport, each request (every redirect too) checked, its connections made by ``backend``."""

    def __init__(self, backend: _Backend) -> None:
        super().__init__(verify=_tls_context(), trust_env=False)
        # httpx takes no network backend (encode/httpx#3180): its pool is replaced by one that has ours
        self._pool = httpcore.ConnectionPool(ssl_context=_tls_context(), network_backend=backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.url.scheme not in ("http", "https"):
            raise NotRequested(f"not requested: {url} is not an http(s) address")
        problem = host_problem(url)
        if problem is not None:
            raise NotRequested(f"{url} is not requested: {problem}")
        return super().handle_request(request)


@contextlib.contextmanager
def _answer(
    url: str, method: str, settings: Settings, network: Network | None, follow: bool = True
) -> Iterator[httpx.Response]:
    """The answer to ``url``, its body not read, redirects followed (or, without ``follow``, not), all
    within one deadline of ``settings.timeout``; :class:`httpx.TooManyRedirects` past ``MAX_REDIRECTS``."""
    backend = _Backend(network or Network(), Deadline(settings.timeout), settings.allow_private)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    with httpx.Client(transport=_Transport(backend), headers=headers, trust_env=False) as client:
        request = client.build_request(method, url)
        for _ in range(MAX_REDIRECTS + 1):
            response = client.send(request, stream=True)
            try:
                if not follow or response.next_request is None:
                    yield response
                    return
                request = response.next_request
            finally:
                response.close()
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)


def _failure(exc: Exception, settings: Settings) -> tuple[bool, str] | None:
    """Whether a request that raised ``exc`` may succeed if tried again, and why it failed; None for
    an exception that is no failure of the request."""
    if isinstance(exc, (NotRequested, httpx.TooManyRedirects)):
        return False, str(exc)
    if isinstance(exc, HostNotFound):
        return False, f"host not found ({exc})"
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return True, f"timed out after {settings.timeout:g} s"
    if isinstance(exc, OSError):  # refused, reset, a certificate for another name, a resolver not answering just now
        return True, f"unreachable: {exc}"
    if isinstance(exc, (ValueError, httpx.HTTPError)):  # a malformed address or answer
        return True, f"failed: {exc}"
    return None


MAX_TEXT = 20 * 1024 * 1024  # bytes of a page's text :func:`fetch_text` keeps at most


class FetchFailed(Exception):
    """The address did not give a text: why, in words."""


def _fetch_failed(exc: Exception, url: str, settings: Settings) -> FetchFailed:
    failure = _failure(exc, settings)
    if failure is None:
        raise exc
    return FetchFailed(f"{url}: {failure[1]}" if failure[0] else failure[1])


def fetch_text(url: str, settings: Settings, network: Network | None = None, limit: int = MAX_TEXT) -> bytes:
    """The body of a GET of ``url``, in UTF-8, under the link check's rules: one deadline of
    ``settings.timeout`` for the request and its redirects, the host's addresses checked, no user info,
    http(s) only. :class:`FetchFailed` for anything but a text answered with 2xx."""
    try:
        with _answer(url, "GET", settings, network) as response:
            if not response.is_success:
                raise FetchFailed(f"{response.url} answered HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_raw():
                body += chunk
                if len(body) > limit:
                    raise FetchFailed(f"{response.url} sent more than {limit} bytes")
            message = email.message.Message()
            message["Content-Type"] = response.headers.get("Content-Type") or "text/plain"
    except FetchFailed:
        raise
    except Exception as exc:
        raise _fetch_failed(exc, url, settings) from None
    if message.get_content_maintype() != "text":
        raise FetchFailed(f"{response.url} sent {message.get_content_type()}, not text")
    charset = message.get_content_charset("utf-8")
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        raise FetchFailed(f"{response.url} sent text that cannot be read as {charset}") from None


def ask_once(url: str, settings: Settings, network: Network | None = None) -> httpx.Response:
    """One GET of ``url`` under the link check's rules (its deadline, the host's addresses checked, no
    user info, http(s) only), a redirect answered but not followed: the answer's status and headers, its
    body unread. :class:`FetchFailed` if no answer."""
    try:
        with _answer(url, "GET", settings, network, follow=False) as response:
            return response
    except Exception as exc:
        raise _fetch_failed(exc, url, settings) from None


def _status(url: str, method: str, settings: Settings, network: Network | None) -> int:
    with _answer(url, method, settings, network) as response:
        return response.status_code


def check_url(
    url: str,
    settings: Settings,
    pacer: HostPacer,
    now: Callable[[], float] = time.time,
    network: Network | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """One address: HEAD, then GET where HEAD is refused; retries for timeouts and 5xx, until ``stop`` is set."""
    last = Result(url, False, False, None, "not checked", now())
    stopped = stop.is_set if stop is not None else lambda: False
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * attempt)
        pacer.wait(host(url) or "")
        if stopped():
            break
        try:
            status = _status(url, "HEAD", settings, network)
            if status in (403, 405, 501) and not stopped():
                pacer.wait(host(url) or "")
                status = _status(url, "GET", settings, network)
        except Exception as exc:
            failure = _failure(exc, settings)
            if failure is None:
                raise
            may_pass, reason = failure
            last = Result(url, False, isinstance(exc, HostNotFound), None, reason, now())
            if not may_pass:
                return last
        else:
            if 200 <= status < 300:
                return Result(url, True, False, status, "ok", now())
            if status in DEAD_STATUSES:
                return Result(url, False, True, status, f"HTTP {status}", now())
            last = Result(url, False, False, status, f"HTTP {status}", now())
            if status < 500 and status != 429:
                return last
    return last


def check_online(
    dataset: Dataset,
    cache: Cache,
    settings: Settings,
    now: Callable[[], float] = time.time,
    network: Network | None = None,
) -> tuple[list[Finding], dict[str, Result]]:
    """Request every external address not fresh in the cache, keeping each result in the cache as it
    comes; findings for dead and unreachable ones, and for a cache file that could not be used."""
    links = external_links(dataset)
    started = now()
    to_check = [
        url for url in links if url not in cache.results or not cache.results[url].fresh(started, settings.max_age)
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
        for use in links[url]:
            position = (use.line, use.column)
            if result.dead:
                findings.append(
                    error(
                        use.path,
                        position,
                        "link-dead",
                        use.field,
                        f"dead link {url} ({result.reason}){depends}",
                        "find the page's new address, or point archive_url at an archived copy",
                    )
                )
            else:
                findings.append(
                    warning(
                        use.path,
                        position,
                        "link-unreachable",
                        use.field,
                        f"could not reach {url} ({result.reason}){depends}",
                        "this may pass; the weekly check will try again",
                    )
                )
    return sorted(findings)
