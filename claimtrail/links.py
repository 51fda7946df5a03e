"""External links: which addresses the dataset depends on, and (only when asked) whether they still answer.

``claimtrail links`` lists every external address with the claims that depend
on it, offline.  ``claimtrail links --online`` requests each one, with a
timeout, retries for failures that may pass, a minimum interval between
requests to the same host, and a cache file so that a weekly run does not
hammer anyone.  404, 410 and hosts that do not exist are dead links; timeouts
and server errors are reported as unreachable, since they may pass.

The addresses come from contributors, so each request is guarded: the host is
looked up once, refused if any of its addresses is loopback, private,
link-local or otherwise not public, and the connection goes to exactly the
address that was looked at, so a name cannot answer one address when checked
and another when fetched; every redirect is checked the same way.  A request
has one deadline in all, from connecting to the last header of the last
redirect, so a server sending a byte at a time cannot hold the check up; the
body of an answer is never read.  Requests go straight to the host, never through
a proxy (which would look the name up itself).
"""

from __future__ import annotations

import functools
import http.client
import io
import ipaddress
import json
import socket
import ssl
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .findings import Finding, error, warning
from .graph import Graph, build_graph
from .model import Dataset
from .yamlsafe import Document, FieldPath, format_field

DEAD_STATUSES = frozenset({404, 410})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
USER_AGENT = f"claimtrail-linkcheck/{__version__}"


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
    """Results by address, in a JSON file; written atomically."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.results: dict[str, Result] = {}
        if path is not None and path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self.results = {url: Result(**entry) for url, entry in raw.get("results", {}).items()}
                if not all(
                    isinstance(r.checked, (int, float)) and isinstance(r.ok, bool) for r in self.results.values()
                ):
                    self.results = {}
            except (ValueError, TypeError, AttributeError):  # not JSON, or not the shape written by save()
                self.results = {}

    def save(self) -> None:
        if self.path is None:
            return
        data = {"version": 1, "results": {url: asdict(r) for url, r in sorted(self.results.items())}}
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        temporary.replace(self.path)


class HostPacer:
    """At most one request per ``interval`` seconds to any one host."""

    def __init__(
        self, interval: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def wait(self, host: str) -> None:
        with self._guard:
            lock = self._locks[host]
        with lock:
            now = self.clock()
            ready = self._next.get(host, now)
            if ready > now:
                self.sleep(ready - now)
            self._next[host] = max(ready, now) + self.interval


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
    """An address the check will not request: a private one, or one that is not http(s)."""


class HostNotFound(Exception):
    """The host name does not exist."""


class TooManyRedirects(Exception):
    pass


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


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def checked_address(host: str, port: int, resolve: Resolver, allow_private: bool) -> str:
    """The one address to connect to for ``host``, looked up once.

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
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise NotRequested(f"{host} is a private or local address ({address})")
    return str(addresses[0])


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket, each read given only the time left before the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.remaining())
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """A connected socket as http.client uses it (``sendall``, ``makefile``, ``close``), within a deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.remaining())  # a timeout for the whole of sendall
        self._sock.sendall(data)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()


def _target(parts: urllib.parse.SplitResult) -> str:
    """The path and query to ask for, with anything that may not be sent as it is percent-encoded."""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return urllib.parse.quote(target, safe="/%:@!$&'()*+,;=?~")


def _exchange(
    url: str, method: str, deadline: Deadline, network: Network, allow_private: bool
) -> tuple[int, str | None]:
    """One request, to the address checked for the URL's host: the status and the Location header."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise NotRequested(f"{url} is not an http(s) address")
    if not parts.hostname:
        raise NotRequested(f"{url} names no host")
    host = parts.hostname
    port = parts.port or (443 if scheme == "https" else 80)
    address = checked_address(host, port, network.resolve, allow_private)
    raw = network.connect((address, port), deadline.remaining())
    sock = raw
    try:
        connection: http.client.HTTPConnection
        if scheme == "https":
            raw.settimeout(deadline.remaining())  # the handshake as a whole
            sock = _tls_context().wrap_socket(raw, server_hostname=host)  # the certificate must name the host
            connection = http.client.HTTPSConnection(host, port, context=_tls_context())
        else:
            connection = http.client.HTTPConnection(host, port)
        connection.sock = _DeadlineSocket(sock, deadline)  # already connected, to the checked address
        connection.request(method, _target(parts), headers={"User-Agent": USER_AGENT, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        sock.close()
        raw.close()


def _request(url: str, method: str, settings: Settings, network: Network) -> int:
    """The final status for the URL, redirects followed, all within one deadline of ``settings.timeout``."""
    deadline = Deadline(settings.timeout)
    for _ in range(MAX_REDIRECTS + 1):
        status, location = _exchange(url, method, deadline, network, settings.allow_private)
        if status not in REDIRECT_STATUSES or not location:
            return status
        url = urllib.parse.urljoin(url, location)
    raise TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")


def check_url(
    url: str,
    settings: Settings,
    pacer: HostPacer,
    now: Callable[[], float] = time.time,
    network: Network | None = None,
) -> Result:
    """One address: HEAD, then GET where HEAD is refused; retries for timeouts and 5xx."""
    network = network or Network()
    host = urllib.parse.urlsplit(url).hostname or ""
    last = Result(url, False, False, None, "not checked", now())
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * attempt)
        try:
            pacer.wait(host)
            status = _request(url, "HEAD", settings, network)
            if status in (403, 405, 501):
                pacer.wait(host)
                status = _request(url, "GET", settings, network)
        except NotRequested as exc:
            return Result(url, False, False, None, f"not requested: {exc}", now())
        except HostNotFound as exc:
            return Result(url, False, True, None, f"host not found ({exc})", now())
        except TooManyRedirects as exc:
            return Result(url, False, False, None, str(exc), now())
        except TimeoutError:
            last = Result(url, False, False, None, f"timed out after {settings.timeout:g} s", now())
        except OSError as exc:  # refused, reset, a certificate for another name, a resolver not answering just now
            last = Result(url, False, False, None, f"unreachable: {exc}", now())
        except (ValueError, http.client.HTTPException) as exc:  # a malformed address or answer
            last = Result(url, False, False, None, f"failed: {exc}", now())
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
    """Request every external address not fresh in the cache; findings for dead and unreachable ones."""
    links = external_links(dataset)
    started = now()
    to_check = [
        url for url in links if url not in cache.results or not cache.results[url].fresh(started, settings.max_age)
    ]
    pacer = HostPacer(settings.per_host_interval)
    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        for result in pool.map(lambda u: check_url(u, settings, pacer, now, network), to_check):
            cache.results[result.url] = result
    cache.save()
    results = {url: cache.results[url] for url in links}
    return findings_for(dataset, links, results), results


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
