from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "fixtures" / "minimal"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The item cache of every test run lives in its own folder, not the user's."""
    os.environ["CLAIMTRAIL_CACHE_DIR"] = str(tmp_path_factory.mktemp("claimtrail-cache"))


@pytest.fixture
def minimal_project(tmp_path: Path) -> Path:
    """A fresh copy of the small valid fixture project."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    return root


@pytest.fixture
def only_this_tests_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests of the session leave idle server threads behind. Forking is refused while other
    threads run, so here only the threads a test starts itself count."""
    others = threading.active_count() - 1
    monkeypatch.setattr(threading, "active_count", lambda: len(threading.enumerate()) - others)
