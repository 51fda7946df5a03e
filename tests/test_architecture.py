"""The layers as the folders show them: no import cycle (imports for the type checker included), no
module importing a higher layer, the environment read at the edge only, and a site layer that
imports no site engine."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "claimledger"
# The only modules that read the environment: the command line, and the MkDocs plugin and build,
# which are the edge when MkDocs runs the plugin on its own, and pin what MkDocs reads.
EDGES = {"claimledger/cli.py", "claimledger/engines/mkdocs/plugin.py", "claimledger/engines/mkdocs/engine.py"}
ENGINE_PACKAGES = ("mkdocs", "material", "properdocs", "zensical")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import, those under ``if TYPE_CHECKING:`` too: a cycle the type checker needs is a cycle."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The claimledger modules ``module`` imports."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names] + [target]
        for name in names:
            while name and name not in known:  # `from . import x` names a module or something in one
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def test_claimledger_has_no_import_cycle() -> None:
    modules = _modules()
    graph = {name: _imported(name, path, set(modules)) for name, path in modules.items()}
    # A package imports its __init__ first: a module importing its own package is no cycle of ours.
    graph = {
        name: {other for other in imported if not name.startswith(other + ".")} for name, imported in graph.items()
    }
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        path.append(name)
        for other in sorted(graph[name]):
            visit(other)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert len(done) > 40


# The layers, lowest first: a module may import its own layer and lower ones only. The root basics
# (findings and rules import nothing of ours; settings and distribution) may be imported from anywhere.
LAYERS = (
    "claimledger.record",
    "claimledger.checks",
    "claimledger.exports",
    "claimledger.site",
    "claimledger.engines",
    "claimledger.tools",
    ("claimledger.cli", "claimledger.__main__"),
)
BASICS = {
    "claimledger",
    "claimledger.findings",
    "claimledger.rules",
    "claimledger.settings",
    "claimledger.distribution",
}


def _layer(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        for prefix in (layer,) if isinstance(layer, str) else layer:
            if module == prefix or module.startswith(prefix + "."):
                return index
    return None


def test_the_root_basics_import_nothing_of_ours() -> None:
    modules = _modules()
    for name in ("claimledger.findings", "claimledger.rules"):
        assert _imported(name, modules[name], set(modules)) == set(), name


def test_no_module_imports_a_higher_layer() -> None:
    modules = _modules()
    upward = []
    for name, path in modules.items():
        layer = _layer(name)
        if layer is None:
            assert name in BASICS, f"{name} is in no layer"
            continue
        for other in sorted(_imported(name, path, set(modules))):
            if other not in BASICS and (_layer(other) or 0) > layer:
                upward.append(f"{name} -> {other}")
    assert upward == []


@pytest.mark.parametrize("module", sorted(set(_modules()) - {"claimledger.__main__"}))
def test_every_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_the_environment_is_read_at_the_edge_only() -> None:
    readers = sorted(
        path.relative_to(REPO).as_posix()
        for path in _modules().values()
        if "os.environ" in path.read_text(encoding="utf-8") or "getenv" in path.read_text(encoding="utf-8")
    )
    assert set(readers) <= EDGES, readers


def test_only_the_engines_and_the_command_line_import_a_site_engine() -> None:
    modules = _modules()
    for name, path in modules.items():
        if name.startswith("claimledger.engines.") or name == "claimledger.cli":
            continue
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            assert not any(t.partition(".")[0] in ENGINE_PACKAGES for t in targets), (name, targets)
