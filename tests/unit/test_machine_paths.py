"""`make lint` refuses absolute paths of one machine in tracked files (scripts/check_machine_paths.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_machine_paths", ROOT / "scripts" / "check_machine_paths.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_machine_paths_are_found_and_system_paths_are_not(tmp_path: Path) -> None:
    work, home, root = "/" + "work/main", "/" + "home/dev/", "/" + "root/.pyenv"  # split: this file is checked too
    f = tmp_path / "t.py"
    f.write_text(f'A = "{work}/.venv/bin/temporal-test-server"\n'
                 'B = "/usr/bin/chromium"\n'
                 f'C = "{home}src/x"  # and {root}/versions\n'
                 'D = "/tmp/cadreflow-test.XXXX"  E = "deploy/local/kafka.sh"\n', encoding="utf-8")
    found = _checker().hits(f)
    assert [(n, p) for n, p in found] == [(1, work), (3, home), (3, root)]


def test_the_tree_names_no_machine_path() -> None:
    checker = _checker()
    me = Path(checker.__file__).resolve()
    offending = [(p.relative_to(ROOT), checker.hits(p)) for p in checker.tracked_files(ROOT)
                 if p.is_file() and p.resolve() != me and p.suffix not in checker.SKIP_SUFFIXES and checker.hits(p)]
    assert offending == []


def test_every_test_finds_the_temporal_test_server_through_the_one_helper() -> None:
    """The Temporal test server comes from `tests.support.tools` (the installed wheel's file), never from a path a
    test works out itself (`.venv/bin/…` is where one install happens to put it)."""
    helper, needle = ROOT / "tests" / "support" / "tools.py", "test_server_" + "existing_path"  # split: not a hit
    files = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    own_way = sorted(p.relative_to(ROOT) for p in files if p != helper and needle in p.read_text(encoding="utf-8"))
    assert own_way == []
