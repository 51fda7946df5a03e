"""The zensical engine's build: the plain project (:mod:`.plain`) written into the staging folder
once the dataset passed its checks, built by Zensical in this process in strict mode, its site moved
into place. The configuration is read when the build starts; what is wrong with it is said after
the dataset's findings.

Zensical writes its messages straight to the process's standard error, in colour: they are caught
there, their colour taken out, and shown on ``sys.stderr``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ...checks.siteconfig import DocsPolicy, read_docs_policy
from ...record.cache import template_cache
from ...site.build import BuildError, Project, SiteInput
from ...site.render import SiteSettings, site_renderer
from .plain import CONFIG, SITE, SiteConfig, read_config, write_project

PROJECT = ".zensical"  # the plain project's folder, inside the staging folder while the site is built
_COLOUR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class ZensicalEngine:
    name = "zensical"

    def start(self, project: Project, staging_dir: Path) -> ZensicalBuild:
        return ZensicalBuild(project, staging_dir)


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
        """As the checks read the plugin's ``docs_raw_html`` option from the site's configuration."""
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
        settings = SiteSettings.of_site(
            config.site_name,
            config.site_url,
            config.repo_url,
            edit_branch=config.edit_branch,
            edit_base=config.edit_base,
            language=config.language,
        )
        renderer = site_renderer(
            site.dataset,
            self.project.root,
            settings,
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
    with _standard_output_kept() as kept:
        try:
            zensical.build(str(config_file.resolve()), {"clean": False, "strict": True})
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a strict build's RuntimeError, a configuration error, a panic
            failure = exc
    messages = _COLOUR.sub("", kept()).strip()
    if messages:
        print(messages, file=sys.stderr)
    if isinstance(failure, RuntimeError) and "strict" in str(failure):
        raise BuildError("zensical: aborted in strict mode on the warnings above; the previous site is untouched")
    if failure is not None:
        raise BuildError(f"zensical: {failure}; the previous site is untouched") from None


@contextlib.contextmanager
def _standard_output_kept() -> Iterator[Callable[[], str]]:
    """What the process writes to its standard output and error meanwhile (Zensical writes there from
    Rust, past ``sys.stdout`` and ``sys.stderr``), kept instead of shown: the text, once done."""
    kept: list[str] = []
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as file:
        saved = [(fd, os.dup(fd)) for fd in (1, 2)]
        try:
            for fd, _ in saved:
                os.dup2(file.fileno(), fd)
            yield lambda: "".join(kept)
        finally:
            for fd, copy in saved:
                os.dup2(copy, fd)
                os.close(copy)
            file.seek(0)
            kept.append(file.read().decode("utf-8", errors="replace"))
