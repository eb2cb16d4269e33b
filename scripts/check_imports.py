"""Import cycles among the modules of ``src/chokepoints`` (module-level imports only).

Usage: ``python scripts/check_imports.py [SRC_DIR] [--all]`` prints the cycles found and exits 1
if there is any, 0 otherwise. ``--all`` also counts imports inside functions (deferred imports
cannot fail at load time, so that view only reports, it never fails).

The graph is read with :mod:`ast`, nothing is imported. An edge A -> B means that executing
module A at import time imports B: an ``import``/``from ... import`` statement at module
level (also inside module-level ``if``/``try``/``with`` blocks), not one inside a function or
class body and not one under ``if TYPE_CHECKING:`` (never executed). ``from pkg import name``
points at ``pkg.name`` when that is a module, else at ``pkg``. Importing ``a.b.c`` also runs
the packages ``a.b`` and ``a``, so an edge goes to each of those too, except to the importer's
own parent packages (a package's ``__init__`` always runs before its submodules; counting that
would make every package a cycle). A module that names its own parent package in an import
(``from . import x`` where ``x`` is not a submodule) does get that edge.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT_PACKAGE = "chokepoints"


def module_files(src: Path, package: str = ROOT_PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``src/package``."""
    out = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _all_imports(tree: ast.Module):
    """Every import statement of the file, also those inside functions (the ``--all`` view)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _module_level_imports(body: list[ast.stmt]):
    """Import statements executed when the module runs (functions and classes are skipped)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                yield from _module_level_imports(block)
        elif isinstance(node, ast.With):
            yield from _module_level_imports(node.body)


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(src: Path, package: str = ROOT_PACKAGE, include_functions: bool = False) -> dict[str, set[str]]:
    """Module -> the package modules it imports at module level (see the module docstring);
    ``include_functions`` also counts imports inside functions (deferred, so not a load-time cycle)."""
    files = module_files(src, package)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_pkg = path.name == "__init__.py"
        here = name if is_pkg else name.rpartition(".")[0]  # the package relative imports start from
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        nodes = _all_imports(tree) if include_functions else _module_level_imports(tree.body)
        for node in nodes:
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            if node.level:
                base_parts = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in files else base)
        own = set(_ancestors(name))
        for t in targets:
            if t not in files:
                continue
            if t != name:
                graph[name].add(t)
            graph[name].update(m for m in _ancestors(t) if m in files and m != name and m not in own)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if a != "--all"]
    every = "--all" in argv[1:]
    src = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "src"
    graph = import_graph(src, include_functions=every)
    cycles = find_cycles(graph)
    edges = sum(len(v) for v in graph.values())
    kind = "import (also inside functions)" if every else "module-level import"
    print(f"{len(graph)} modules, {edges} {kind} edges, {len(cycles)} cycle(s)")
    for comp in cycles:
        print("cycle: " + " <-> ".join(comp))
    return 1 if cycles and not every else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
