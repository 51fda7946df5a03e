"""The mkdocs engine's build: ``mkdocs build --strict`` in this process, into the staging folder;
and ProperDocs' build of the same site (:class:`ProperDocsBuild`).

The build starts before the dataset is checked: it loads ``mkdocs.yml`` (what MkDocs says of it is
held back until after the dataset's findings). Once the dataset passed its checks, it is handed to
the configuration's plugin object, and MkDocs runs.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ...checks.siteconfig import DocsPolicy, read_docs_policy
from ...site.build import BuildError, Project, SiteInput, build_time

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from .plugin import ClaimledgerPlugin

# Set for MkDocs while it builds, and put back after.
_PINNED = ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")


class MkDocsBuild:
    def __init__(self, project: Project, staging_dir: Path) -> None:
        self.project = project
        self.config: MkDocsConfig | None = None
        self.plugin: ClaimledgerPlugin | None = None
        self.error: BuildError | None = None
        self.held: list[logging.LogRecord] = []
        self.saved = {name: os.environ.get(name) for name in _PINNED}
        try:
            self._load(staging_dir)
        except BaseException:
            self.close()
            raise

    def _load(self, staging_dir: Path) -> None:
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        _show_warnings()
        # What MkDocs says of the configuration, and its error, are held back until build(), after the
        # dataset's findings.
        with _held_back("mkdocs") as self.held:
            try:
                config_file = str(self.project.config_file)
                self.config = load_config(config_file=config_file, site_dir=str(staging_dir), strict=True)
            except (MkDocsException, OSError) as exc:
                self.error = BuildError(f"{exc}; the previous site is untouched")
        if self.config is None:
            return
        from .plugin import ClaimledgerPlugin

        plugin = self.config.plugins.get("claimledger")
        if isinstance(plugin, ClaimledgerPlugin):
            self.plugin = plugin
        else:
            self.error = BuildError(
                f"{self.project.config_file.name} does not use the claimledger plugin: add `- claimledger` under "
                "`plugins:`; the previous site is untouched"
            )

    def docs_policy(self) -> DocsPolicy:
        """As MkDocs read the plugin's ``docs_raw_html`` option; else as the checks read it."""
        return read_docs_policy(self.project.config_file) if self.plugin is None else self.plugin.docs_policy

    def build(self, site: SiteInput) -> None:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import MkDocsException

        _show(self.held)
        if self.error is not None:
            raise self.error
        assert self.config is not None and self.plugin is not None
        os.environ["SOURCE_DATE_EPOCH"] = str(build_time(site.dataset, os.environ.get("SOURCE_DATE_EPOCH")))
        self.plugin.use(site)
        # With a previous site to reuse pages from, MkDocs skips those pages (--dirty: nothing else differs, the
        # staging folder being new and empty); the plugin keeps back MkDocs' warning about it.
        dirty = site.previous is not None
        try:
            self.config.plugins.on_startup(command="build", dirty=dirty)
            try:
                build(self.config, dirty=dirty)
            finally:
                self.config.plugins.on_shutdown()
        except MkDocsException as exc:
            raise BuildError(f"{exc}; the previous site is untouched") from None
        finally:
            self.plugin.use(None)

    def close(self) -> None:
        try:
            _show(self.held)
        finally:
            for name, previous in self.saved.items():
                if previous is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = previous


class ProperDocsBuild:
    def __init__(self, project: Project, staging_dir: Path) -> None:
        self.project = project
        self.staging = staging_dir

    def docs_policy(self) -> DocsPolicy:
        return read_docs_policy(self.project.config_file)

    def build(self, site: SiteInput) -> None:
        epoch = build_time(site.dataset, os.environ.get("SOURCE_DATE_EPOCH"))
        progress = "1" if self.project.settings.progress else "0"
        environment = {
            **os.environ,
            "SOURCE_DATE_EPOCH": str(epoch),
            "CLAIMLEDGER_PROGRESS": progress,
            "CLAIMLEDGER_PREVIOUS_SITE": str(site.previous or ""),  # the plugin there reuses its unchanged pages
        }
        config, site_dir = str(self.project.config_file), str(self.staging)
        command = [sys.executable, "-m", "properdocs", "build", "--strict", "-f", config, "-d", site_dir]
        if site.previous is not None:  # reused pages skipped, as the mkdocs engine does (MkDocsBuild.build)
            command.append("--dirty")
        run = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with run as process:
            assert process.stdout is not None
            shown = True
            # Its warnings and errors on standard error, as the mkdocs engine's are; its informational
            # messages (the dataset's findings among them, shown already) are left out.
            for line in process.stdout:
                if not line.startswith((" ", "\t")):  # a message's first line; indented ones continue it
                    shown = not line.startswith("INFO ")
                if shown:
                    sys.stderr.write(line)
        if process.returncode != 0:
            raise BuildError("properdocs: the build failed, as said above; the previous site is untouched")

    def close(self) -> None:
        pass


def _show_warnings() -> None:
    """MkDocs runs in this process: print its warnings and errors as its own command would."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "claimledger", False) for h in logger.handlers):
        handler = _StandardError()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler.setLevel(logging.WARNING)
        handler.claimledger = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to standard error as it is when each message comes (one handler serves every build)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _show(records: list[logging.LogRecord]) -> None:
    """Show records held back (once: the list is emptied)."""
    for record in records:
        logging.getLogger(record.name).callHandlers(record)
    records.clear()


@contextlib.contextmanager
def _held_back(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records logged to ``name`` (and below) meanwhile, kept instead of shown."""
    logger = logging.getLogger(name)
    keeper = logging.handlers.BufferingHandler(capacity=sys.maxsize)  # never flushed: only kept
    handlers, propagate = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [keeper], False
    try:
        yield keeper.buffer
    finally:
        logger.handlers, logger.propagate = handlers, propagate
