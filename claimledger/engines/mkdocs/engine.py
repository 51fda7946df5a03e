"""The mkdocs engine's build: ``mkdocs build --strict`` in this process, into the staging folder.

:class:`MkDocsEngine` starts a build before the dataset is checked: it reads ``mkdocs.yml`` (what
MkDocs says of it is held back until after the dataset's findings). Once the dataset passed its
checks, the build hands it to the plugin object of the configuration, already loaded and checked,
and runs MkDocs.

``package`` is ``mkdocs``, or ``properdocs`` when ProperDocs answers MkDocs' imports
(:mod:`claimledger.engines.properdocs`): it names the loggers whose messages are shown.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
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
    def __init__(self, package: str = "mkdocs") -> None:
        self.name = package
        self.package = package

    def start(self, project: Project, staging_dir: Path) -> MkDocsBuild:
        return MkDocsBuild(self.package, project, staging_dir)


class MkDocsBuild:
    def __init__(self, package: str, project: Project, staging_dir: Path) -> None:
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        self.package = package
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
        package, project, staging_dir = self.package, self.project, self.staging
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        _show_warnings(package)
        # What MkDocs says of the configuration, and its error, come after the dataset's findings:
        # they are held back until build().
        with _held_back(package) as self.held:
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


def _show_warnings(package: str) -> None:
    """MkDocs runs in this process: print its warnings and errors as its own command would."""
    logger = logging.getLogger(package)
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
