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
checked the same way.  A request
has one deadline in all, from connecting to the last header of the last
redirect, so a server sending a byte at a time cannot hold the check up; the
body of an answer is never read.  Requests go straight to the host, never through
a proxy (which would look the name up itself).
"""

from __future__ import annotations

import email.message
import functools
import http.client
import io
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
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..findings import Finding, error, warning
from ..record.addresses import host_problem
from ..record.graph import Graph, build_graph
from ..record.model import Dataset
from ..record.yamlsafe import Document, FieldPath, format_field

DEAD_STATUSES = frozenset({404, 410})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
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
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise NotRequested(f"{host} is a private or local address ({address})")
    return [str(address) for address in addresses]


def _connect(addresses: Sequence[str], port: int, deadline: Deadline, connect: Connector) -> socket.socket:
    """A connection to the first of the addresses that answers (as ``socket.create_connection`` would)."""
    failure = OSError(f"no address to connect to on port {port}")
    for address in addresses:
        timeout = deadline.remaining()
        try:
            return connect((address, port), timeout)
        except OSError as exc:  # an address family the network lacks, say: try the next one
            failure = exc
    raise failure


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
        # http.client closes its socket as soon as a "Connection: close" answer's headers are read, while
        # the body is still to be read through makefile's reader; the socket is closed by _exchange instead
        # (socket.makefile defers the close the same way), else the body's read may fail with EBADF.
        pass


def _target(parts: urllib.parse.SplitResult) -> str:
    """The path and query to ask for, with anything that may not be sent as it is percent-encoded."""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return urllib.parse.quote(target, safe="/%:@!$&'()*+,;=?~")


@dataclass(frozen=True)
class _Answer:
    status: int
    location: str | None
    content_type: str
    body: bytes  # empty unless asked for
    content_location: str | None = None
    link: str | None = None


def _exchange(
    url: str, method: str, deadline: Deadline, network: Network, allow_private: bool, limit: int = 0
) -> _Answer:
    """One request, to the address checked for the URL's host: the status and the Location header, and
    with ``limit``, up to ``limit + 1`` bytes of the body (read within the same deadline)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise NotRequested(f"{url} is not an http(s) address")
    if not parts.hostname:
        raise NotRequested(f"{url} names no host")
    host = parts.hostname
    port = parts.port or (443 if scheme == "https" else 80)
    addresses = checked_addresses(host, port, network.resolve, allow_private)
    raw = _connect(addresses, port, deadline, network.connect)
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
        body = response.read(limit + 1) if limit and response.status not in REDIRECT_STATUSES else b""
        return _Answer(
            response.status,
            response.getheader("Location"),
            response.getheader("Content-Type") or "",
            body,
            response.getheader("Content-Location"),
            response.getheader("Link"),
        )
    finally:
        sock.close()
        raw.close()


def _request(url: str, method: str, settings: Settings, network: Network) -> int:
    """The final status for the URL, redirects followed, all within one deadline of ``settings.timeout``."""
    deadline = Deadline(settings.timeout)
    for _ in range(MAX_REDIRECTS + 1):
        answer = _exchange(url, method, deadline, network, settings.allow_private)
        if answer.status not in REDIRECT_STATUSES or not answer.location:
            return answer.status
        url = urllib.parse.urljoin(url, answer.location)
    raise TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")


MAX_TEXT = 20 * 1024 * 1024  # bytes of a page's text :func:`fetch_text` keeps at most


class FetchFailed(Exception):
    """The address did not give a text: why, in words."""


def fetch_text(url: str, settings: Settings, network: Network | None = None, limit: int = MAX_TEXT) -> bytes:
    """The body of a GET of ``url``, in UTF-8, under the link check's rules: one deadline of
    ``settings.timeout`` for the request and its redirects, the host's addresses checked, no user info,
    http(s) only. :class:`FetchFailed` for anything but a text answered with 2xx."""
    network = network or Network()
    deadline = Deadline(settings.timeout)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            problem = host_problem(url)
            if problem is not None:
                raise FetchFailed(f"{url} is not requested: {problem}")
            answer = _exchange(url, "GET", deadline, network, settings.allow_private, limit)
            if answer.status in REDIRECT_STATUSES and answer.location:
                url = urllib.parse.urljoin(url, answer.location)
                continue
            if not 200 <= answer.status < 300:
                raise FetchFailed(f"{url} answered HTTP {answer.status}")
            if len(answer.body) > limit:
                raise FetchFailed(f"{url} sent more than {limit} bytes")
            message = email.message.Message()
            message["Content-Type"] = answer.content_type or "text/plain"
            if message.get_content_maintype() != "text":
                raise FetchFailed(f"{url} sent {message.get_content_type()}, not text")
            charset = message.get_content_charset("utf-8")
            try:
                return answer.body.decode(charset).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                raise FetchFailed(f"{url} sent text that cannot be read as {charset}") from None
        raise FetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")
    except (NotRequested, HostNotFound, OSError, ValueError, http.client.HTTPException) as exc:
        raise _failure(exc, url, settings) from None


def _failure(exc: Exception, url: str, settings: Settings) -> FetchFailed:
    """What went wrong with a request to ``url``, in words."""
    if isinstance(exc, NotRequested):
        return FetchFailed(f"not requested: {exc}")
    if isinstance(exc, HostNotFound):
        return FetchFailed(f"host not found ({exc})")
    if isinstance(exc, TimeoutError):
        return FetchFailed(f"{url} timed out after {settings.timeout:g} s")
    return FetchFailed(f"{url} could not be read: {exc}")


@dataclass(frozen=True)
class Reply:
    """One answer, its redirect not followed: the status and the headers that may name another address."""

    status: int
    location: str | None
    content_location: str | None
    link: str | None


def ask_once(url: str, settings: Settings, network: Network | None = None) -> Reply:
    """One GET of ``url`` under the link check's rules (its deadline, the host's addresses checked, no
    user info, http(s) only), a redirect answered but not followed. :class:`FetchFailed` if no answer."""
    network = network or Network()
    try:
        problem = host_problem(url)
        if problem is not None:
            raise FetchFailed(f"{url} is not requested: {problem}")
        answer = _exchange(url, "GET", Deadline(settings.timeout), network, settings.allow_private)
    except (NotRequested, HostNotFound, OSError, ValueError, http.client.HTTPException) as exc:
        raise _failure(exc, url, settings) from None
    return Reply(answer.status, answer.location, answer.content_location, answer.link)


def check_url(
    url: str,
    settings: Settings,
    pacer: HostPacer,
    now: Callable[[], float] = time.time,
    network: Network | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """One address: HEAD, then GET where HEAD is refused; retries for timeouts and 5xx, until ``stop`` is set."""
    network = network or Network()
    host = urllib.parse.urlsplit(url).hostname or ""
    last = Result(url, False, False, None, "not checked", now())
    stopped = stop.is_set if stop is not None else lambda: False
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * attempt)
        pacer.wait(host)
        if stopped():
            break
        try:
            status = _request(url, "HEAD", settings, network)
            if status in (403, 405, 501) and not stopped():
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
