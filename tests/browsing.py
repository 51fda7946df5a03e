"""What the browser tests share: Debian's chromium for Playwright, and the shipped site, built once
and served on 127.0.0.1 for the whole session."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Collection, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, Page, expect

from .conftest import REPO
from .sitebuild import build

CHROMIUM = Path("/usr/bin/chromium")
# What a reader should see may take a while to appear on a busy machine (the search index above all):
# every expectation waits up to 30 s instead of 5 s. A passing test waits no longer for it.
expect.set_options(timeout=30_000)

# Skipped only outside CI: in CI a missing browser is a failure, not a skip.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium (scripts/test installs it: apt-get install chromium)",
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("browser") / "site"
    result = build(REPO, site)
    assert result.returncode == 0, result.stderr
    return site


@contextlib.contextmanager
def served(site: Path, handler: type[SimpleHTTPRequestHandler] = _QuietHandler, folder: str = "") -> Iterator[str]:
    """The address of ``site`` served on 127.0.0.1 (a free port) by ``handler`` while the block
    runs, under ``folder`` (``"sub/"``) where the handler serves it there."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{folder}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    with served(site) as url:
        yield url


@contextlib.contextmanager
def axe_page(browser: Browser, palette: str, width: int = 390, height: int = 900) -> Iterator[Page]:
    """A page ``width`` px wide in the ``light`` or ``dark`` palette, with axe-core (from
    axe-playwright-python) loaded on every page it opens."""
    context = browser.new_context(color_scheme=palette, viewport={"width": width, "height": height})
    context.add_init_script(script=AXE_SCRIPT)
    try:
        yield context.new_page()
    finally:
        context.close()


def serious_violations(page: Page, ignored: Collection[str] = ()) -> list[str]:
    """What axe-core finds serious or critical on ``page`` (but the rules ``ignored``), with where."""
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in ("serious", "critical") and v["id"] not in ignored
    ]
