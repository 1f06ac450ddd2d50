"""Polling for an outcome that arrives asynchronously (events, workflows), with a clear message on time-out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(pred: Callable[[], T | None], *, timeout: float = 30.0, what: str = "condition",
             interval: float = 0.25) -> T:
    """Call pred until it returns something truthy; return that, or fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
