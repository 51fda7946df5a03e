"""Helpers for tests that build real sites."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def build(
    root: Path, site_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``claimtrail build`` as a user runs it, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "claimtrail", "build", "--root", str(root), "--site-dir", str(site_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
