"""Fault tests run the relay as a real process against the real broker, and stop the broker for real. The stack
fault tests (test_distributed_faults, test_embedded_faults) add a row per fault to one table, printed at the end
of the run whatever pytest's capture options are."""

from __future__ import annotations

import pytest

from tests.fault import harness


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not harness.ROWS:
        return
    terminalreporter.section("fault suite: fault, campaigns completed / started, duplicates, time to recover")
    for line in harness.table():
        terminalreporter.write_line(line)
