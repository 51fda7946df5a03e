"""Templates compiled ahead of the build by a second process change how fast a site builds, never
what it holds."""

from __future__ import annotations

import filecmp
import importlib
import importlib.resources
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, TemplateSyntaxError, meta
from mkdocs.config import load_config

from claimtrail.cache import template_cache
from claimtrail.cli import main
from claimtrail.engines.mkdocs import precompile
from claimtrail.engines.mkdocs.plugin import start_compiling_templates
from claimtrail.settings import Settings
from claimtrail.site.render import template_environment

from .sitebuild import build

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="no fork here"),
    pytest.mark.usefixtures("only_this_tests_threads"),
]

PAGE = '{% extends "base.html" %}{% block body %}{% include "row.html" %}{% endblock %}'
BASE = "<main>{% block body %}{% endblock %}</main>{% include 'footer-' ~ name ~ '.html' %}"


@pytest.fixture(autouse=True)
def _no_template_cache_and_no_worker_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing from the session's template cache (builds run here take their settings from the
    environment): what a build takes comes from the worker alone. No worker outlives its test."""
    monkeypatch.setenv("CLAIMTRAIL_NO_CACHE", "1")
    monkeypatch.delenv("CLAIMTRAIL_JOBS", raising=False)
    yield
    for stream in _STARTED:
        stream.forget()
    _STARTED.clear()


_STARTED: list[precompile.CompiledStream] = []


def _start(work: precompile.Work, cache_folder: Path | None = None) -> precompile.CompiledStream:
    """A worker compiling ``work`` (with two processes, as on a machine with two cores)."""
    stream = precompile.start(work, workers=2, cache_folder=cache_folder)
    assert stream is not None
    _STARTED.append(stream)
    return stream


def _templates(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "base.html").write_text(BASE, encoding="utf-8")
    (folder / "row.html").write_text("<p>{{ text | upper }}</p>", encoding="utf-8")
    (folder / "footer-a.html").write_text("<footer>{{ name }}</footer>", encoding="utf-8")
    (folder / "unused.html").write_text("never named", encoding="utf-8")
    return folder


def _env(folder: Path, **filters: object) -> Environment:
    env = Environment(loader=FileSystemLoader(folder), autoescape=True)
    env.filters.update(filters)
    return env


def _rendered(env: Environment) -> str:
    return env.get_template("page.html").render(text="hello", name="a")


def test_a_template_is_found_before_those_it_names_depth_first(tmp_path: Path) -> None:
    env = _env(_templates(tmp_path))
    names = [name for name, *_ in precompile.in_rendering_order(env, ["page.html"])]
    # base.html's footer is named by an expression, known only when rendering; unused.html by nobody
    assert names == ["page.html", "base.html", "row.html"]


def test_the_templates_named_are_those_jinja_finds_when_it_parses_material_and_claimtrail() -> None:
    material = Path(importlib.import_module("material").__file__ or "").parent / "templates"
    overrides = importlib.resources.files("claimtrail.engines.mkdocs") / "overrides"
    environments = [Environment(loader=FileSystemLoader([str(overrides), material])), template_environment()]
    compared = 0
    for env in environments:
        for name in env.list_templates(filter_func=lambda name: name.endswith((".html", ".xml"))):
            text, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            parsed = [found for found in meta.find_referenced_templates(env.parse(text)) if found is not None]
            assert precompile.named_templates(env, text, name, filename) == parsed, name
            compared += 1
    assert compared > 100


def _spied(env: Environment) -> list[str]:
    """The names of the templates ``env`` compiles itself from now on."""
    compiled: list[str] = []
    compile_here = env.compile

    def compile_and_note(source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(name or "")
        return compile_here(source, name, *args, **kwargs)

    env.compile = compile_and_note  # type: ignore[method-assign]
    return compiled


def _taking(env: Environment, stream: precompile.CompiledStream, cache_folder: Path | None = None) -> list[str]:
    """``env`` set to take what the worker compiled (and the template cache in ``cache_folder``, if
    any); the names of what it compiles itself."""
    env.bytecode_cache = template_cache(cache_folder, stream.take)
    return _spied(env)


def test_the_build_takes_what_the_worker_compiled_and_renders_the_same(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    stream = _start([(_env(folder), ["page.html"])])
    stream.wait()
    env = _env(folder)
    compiled_here = _taking(env, stream)
    assert _rendered(env) == _rendered(_env(folder)) == "<main><p>HELLO</p></main><footer>a</footer>"
    assert compiled_here == ["footer-a.html"]  # named by an expression: only rendering knows it


def test_the_worker_compiles_on_while_the_build_reads_nothing(tmp_path: Path) -> None:
    folder = _templates(tmp_path / "templates")
    names = [f"row-{number}.html" for number in range(200)]
    for name in names:  # far more compiled code than a pipe holds
        (folder / name).write_text("<p>{{ text | upper }}</p>" * 40, encoding="utf-8")
    kept = tmp_path / "cache" / "templates"
    stream = _start([(_env(folder), names)], kept)
    deadline = time.monotonic() + 120
    while len(list(kept.glob("*.cache"))) < len(names):  # each one is kept on disk once compiled
        assert time.monotonic() < deadline, "the worker waits for the build to read"
        time.sleep(0.05)
    env = _env(folder)
    compiled_here = _taking(env, stream, kept)
    for name in names:
        env.get_template(name)
    assert compiled_here == []


def test_what_the_worker_compiled_is_kept_in_the_template_cache_for_the_next_build(tmp_path: Path) -> None:
    folder = _templates(tmp_path / "templates")
    kept = tmp_path / "cache" / "templates"
    stream = _start([(_env(folder), ["page.html"])], kept)
    stream.wait()
    stream.forget()
    env = _env(folder)
    env.bytecode_cache = template_cache(kept)
    compiled_here = _spied(env)
    env.get_template("page.html")
    env.get_template("row.html")
    assert compiled_here == []


def test_code_compiled_with_other_filters_is_not_taken(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    stream = _start([(_env(folder), ["page.html"])])
    stream.wait()
    env = _env(folder, upper=lambda text: f"[{text}]")
    compiled_here = _taking(env, stream)
    assert _rendered(env) == "<main><p>[hello]</p></main><footer>a</footer>"
    assert sorted(compiled_here) == ["base.html", "footer-a.html", "page.html", "row.html"]


def _shout() -> Callable[[str], str]:
    def shout(text: str) -> str:
        return text.upper() + "!"

    return shout


def test_code_compiled_with_another_function_of_the_same_description_is_not_taken(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    stream = _start([(_env(folder, upper=_shout()), ["page.html"])])
    stream.wait()
    env = _env(folder, upper=_shout())  # the same name, module and code: another function all the same
    compiled_here = _taking(env, stream)
    assert _rendered(env) == "<main><p>HELLO!</p></main><footer>a</footer>"
    assert sorted(compiled_here) == ["base.html", "footer-a.html", "page.html", "row.html"]


def test_a_template_changed_since_the_worker_compiled_it_is_compiled_again(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    stream = _start([(_env(folder), ["page.html"])])
    stream.wait()
    (folder / "row.html").write_text("<p>{{ text }} again</p>", encoding="utf-8")
    env = _env(folder)
    compiled_here = _taking(env, stream)
    assert _rendered(env) == "<main><p>hello again</p></main><footer>a</footer>"
    assert sorted(compiled_here) == ["footer-a.html", "row.html"]


def test_a_template_that_does_not_parse_is_left_to_the_build_which_reports_its_line(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    (folder / "row.html").write_text("<p>\n{% if text %}never closed", encoding="utf-8")
    stream = _start([(_env(folder), ["page.html"])])
    stream.wait()
    env = _env(folder)
    env.bytecode_cache = template_cache(None, stream.take)
    with pytest.raises(TemplateSyntaxError) as raised:
        _rendered(env)
    assert raised.value.name == "row.html" and raised.value.lineno == 2


def test_a_template_that_cannot_be_read_is_left_to_the_build_and_the_others_still_come(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    (folder / "row.html").write_bytes(b"<p>\xff not UTF-8</p>")
    stream = _start([(_env(folder), ["page.html"])])
    stream.wait()
    env = _env(folder)
    compiled_here = _taking(env, stream)
    env.get_template("page.html")
    env.get_template("base.html")
    assert compiled_here == []
    with pytest.raises(UnicodeDecodeError):
        env.get_template("row.html")


def test_when_the_worker_dies_the_build_compiles_the_rest_itself_each_once(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    stream = _start([(_env(folder), ["page.html"])])
    assert stream.pid is not None
    pid = stream.pid
    os.kill(pid, signal.SIGKILL)
    taken: list[str] = []
    take = stream.take

    def take_and_note(key: str) -> bytes | None:
        code = take(key)
        if code is not None:
            taken.append(key)
        return code

    stream.take = take_and_note  # type: ignore[method-assign]
    env = _env(folder)
    compiled_here = _taking(env, stream)
    assert _rendered(env) == "<main><p>HELLO</p></main><footer>a</footer>"
    assert len(compiled_here) == len(set(compiled_here)) == 4 - len(taken)
    stream.forget()
    with pytest.raises(ChildProcessError):  # reaped: no process is left behind
        os.waitpid(pid, os.WNOHANG)


def test_no_worker_with_one_process(tmp_path: Path) -> None:
    assert precompile.start([(_env(_templates(tmp_path)), ["page.html"])], workers=1) is None
    assert template_cache(None, None) is None  # and, with the cache off, no cache at all


def test_no_worker_when_turned_off(minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(precompile, "start", lambda *args, **kwargs: started.append(args))
    monkeypatch.setenv("CLAIMTRAIL_WITHOUT", "template-worker")
    assert main(["build", "--root", str(minimal_project), "--site-dir", str(tmp_path / "site")]) == 0
    assert started == []


def test_a_site_built_with_the_templates_the_worker_compiled_is_the_site_built_without(
    minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = build(minimal_project, tmp_path / "alone", env={"CLAIMTRAIL_JOBS": "1", "CLAIMTRAIL_NO_CACHE": "1"})
    assert alone.returncode == 0, alone.stderr
    start = precompile.start

    def start_and_wait(work: precompile.Work, **settings: Any) -> precompile.CompiledStream | None:
        stream = start(work, **settings)
        if stream is not None:  # the worker is done before the build begins
            stream.wait()
        return stream

    compiled_here: list[str] = []
    compile_here = Environment.compile

    def compile_and_note(env: Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if env.bytecode_cache is not None:  # the build's (Material's search plugin makes its own too)
            compiled_here.append(name or "")
        return compile_here(env, source, name, *args, **kwargs)

    monkeypatch.setattr(precompile, "start", start_and_wait)
    monkeypatch.setattr(Environment, "compile", compile_and_note)
    assert main(["build", "--root", str(minimal_project), "--site-dir", str(tmp_path / "together")]) == 0
    # Here only the icons Material's templates name by an expression, known only when rendering
    assert compiled_here and all(name.startswith(".icons/") for name in compiled_here), compiled_here
    compared = filecmp.dircmp(tmp_path / "alone", tmp_path / "together")
    assert _differences(compared) == []


def _differences(compared: filecmp.dircmp[str]) -> list[str]:
    found = [*compared.left_only, *compared.right_only, *compared.diff_files, *compared.funny_files]
    _, mismatch, errors = filecmp.cmpfiles(compared.left, compared.right, compared.common_files, shallow=False)
    found += mismatch + errors
    for sub in compared.subdirs.values():
        found += _differences(sub)
    return found


def test_a_build_stopped_by_the_datasets_errors_leaves_no_worker_behind(
    minimal_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = minimal_project / "claims" / "claims" / "widget-defects-fell.yaml"
    claim.write_text(claim.read_text().replace("claimant: widgets-inc", "claimant: nobody"))
    workers: list[int] = []
    start = precompile.start

    def start_and_note(work: precompile.Work, **settings: Any) -> precompile.CompiledStream | None:
        stream = start(work, **settings)
        if stream is not None and stream.pid is not None:
            workers.append(stream.pid)
        return stream

    monkeypatch.setattr(precompile, "start", start_and_note)
    assert main(["build", "--root", str(minimal_project), "--site-dir", str(tmp_path / "site")]) == 1
    assert len(workers) == 1
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(workers[0], os.WNOHANG)


def test_starting_the_worker_leaves_the_site_configuration_as_it_is(minimal_project: Path) -> None:
    config = load_config(config_file=str(minimal_project / "mkdocs.yml"))
    dirs = list(config.theme.dirs)
    stream = start_compiling_templates(config, Settings(jobs=2))
    assert stream is not None
    _STARTED.append(stream)
    assert config.theme.dirs == dirs  # the overrides go in where the plugin's on_config puts them
