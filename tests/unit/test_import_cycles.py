"""No import cycles between backend modules, and the callback capability builds on staff, not the reverse.

The imports are read with ``ast`` (nothing is imported), including those inside functions: a
function-level import is how a cycle hides (staff/call_routes.py and staff/phone_orders.py did
that until issue 15). ``if TYPE_CHECKING:`` blocks are skipped, they never run.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def backend_modules(root: pathlib.Path) -> dict[str, pathlib.Path]:
    modules = {}
    for path in (root / "backend").rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(name: str, path: pathlib.Path, modules: dict[str, pathlib.Path]) -> set[str]:
    """The backend modules ``name`` imports (``from pkg import mod`` counts as importing ``pkg.mod``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.add(candidate if candidate in modules else base)
    return {t for t in targets if t in modules and t != name}


def import_graph(root: pathlib.Path) -> dict[str, set[str]]:
    modules = backend_modules(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_backend_modules():
    assert cycles(import_graph(ROOT)) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path):
    package = tmp_path / "backend" / "staff"
    package.mkdir(parents=True)
    (tmp_path / "backend" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "call_routes.py").write_text("from backend.staff.phone_orders import phone_order_context\n")
    (package / "phone_orders.py").write_text(
        "def place():\n    from backend.staff.call_routes import CallController  # noqa\n")
    (package / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                      "    from backend.staff import call_routes\n")
    assert cycles(import_graph(tmp_path)) == [["backend.staff.call_routes", "backend.staff.phone_orders"]]


def test_staff_never_imports_the_areas_built_on_it():
    """backend/staff (accounts, sessions, guards, the access log) is the base of the console; the callback
    capability and the citizen look-up import it, so it must not import them back."""
    graph = import_graph(ROOT)
    back = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.startswith("backend.staff")
                  for t in targets if t.startswith(("backend.callbacks", "backend.citizens")))
    assert back == []
