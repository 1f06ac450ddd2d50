"""Plays the fault workload against a running stack (its configuration from the environment) and prints the
outcome as JSON: `python -m tests.fault.driver FILE`. The same player as `cadre scenario run`, with more patience
per call: a fault may keep an API away longer than the player's default retries (about 9 s) allow."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from rich.console import Console

from cli.scenario import client
from cli.scenario.loader import load
from cli.scenario.runner import ScenarioFailed, play
from shared.config import Settings

RETRIES = 20  # 0.3 s doubling to 5 s: about 90 s of retries per call (a whole embedded stack restarting)


class PatientApi(client.Api):
    """The player's API client, retrying transport errors and gateway answers for about 90 s."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["retries"] = RETRIES
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def main(path: str) -> int:
    import cli.scenario.runner as runner

    runner.Api = PatientApi  # type: ignore[misc]
    err = Console(stderr=True, soft_wrap=True)
    try:
        out = asyncio.run(play(load(Path(path)), Settings(), console=err, verify_audit=False))
    except ScenarioFailed as exc:
        err.print(f"scenario stopped at {exc}", markup=False)
        return 1
    sys.stdout.write(json.dumps(out, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
