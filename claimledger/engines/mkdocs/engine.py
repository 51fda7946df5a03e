"""The mkdocs engine's build: ``mkdocs build --strict`` in this process, into the staging folder;
and ProperDocs' build of the same site, in a process of its own.

:class:`MkDocsEngine` starts a build before the dataset is checked: it reads ``mkdocs.yml`` (what
MkDocs says of it is held back until after the dataset's findings). Once the dataset passed its
checks, the build hands it to the plugin object of the configuration, already loaded and checked,
and runs MkDocs.

:class:`ProperDocsBuild` runs ``properdocs build --strict``, which answers every ``mkdocs.*`` import
in its process with its own modules and runs the plugin as it is: the plugin loads and checks the
dataset itself, as under ``mkdocs build``. ProperDocs' informational messages are left out (the
dataset's findings among them, shown already), as the mkdocs engine shows only warnings and errors.
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
from typing import TYPE_CHECKING, Any

from ...checks.siteconfig import DocsPolicy, read_docs_policy
from ...site.build import BuildError, Project, SiteInput, build_time

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from .plugin import ClaimledgerPlugin

# Set for MkDocs while it builds, and put back after.
_PINNED = ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")


class MkDocsEngine:
    name = "mkdocs"

    def start(self, project: Project, staging_dir: Path) -> MkDocsBuild:
        return MkDocsBuild(project, staging_dir)


class MkDocsBuild:
    def __init__(self, project: Project, staging_dir: Path) -> None:
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        self.project = project
        self.staging = staging_dir
        self.config: MkDocsConfig | None = None
        self.plugin: ClaimledgerPlugin | None = None
        self.error: BuildError | None = None
        self.held: list[logging.LogRecord] = []
        self.saved = {name: os.environ.get(name) for name in _PINNED}
        try:
            self._start(load_config, MkDocsException)
        except BaseException:
            self.close()
            raise

    def _start(self, load_config: Any, errors: type[Exception]) -> None:
        project, staging_dir = self.project, self.staging
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        _show_warnings()
        # What MkDocs says of the configuration, and its error, come after the dataset's findings:
        # they are held back until build().
        with _held_back("mkdocs") as self.held:
            try:
                self.config = load_config(config_file=str(project.config_file), site_dir=str(staging_dir), strict=True)
            except (errors, OSError) as exc:
                self.error = BuildError(f"{exc}; the previous site is untouched")
        if self.config is not None:
            from .plugin import ClaimledgerPlugin

            plugin = self.config.plugins.get("claimledger")
            if not isinstance(plugin, ClaimledgerPlugin):
                self.error = BuildError(
                    f"{project.config_file.name} does not use the claimledger plugin: add `- claimledger` under "
                    "`plugins:`; the previous site is untouched"
                )
            else:
                self.plugin = plugin

    def docs_policy(self) -> DocsPolicy:
        """As MkDocs read the plugin's ``docs_raw_html`` option; else as the checks read it."""
        if self.plugin is None:
            return read_docs_policy(self.project.config_file)
        return self.plugin.docs_policy

    def build(self, site: SiteInput) -> None:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import MkDocsException

        _show(self.held)
        if self.error is not None:
            raise self.error
        assert self.config is not None and self.plugin is not None
        os.environ["SOURCE_DATE_EPOCH"] = str(build_time(site.dataset, os.environ.get("SOURCE_DATE_EPOCH")))
        self.plugin.use(site)
        try:
            self.config.plugins.on_startup(command="build", dirty=False)
            try:
                build(self.config)
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
        """As the checks read the plugin's ``docs_raw_html`` option from the site's configuration."""
        return read_docs_policy(self.project.config_file)

    def build(self, site: SiteInput) -> None:
        epoch = build_time(site.dataset, os.environ.get("SOURCE_DATE_EPOCH"))
        progress = "1" if self.project.settings.progress else "0"
        environment = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "CLAIMLEDGER_PROGRESS": progress}
        config, site_dir = str(self.project.config_file), str(self.staging)
        command = [sys.executable, "-m", "properdocs", "build", "--strict", "-f", config, "-d", site_dir]
        run = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with run as process:
            assert process.stdout is not None
            shown = True
            for line in process.stdout:  # its messages, on standard error as the mkdocs engine's are
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
