"""What `cadre up`'s supervisor tells the others: the state of every process it runs, in a small JSON file
(`<data_dir>/supervisor.json`, its path handed to each child in CADRE_SUPERVISOR_STATE). `cadre status` and every
child's /readyz read it, so a process that is restarting, or that the supervisor gave up on, is shown as such."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "supervisor.json"
STATE_ENV = "CADRE_SUPERVISOR_STATE"


def read_state(path: Path | None) -> dict[str, dict[str, Any]]:
    """Process name → {state, pid, restarts, consecutive_failures, last_exit}; {} when no supervisor runs."""
    if path is None:
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        os.kill(int(doc["pid"]), 0)  # the supervisor that wrote it is alive
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    procs = doc.get("processes")
    return procs if isinstance(procs, dict) else {}


def state_path(data_dir: Path) -> Path:
    """Where a supervisor for this data directory keeps its state (the child's own variable first)."""
    given = os.environ.get(STATE_ENV)
    return Path(given) if given else (data_dir / STATE_FILE).resolve()


def not_running(data_dir: Path) -> dict[str, str]:
    """The supervised processes that are not running now, with what the supervisor is doing about them."""
    out = {}
    for name, st in read_state(state_path(data_dir)).items():
        if st.get("state") != "running":
            out[name] = f"{st.get('state')} ({st.get('last_exit') or 'starting'}, restarts {st.get('restarts', 0)})"
    return out
