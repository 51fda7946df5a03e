from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "fixtures" / "minimal"

# Property tests draw their examples by profile, chosen with HYPOTHESIS_PROFILE:
# - "ci", the default (scripts/test, .ci/run, pull requests): the same examples on every run of the same
#   code, so that a commit passes or fails on its own merits, never by the luck of the draw;
# - "fuzz" (the weekly workflow, or by hand): many more examples from a fresh seed, to find what the fixed
#   ones miss. Each case it finds is added to its test as an explicit @example.
# Neither keeps a database of examples, has a deadline, or times how long examples take to generate: a
# busy machine is slow, not wrong.
CI_EXAMPLES = 100
FUZZ_FACTOR = 50
settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("fuzz", settings.get_profile("ci"), max_examples=CI_EXAMPLES * FUZZ_FACTOR, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(in_ci: int) -> int:
    """A property test's number of examples: ``in_ci`` under the "ci" profile, FUZZ_FACTOR times as many
    under "fuzz"."""
    return in_ci * settings().max_examples // CI_EXAMPLES


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "wheel: builds a wheel and installs it into a fresh virtual environment")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The item cache of every test run lives in its own folder, not the user's."""
    os.environ["CLAIMLEDGER_CACHE_DIR"] = str(tmp_path_factory.mktemp("claimledger-cache"))


@pytest.fixture(autouse=True, scope="session")
def _no_settings_from_the_callers_environment() -> None:
    """The suite gives the same results whatever the caller has set: tests that need one of these set it."""
    settings = ("CLAIMLEDGER_JOBS", "CLAIMLEDGER_NO_CACHE", "CLAIMLEDGER_PROGRESS", "CLAIMLEDGER_WITHOUT")
    addresses = ("CLAIMLEDGER_SITE_URL", "CLAIMLEDGER_REPO_URL")  # read by the repository's mkdocs.yml
    for name in (*settings, *addresses):
        os.environ.pop(name, None)


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


class _SiteConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml with its `!ENV [NAME, default]` values as the list written."""


_SiteConfigLoader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node))  # type: ignore[arg-type]


def read_site_config(path: Path) -> Any:
    """A site configuration (mkdocs.yml) as data, its `!ENV` values as the lists written."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SiteConfigLoader)
