"""The zensical engine's build: the plain project (:mod:`.plain`) written once the dataset passed its
checks, built by Zensical in this process in strict mode, its site moved into the staging folder. The
project is kept between builds in the user's cache folder (:mod:`.workspace`), so that Zensical's cache
makes a rebuild quicker; with no cache folder, with ``full``, or while another build of the same
project holds it, the project is written inside the staging folder and removed. The configuration is
read when the build starts; what is wrong with it is said after the dataset's findings.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ...checks.siteconfig import DocsPolicy, read_docs_policy
from ...record.cache import template_cache
from ...site.build import BuildError, Project, SiteInput
from ...site.render import site_renderer
from .plain import CONFIG, SITE, SiteConfig, read_config, write_project
from .workspace import ProjectFiles, Workspace, open_workspace

PROJECT = ".zensical"  # the plain project's folder, inside the staging folder, when there is no workspace
_COLOUR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class ZensicalBuild:
    def __init__(self, project: Project, staging_dir: Path) -> None:
        """A build into ``staging_dir``; from an empty Zensical cache if the project asks for a full build."""
        self.project = project
        self.staging = staging_dir
        self.full = project.full
        self.folder = staging_dir / PROJECT
        self.workspace: Workspace | None = None
        self.config: SiteConfig | None = None
        self.error: BuildError | None = None
        try:
            self.config = read_config(project.config_file)
        except BuildError as exc:
            self.error = exc

    def docs_policy(self) -> DocsPolicy:
        return read_docs_policy(self.project.config_file)

    def build(self, site: SiteInput) -> None:
        if self.error is not None:
            raise self.error
        config = self.config
        assert config is not None
        if not config.use_directory_urls:
            raise BuildError(
                f"{config.file.name}: the site needs `use_directory_urls: true` (the default); "
                "the previous site is untouched"
            )
        renderer = site_renderer(
            site.dataset,
            self.project.root,
            config.settings,
            history=config.history,
            bytecode_cache=template_cache(self.project.settings.template_cache_dir),
            cache_dir=self.project.settings.item_cache_dir,
        )
        self._open_workspace()
        bulk = write_project(ProjectFiles(self.folder), config, renderer, self.project.root)
        shutil.rmtree(self.folder / SITE, ignore_errors=True)  # what a failed build left: Zensical writes it whole
        if self.workspace is None:
            run_zensical(self.folder / CONFIG)
        else:
            self.workspace.running()
            try:
                run_zensical(self.folder / CONFIG)
            except StrictAbort:
                self.workspace.finished()
                raise
            self.workspace.finished()
        for built in (self.folder / SITE).iterdir():
            shutil.move(built, self.staging / built.name)  # a rename, or a copy from another file system
        for output in bulk:
            output.write(self.staging)
        if self.workspace is None:
            shutil.rmtree(self.folder)
        else:
            (self.folder / SITE).rmdir()

    def _open_workspace(self) -> None:
        import zensical

        cache_dir = self.project.settings.cache_dir
        if cache_dir is not None:
            self.workspace = open_workspace(cache_dir, self.project.root, zensical.version(), full=self.full)
        if self.workspace is not None:
            self.folder = self.workspace.project

    def close(self) -> None:
        if self.workspace is None:
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            shutil.rmtree(self.folder / SITE, ignore_errors=True)
            self.workspace.close()


class StrictAbort(BuildError):
    """Zensical built the site and refused it in strict mode, on the warnings it showed."""


def run_zensical(config_file: Path) -> None:
    """``zensical build --strict`` of the project configured by ``config_file``, in this process;
    its messages shown on ``sys.stderr``, without colour; a BuildError if it fails."""
    import zensical

    failure: BaseException | None = None
    with tempfile.TemporaryFile() as kept:
        with _redirected(kept.fileno()):
            try:
                zensical.build(str(config_file.resolve()), {"clean": False, "strict": True})
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # a strict build's RuntimeError, a configuration error, a panic
                failure = exc
        kept.seek(0)
        messages = _COLOUR.sub("", kept.read().decode("utf-8", errors="replace")).strip()
    if messages:
        print(messages, file=sys.stderr)
    if isinstance(failure, RuntimeError) and "strict" in str(failure):
        raise StrictAbort("zensical: aborted in strict mode on the warnings above; the previous site is untouched")
    if failure is not None:
        raise BuildError(f"zensical: {failure}; the previous site is untouched") from None


@contextlib.contextmanager
def _redirected(target: int) -> Iterator[None]:
    """The process's standard output and error written to ``target`` meanwhile: Zensical writes its
    messages there from Rust, in colour, past ``sys.stdout`` and ``sys.stderr``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [(fd, os.dup(fd)) for fd in (1, 2)]
    try:
        for fd, _ in saved:
            os.dup2(target, fd)
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
