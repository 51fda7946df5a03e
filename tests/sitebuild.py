"""Helpers for tests that build real sites."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from claimledger.cli import main


@dataclass(frozen=True)
class Built:
    """What a build said, as a finished process would tell it."""

    returncode: int
    stdout: str
    stderr: str


def build(root: Path, site_dir: Path, *args: str, env: dict[str, str] | None = None) -> Built:
    """``claimledger build`` as a user runs it, in this process: its exit status and what it printed.
    ``env`` is added to the environment meanwhile (the command reads it once, at its start)."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["build", "--root", str(root), "--site-dir", str(site_dir), *args]
    with mock.patch.dict(os.environ, env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return Built(code, out.getvalue(), err.getvalue())


def build_in_subprocess(
    root: Path, site_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``claimledger build`` in a process of its own: for an engine that must be the first to load in
    its process (properdocs), and for what only a new process shows; ``timeout``: the seconds after which a
    build that hangs fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "claimledger", "build", "--root", str(root), "--site-dir", str(site_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def lychee(site: Path) -> subprocess.CompletedProcess[str]:
    """The link checker run offline over every page of ``site``: every internal href, src and #anchor."""
    lychee = shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")
    return subprocess.run(
        [
            lychee,
            "--offline",
            "--include-fragments",
            "--index-files",
            "index.html",
            "--root-dir",
            str(site),
            "--no-progress",
            "--format",
            "detailed",
            f"{site}/**/*.html",
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def add_hook(project: Path, name: str, code: str) -> None:
    """The MkDocs hook ``name`` (a file of ``code`` in ``project``), named in its mkdocs.yml and allowed by the
    claimledger plugin, as the site policy asks."""
    (project / name).write_text(code, encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  - claimledger\n", f"  - claimledger:\n      allow:\n        hooks: [{name}]\n"
    )
    config.write_text(f"{text}hooks:\n  - {name}\n", encoding="utf-8")
