"""How a run goes about its work (never what it produces): read once, at the edge, and passed down.

The command line and, for ``mkdocs build``/``serve`` run on their own, the MkDocs plugin make one
with :func:`from_environment`; nothing deeper reads the environment. ``Settings()`` (a library
caller's) has every speed piece on, no cache, no progress line. The speed pieces (the item cache,
the template cache, the parallel parse) change how fast a site builds, never what it holds.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .record.parallel import workers_wanted

SPEED_PIECES = ("item-cache", "template-cache", "parallel")
# The variables :func:`from_environment` reads (docs/reference.md documents each).
VARIABLES = (
    "CLAIMLEDGER_JOBS",
    "CLAIMLEDGER_NO_CACHE",
    "CLAIMLEDGER_CACHE_DIR",
    "CLAIMLEDGER_PROGRESS",
    "CLAIMLEDGER_WITHOUT",
)
ON = ("1", "true", "yes", "on")
OFF = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    jobs: int | None = None  # processes to use; None: one per core (at most parallel.MAX_WORKERS)
    cache_dir: Path | None = None  # where the caches live; None: no cache at all
    item_cache: bool = True
    template_cache: bool = True
    parallel: bool = True
    progress: bool = False  # show pages written out of the total, on standard error

    @property
    def workers(self) -> int:
        """How many processes may share a piece of work (1: none is forked)."""
        return workers_wanted(self.jobs) if self.parallel else 1

    @property
    def item_cache_dir(self) -> Path | None:
        return self.cache_dir if self.item_cache else None

    @property
    def template_cache_dir(self) -> Path | None:
        return self.cache_dir / "templates" if self.cache_dir is not None and self.template_cache else None


def from_environment(
    environ: Mapping[str, str], *, home: Path | None = None, stream: TextIO | None = None, progress: bool | None = None
) -> Settings:
    """The settings the environment asks for (the table in docs/reference.md); ``progress``, where
    given (a command-line flag), comes before the environment."""
    explicit = environ.get("CLAIMLEDGER_JOBS", "").strip()
    jobs = int(explicit) if explicit.isdigit() and int(explicit) > 0 else None
    cache_dir: Path | None
    if environ.get("CLAIMLEDGER_NO_CACHE", "").strip().lower() in ON:
        cache_dir = None
    elif environ.get("CLAIMLEDGER_CACHE_DIR"):
        cache_dir = Path(environ["CLAIMLEDGER_CACHE_DIR"])
    else:
        base = environ.get("XDG_CACHE_HOME") or str((home or Path.home()) / ".cache")
        cache_dir = Path(base) / "claimledger"
    without = {piece.strip() for piece in environ.get("CLAIMLEDGER_WITHOUT", "").split(",") if piece.strip()}
    return Settings(
        jobs=jobs,
        cache_dir=cache_dir,
        **{piece.replace("-", "_"): piece not in without for piece in SPEED_PIECES},
        progress=progress if progress is not None else progress_wanted(environ, stream),
    )


def progress_wanted(environ: Mapping[str, str], stream: TextIO | None = None) -> bool:
    """``CLAIMLEDGER_PROGRESS`` if it says yes or no; else whether ``stream`` (standard error as it is
    when called, by default) is a terminal outside CI."""
    stream = sys.stderr if stream is None else stream
    setting = environ.get("CLAIMLEDGER_PROGRESS", "").strip().lower()
    if setting in ON or setting in OFF:
        return setting in ON
    return stream.isatty() and not environ.get("CI")
