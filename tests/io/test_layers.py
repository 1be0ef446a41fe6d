"""The input side keeps its layers: models imports nothing of allocator, allocator.io only
models and itself, with no import cycle and no import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted([*ROOT.glob("models/**/*.py"), *ROOT.glob("allocator/io/*.py")])


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


KNOWN = {_module(p) for p in MODULES}
#: allocator.io.output writes a run's results, typed by the engine's RunResult until that is a
#: model (models/result.py, another change).


def _imports(tree: ast.AST) -> list[str]:
    """The modules imported (``from package import module`` names the module)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            found = [s for s in subs if s in KNOWN]
            names.extend(found if len(found) == len(subs) else [node.module, *found])
    return names


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("allocator", "models")


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_imports_point_down(path: Path) -> None:
    module = _module(path)
    allowed = ("models",) if module.startswith("models") else ("models", "allocator.io")
    for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if _ours(name):
            assert name.startswith(allowed), f"{module} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_no_import_inside_a_function(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
            assert not inner, f"{_module(path)}.{node.name} imports inside the function"


def test_no_import_cycle() -> None:
    graph = nx.DiGraph()
    for path in MODULES:
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name in KNOWN and name != _module(path):
                graph.add_edge(_module(path), name)
    assert not list(nx.simple_cycles(graph))
