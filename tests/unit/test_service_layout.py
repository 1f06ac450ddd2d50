"""Every service follows the one layout written in docs/architecture.md ("Service layout"): the test reads that
table, so the documented layout and the checked one cannot drift apart."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
DOC = ROOT / "docs" / "architecture.md"
EVENT_SCHEMAS = ROOT / "shared" / "events" / "schemas"

# Names that say "everything else goes here": a use case or router module must be named after what it does.
CATCH_ALL = frozenset({"common", "utils", "util", "helpers", "helper", "misc", "base", "core", "shared", "general",
                       "lib", "tools", "stuff", "all", "api", "routes", "service", "services", "main"})
# What a pure rule may not import: the database, the web, Temporal, the brokers, HTTP clients.
IMPURE = ("sqlalchemy", "fastapi", "starlette", "temporalio", "httpx", "kafka", "aiosqlite", "asyncpg", "uvicorn")
# The layers a domain/ module may not reach into (its own service's I/O side).
NOT_FROM_DOMAIN = ("models", "api", "service", "adapters", "deps", "main", "activities", "consumers")


@dataclass(frozen=True)
class Entry:
    name: str  # "api" for a package (written `api/`), "main.py" for a module
    package: bool
    required: bool


def documented_layout(text: str) -> dict[str, Entry]:
    """The table under "## Service layout": entry, what goes there, required/optional."""
    section = re.search(r"^## Service layout\n(.*?)(?=^## )", text, re.S | re.M)
    if section is None:
        raise AssertionError("docs/architecture.md has no '## Service layout' section")
    entries: dict[str, Entry] = {}
    for line in section.group(1).splitlines():
        row = re.match(r"^\|\s*`([^`]+)`\s*\|.*\|\s*(required|optional)\s*\|\s*$", line)
        if row:
            raw, kind = row.groups()
            name = raw.rstrip("/")
            entries[name] = Entry(name=name, package=raw.endswith("/"), required=kind == "required")
    if not entries:
        raise AssertionError("the '## Service layout' table of docs/architecture.md has no rows")
    return entries


LAYOUT = documented_layout(DOC.read_text(encoding="utf-8"))
SERVICE_DIRS = sorted(p for p in SERVICES.iterdir() if p.is_dir() and p.name != "__pycache__")


def _stale(path: Path) -> bool:
    """A directory left holding only bytecode after its modules moved (absent from a clone)."""
    return path.is_dir() and all(p.name == "__pycache__" for p in path.iterdir())


def _top_level(service: Path) -> dict[str, bool]:
    """Each top-level entry of a service and whether it is a directory."""
    return {p.name: p.is_dir() for p in service.iterdir() if p.name != "__pycache__" and not _stale(p)}


def _modules(package: Path) -> list[Path]:
    return sorted(p for p in package.glob("*.py") if p.name != "__init__.py")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _routers(tree: ast.Module) -> list[str]:
    """Module-level names bound to an ``APIRouter(...)``."""
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            func = node.value.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called == "APIRouter":
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def _only_docstring(tree: ast.Module) -> bool:
    body = [n for n in tree.body if not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    return all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def test_the_documented_layout_names_the_issue_s_entries() -> None:
    """The table is the one the services follow: a composition root, routers, use cases, rules, migrations."""
    required = {e.name for e in LAYOUT.values() if e.required}
    assert {"main.py", "api", "deps.py", "schemas.py", "models.py", "service", "activities.py", "events.py",
            "domain", "migrations"} <= required
    assert {"pages", "templates", "static"} <= {e.name for e in LAYOUT.values() if not e.required}
    assert LAYOUT["api"].package and LAYOUT["service"].package and LAYOUT["domain"].package
    assert len(SERVICE_DIRS) == 4, [p.name for p in SERVICE_DIRS]


@pytest.mark.parametrize("service", SERVICE_DIRS, ids=lambda p: p.name)
def test_every_required_entry_is_there_and_nothing_else(service: Path) -> None:
    present = _top_level(service)
    missing = [e.name + ("/" if e.package else "") for e in LAYOUT.values() if e.required and e.name not in present]
    unnamed = sorted(name for name in present if name not in LAYOUT)
    wrong_kind = sorted(name for name, is_dir in present.items()
                        if name in LAYOUT and LAYOUT[name].package != is_dir)
    assert (missing, unnamed, wrong_kind) == ([], [], []), (
        f"{service.name}: missing {missing}, not in the layout {unnamed}, file/package mixed up {wrong_kind} "
        "(docs/architecture.md, 'Service layout')")


@pytest.mark.parametrize("service", SERVICE_DIRS, ids=lambda p: p.name)
def test_api_is_one_router_module_per_use_case(service: Path) -> None:
    api = service / "api"
    assert (api / "__init__.py").is_file(), f"{service.name}/api is not a package"
    init = _tree(api / "__init__.py")
    assert _only_docstring(init), f"{service.name}/api/__init__.py holds code: routes go in api/<use_case>.py"
    assert not [p for p in api.iterdir() if p.is_dir() and p.name != "__pycache__"], "api/ is flat"
    modules = _modules(api)
    assert modules, f"{service.name}/api has no router module"
    problems = []
    for module in modules:
        routers = _routers(_tree(module))
        if module.stem in CATCH_ALL:
            problems.append(f"{module.name}: a catch-all name; name it after its use case")
        if len(routers) != 1:
            problems.append(f"{module.name}: {len(routers)} routers (one router module per use case)")
    assert not problems, f"{service.name}/api: {problems}"


@pytest.mark.parametrize("service", SERVICE_DIRS, ids=lambda p: p.name)
def test_service_is_one_module_per_use_case(service: Path) -> None:
    package = service / "service"
    assert (package / "__init__.py").is_file(), f"{service.name}/service is not a package"
    assert _only_docstring(_tree(package / "__init__.py")), f"{service.name}/service/__init__.py holds code"
    assert not [p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"], "service/ is flat"
    problems = []
    for module in _modules(package):
        tree = _tree(module)
        defined = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        public = [n.name for n in tree.body if isinstance(n, defined) and not n.name.startswith("_")]
        if module.stem in CATCH_ALL:
            problems.append(f"{module.name}: a catch-all name; name it after its use case")
        if _routers(tree):
            problems.append(f"{module.name}: defines a router (routes go in api/)")
        if not public:
            problems.append(f"{module.name}: no public function or class")
    assert not problems, f"{service.name}/service: {problems}"


@pytest.mark.parametrize("service", SERVICE_DIRS, ids=lambda p: p.name)
def test_domain_is_pure(service: Path) -> None:
    own = f"services.{service.name}."
    problems = []
    for module in sorted((service / "domain").rglob("*.py")):
        for node in ast.walk(_tree(module)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                layer = name[len(own):].split(".")[0] if name.startswith(own) else ""
                if name.split(".")[0] in IMPURE or layer in NOT_FROM_DOMAIN:
                    problems.append(f"{module.relative_to(service)} imports {name}")
    assert not problems, f"{service.name}/domain must be pure rules: {problems}"


def _event_types() -> set[str]:
    return {p.stem for p in EVENT_SCHEMAS.glob("*.json") if not p.stem.startswith("_")}


def _published(service: Path) -> dict[str, str]:
    tree = _tree(service / "events.py")
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "PUBLISHES":
            assert node.value is not None
            value = ast.literal_eval(node.value)
            assert isinstance(value, dict)
            return value
    raise AssertionError(f"{service.name}/events.py defines no PUBLISHES")


def _named_in_code(service: Path, known: set[str]) -> set[str]:
    """Event types the service's code names (emits), outside its consumers (which name others' events)."""
    found = set()
    for module in service.rglob("*.py"):
        rel = module.relative_to(service)
        if rel.parts[0] == "migrations" or rel.name in ("events.py", "consumers.py"):
            continue
        for node in ast.walk(_tree(module)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in known:
                found.add(node.value)
    return found


@pytest.mark.parametrize("service", SERVICE_DIRS, ids=lambda p: p.name)
def test_events_lists_exactly_what_the_service_emits(service: Path) -> None:
    known = _event_types()
    published = set(_published(service))
    assert published - known == set(), f"{service.name}/events.py lists types without a schema"
    for event_type in published:
        schema = json.loads((EVENT_SCHEMAS / f"{event_type}.json").read_text(encoding="utf-8"))
        assert schema.get("type") == "object", event_type
    assert published == _named_in_code(service, known), f"{service.name}/events.py and its code disagree"


def test_no_event_type_is_published_by_two_services() -> None:
    seen: dict[str, str] = {}
    for service in SERVICE_DIRS:
        for event_type in _published(service):
            assert event_type not in seen, f"{event_type}: published by {seen[event_type]} and {service.name}"
            seen[event_type] = service.name
