"""The one way a service opens an HTTP client to another: ``async_client``, sharing one TLS context per process.

httpx builds a fresh TLS context (the system's CA bundle loaded and parsed) for every ``AsyncClient`` unless it
is given one: 46 ms of CPU a client on the 2-core machine, paid on every cross-service read that opens its own
client (a nomination's record check, each screened nominee, each page of the portal). With the context built once
(at the first client, not at import) a client costs half a millisecond."""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context for outgoing calls (certificates verified against the default CA bundle)."""
    return httpx.create_ssl_context()


def async_client(**kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with the shared TLS context; the keyword arguments as ``httpx.AsyncClient`` takes
    them (base_url, timeout, headers, transport …)."""
    return httpx.AsyncClient(verify=tls_context(), **kwargs)
