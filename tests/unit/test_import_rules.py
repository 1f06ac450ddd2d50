"""Who may import whom (issue #15), read from the source with ``ast`` (nothing is imported):

- a service (``services.<name>``) imports only itself, ``contracts`` and ``shared`` (and third-party packages):
  never another service, never ``workflows`` nor ``cli``;
- ``workflows``, ``contracts`` and ``shared`` import no service and no ``cli``; ``contracts`` and ``shared`` import
  no ``workflows`` either (the workflows depend on the contracts, not the other way round);
- ``cli`` is the composition of the whole (``cadre up`` starts every service): it may import anything, and nothing
  imports it;
- no import cycle among these modules, counting imports inside functions too (a lazy import that closes a cycle is
  still a cycle) but not those under ``if TYPE_CHECKING:``;
- nothing with I/O reaches the workflow sandbox: the modules a workflow definition imports, transitively, import no
  database, web, broker or HTTP client library and not the process machinery (``shared.process``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "workflows", "contracts", "shared", "cli")


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for top in PACKAGES:
        for path in (root / top).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """(imported module or name, line) of every import, relative ones resolved."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".")[: len(module.split(".")) - child.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    yield f"{base}.{alias.name}", child.lineno
            stack.append(child)


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours an imported name lives in (``a.b.c`` → ``a.b.c`` if a module, else ``a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _owner(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "services" and len(parts) > 1 else parts[0]


def _allowed(importer: str, imported: str) -> bool:
    a, b = _owner(importer), _owner(imported)
    if a == b or a == "cli":
        return True
    if b == "cli":
        return False
    if a.startswith("services"):
        return b in ("contracts", "shared") or b == "services"
    if a == "workflows":
        return b in ("contracts", "shared")
    return b in ("contracts", "shared")  # contracts and shared


IO_LIBRARIES = frozenset({"sqlalchemy", "asyncpg", "psycopg", "fastapi", "starlette", "uvicorn", "kafka", "httpx",
                          "jinja2", "prometheus_client"})
IO_MODULES = frozenset({"shared.process", "shared.db", "shared.uow", "shared.context", "shared.web",
                        "shared.events.factory", "shared.events.kafka_transport", "shared.events.embedded_log"})


def external_imports(root: Path) -> dict[str, set[str]]:
    """The top-level names of the packages each of our modules imports that are not ours."""
    modules = _modules(root)
    found: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[module] = {name.split(".")[0] for name, _ in _imports(tree, module, path.name == "__init__.py")
                         if _target(name, modules) is None}
    return found


def graph(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    """The import graph among our modules and the imports the rules forbid."""
    modules = _modules(root)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    forbidden: set[str] = set()
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, line in _imports(tree, module, path.name == "__init__.py"):
            target = _target(name, modules)
            if target is None or target == module:
                continue
            if target.count(".") == 0 or (target.startswith("services") and target.count(".") == 1):
                continue  # a top package or a service package itself (an empty __init__): no edge
            edges[module].add(target)
            if not _allowed(module, target):
                forbidden.add(f"{path.relative_to(root).as_posix()}:{line} {module} → {target}")
    return edges, sorted(forbidden)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def test_services_import_only_themselves_and_nothing_imports_a_service() -> None:
    _, forbidden = graph(ROOT)
    assert forbidden == []


def test_no_import_cycle() -> None:
    edges, _ = graph(ROOT)
    assert cycles(edges) == []


def test_nothing_with_io_reaches_the_workflow_sandbox() -> None:
    edges, _ = graph(ROOT)
    external = external_imports(ROOT)
    definitions = [m for m, p in _modules(ROOT).items()
                   if m.startswith("workflows") and "@workflow.defn" in p.read_text(encoding="utf-8")]
    assert len(definitions) >= 7
    leaks = []
    for start in definitions:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        leaks += [f"{start} → {m}" for m in sorted(seen & IO_MODULES)]
        leaks += [f"{start} → {m} imports {lib}" for m in sorted(seen) for lib in sorted(external[m] & IO_LIBRARIES)]
    assert leaks == []


def test_the_checker_sees_a_forbidden_import_and_a_cycle(tmp_path: Path) -> None:
    for rel, text in {"services/a/x.py": "from services.b import y\n", "services/b/y.py": "import services.a.x\n",
                      "workflows/w.py": "from services.a.x import f\n", "shared/s.py": "from cli import main\n",
                      "cli/main.py": "from services.a import x\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    edges, forbidden = graph(tmp_path)
    assert [f.split(" ", 1)[1] for f in forbidden] == [
        "services.a.x → services.b.y", "services.b.y → services.a.x", "shared.s → cli.main",
        "workflows.w → services.a.x"]
    assert cycles(edges) == [["services.a.x", "services.b.y"]]
