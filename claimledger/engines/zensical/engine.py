"""The zensical engine's build: the plain project (:mod:`.plain`) written into the staging folder
once the dataset passed its checks, built by Zensical in this process in strict mode, its site moved
into place. The configuration is read when the build starts; what is wrong with it is said after
the dataset's findings.
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

PROJECT = ".zensical"  # the plain project's folder, inside the staging folder while the site is built
_COLOUR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class ZensicalBuild:
    def __init__(self, project: Project, staging_dir: Path) -> None:
        self.project = project
        self.staging = staging_dir
        self.folder = staging_dir / PROJECT
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
        )
        bulk = write_project(self.folder, config, renderer, self.project.root)
        run_zensical(self.folder / CONFIG)
        for built in (self.folder / SITE).iterdir():
            built.rename(self.staging / built.name)
        for output in bulk:
            output.write(self.staging)
        shutil.rmtree(self.folder)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


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
        raise BuildError("zensical: aborted in strict mode on the warnings above; the previous site is untouched")
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
