"""Fail when a tracked file names an absolute path that exists on one machine only (part of `make lint`).

A fresh clone lives anywhere: a test or a script that names `/work/...`, `/home/<user>/...` or `/root/...` passes
where it was written and fails everywhere else. System locations (`/usr/bin/chromium`, `/tmp`, `/proc`) are fine.

    python scripts/check_machine_paths.py        exit 1 and one line per hit, or exit 0
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MACHINE_PATH = re.compile(
    r"(?<![\w.~$-])("
    r"/work/[\w.-]+"            # this workplace's checkouts and development files
    r"|/home/[\w.-]+/"          # a user's home
    r"|/root/[\w.-]+"           # root's home (pyenv, caches)
    r"|/Users/[\w.-]+/"         # macOS homes
    r"|[A-Za-z]:\\\\Users\\\\"  # Windows homes
    r")"
)
SKIP_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".xlsx", ".pdf", ".woff", ".woff2", ".lock"}


def tracked_files(root: Path) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True).stdout
    return [root / name for name in out.decode().split("\0") if name]


def hits(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    return [(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1) for m in MACHINE_PATH.finditer(line)]


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    me = Path(__file__).resolve()
    found = 0
    for path in tracked_files(root):
        if path.suffix in SKIP_SUFFIXES or path.resolve() == me or not path.is_file():
            continue
        for n, what in hits(path):
            print(f"{path.relative_to(root)}:{n}: machine path {what!r} (use a path relative to the repo, "
                  "tests/support/tools.py, or an environment variable)")
            found += 1
    if found:
        print(f"check_machine_paths: {found} absolute machine path(s) in tracked files", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
