from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "fixtures" / "minimal"


@pytest.fixture
def minimal_project(tmp_path: Path) -> Path:
    """A fresh copy of the small valid fixture project."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    return root
