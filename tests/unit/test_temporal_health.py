"""Temporal readiness does not flap: one failed health call (an idle connection the server just closed, a slow
moment of a loaded machine) is retried before readiness says Temporal is unreachable; a server that stays down is
still reported."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from shared import temporal


class _Health:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[dict[str, Any]] = []

    async def check_health(self, *, retry: bool, timeout: timedelta) -> bool:
        self.calls.append({"retry": retry, "timeout": timeout})
        if len(self.calls) <= self.failures:
            raise RuntimeError("transport error: connection reset (GOAWAY)")
        return True


async def test_one_failed_call_is_not_unreachable() -> None:
    health = _Health(failures=1)
    assert await temporal.healthy(SimpleNamespace(service_client=health))  # type: ignore[arg-type]
    assert len(health.calls) == 2 and all(c["retry"] for c in health.calls)


async def test_a_server_that_stays_down_is_reported() -> None:
    health = _Health(failures=10)
    assert not await temporal.healthy(SimpleNamespace(service_client=health))  # type: ignore[arg-type]


def test_the_attempts_fit_in_the_readiness_timeout() -> None:
    from shared.web import READINESS_TIMEOUT

    assert READINESS_TIMEOUT > 2 * 1.5
