"""Test-wide settings. temporalio's runtime threads can abort a normal interpreter exit (sdk-python#300),
so the session ends with os._exit after flushing, keeping pytest's own exit status."""

from __future__ import annotations

import os
import sys

import pytest

import tests.support.seal  # noqa: F401  (the tests' portal key is trusted by every in-process worker)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config._cadre_exit_status = int(exitstatus)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    status = getattr(config, "_cadre_exit_status", None)
    if status is not None and os.environ.get("CADRE_TEST_HARD_EXIT", "1") == "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
