"""External links: which addresses the dataset depends on, and (only when asked) whether they still answer.

``claimtrail links`` lists every external address with the claims that depend
on it, offline.  ``claimtrail links --online`` requests each one, with a
timeout, retries for failures that may pass, a minimum interval between
requests to the same host, and a cache file so that a weekly run does not
hammer anyone.  404, 410 and hosts that do not exist are dead links; timeouts
and server errors are reported as unreachable, since they may pass.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
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


class PrivateAddress(Exception):
    pass


def _refuse_private(url: str) -> None:
    """Raise :class:`PrivateAddress` if the URL's host resolves to a loopback, private or reserved address."""
    host = urllib.parse.urlsplit(url).hostname or ""
    for *_, address in socket.getaddrinfo(host, None):
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            raise PrivateAddress(f"{host} is a private or local address ({ip})")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        _refuse_private(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_GUARDED = urllib.request.build_opener(_CheckedRedirects)


def _request(url: str, method: str, timeout: float, allow_private: bool = True) -> int:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    if not allow_private:
        _refuse_private(url)
    opener = urllib.request.build_opener() if allow_private else _GUARDED
    with opener.open(request, timeout=timeout) as response:
        return int(response.status)


def check_url(url: str, settings: Settings, pacer: HostPacer, now: Callable[[], float] = time.time) -> Result:
    """One address: HEAD, then GET where HEAD is refused; retries for timeouts and 5xx."""
    host = urllib.parse.urlsplit(url).hostname or ""
    last = Result(url, False, False, None, "not checked", now())
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * attempt)
        try:
            pacer.wait(host)
            try:
                status = _request(url, "HEAD", settings.timeout, settings.allow_private)
            except urllib.error.HTTPError as exc:
                if exc.code not in (403, 405, 501):
                    raise
                pacer.wait(host)
                status = _request(url, "GET", settings.timeout, settings.allow_private)
            return Result(url, True, False, status, "ok", now())
        except PrivateAddress as exc:
            return Result(url, False, False, None, f"not requested: {exc}", now())
        except urllib.error.HTTPError as exc:
            if exc.code in DEAD_STATUSES:
                return Result(url, False, True, exc.code, f"HTTP {exc.code}", now())
            last = Result(url, False, False, exc.code, f"HTTP {exc.code}", now())
            if exc.code < 500 and exc.code != 429:
                return last
        except urllib.error.URLError as exc:
            # a host that does not exist is dead; a resolver that cannot answer just now (EAI_AGAIN) may pass
            if isinstance(exc.reason, socket.gaierror) and exc.reason.errno != socket.EAI_AGAIN:
                return Result(url, False, True, None, f"host not found ({host})", now())
            last = Result(url, False, False, None, f"unreachable: {exc.reason}", now())
        except TimeoutError:
            last = Result(url, False, False, None, f"timed out after {settings.timeout:g} s", now())
        except (OSError, ValueError, http.client.HTTPException) as exc:  # HTTPException: a malformed answer
            last = Result(url, False, False, None, f"failed: {exc}", now())
    return last


def check_online(
    dataset: Dataset, cache: Cache, settings: Settings, now: Callable[[], float] = time.time
) -> tuple[list[Finding], dict[str, Result]]:
    """Request every external address not fresh in the cache; findings for dead and unreachable ones."""
    links = external_links(dataset)
    started = now()
    to_check = [
        url for url in links if url not in cache.results or not cache.results[url].fresh(started, settings.max_age)
    ]
    pacer = HostPacer(settings.per_host_interval)
    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        for result in pool.map(lambda u: check_url(u, settings, pacer, now), to_check):
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
