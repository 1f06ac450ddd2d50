"""Clients to other services share one TLS context per process (shared.http_client): httpx otherwise loads and
parses the CA bundle for every client, 46 ms of CPU each on the 2-core machine, on every cross-service read."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared import http_client


async def test_clients_share_one_tls_context_built_at_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[ssl.SSLContext] = []
    real = httpx.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(real(*args, **kwargs))
        return built[-1]

    http_client.tls_context.cache_clear()
    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    assert built == [], "nothing is built before the first client"
    seen = []
    for n in range(3):
        if n == 1:  # from the second client on, nothing may build a context of its own
            monkeypatch.setattr(ssl, "create_default_context",
                                lambda *a, **k: pytest.fail("a client built its own TLS context"))
        async with http_client.async_client(base_url="https://registration.example", timeout=1) as client:
            seen.append(client._transport._pool._ssl_context)  # type: ignore[attr-defined]
    assert len(built) == 1 and all(ctx is built[0] for ctx in seen)
    assert built[0].verify_mode == ssl.CERT_REQUIRED and built[0].check_hostname
    http_client.tls_context.cache_clear()


def test_services_open_their_clients_through_the_helper() -> None:
    root = Path(__file__).parents[2]
    offenders = [str(p.relative_to(root)) for folder in ("services", "shared", "workflows")
                 for p in sorted((root / folder).rglob("*.py"))
                 if p.name != "http_client.py" and "httpx.AsyncClient(" in p.read_text(encoding="utf-8")]
    assert offenders == [], "open clients with shared.http_client.async_client (one TLS context a process)"
