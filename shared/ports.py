"""Free loopback ports for the stacks that tests and benchmarks start on one machine (not used by the product,
whose ports are configured)."""

from __future__ import annotations

import os
import random
import socket
import time

# Ports handed out by this process. They come from below the kernel's ephemeral range
# (net.ipv4.ip_local_port_range, 32768-60999 by default), so an outgoing connection of any process (a Kafka client,
# a database pool, the Temporal dev server's internal services) can take one between the moment it is chosen and the
# moment a server binds it. A port from bind(0) is an ephemeral one, and that race made a test stack's API exit with
# "address already in use", and the idle benchmark's workflows process die six times in a row (the dev server
# held its port). The fixed ports of scripts/test.sh and scripts/bench.sh are outside this range.
_PORT_RANGE = (20000, 32000)
_HANDED_OUT: set[int] = set()
_PICKER = random.Random(os.getpid() ^ time.time_ns())


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def loopback_port(span: int = 3) -> int:
    """A loopback port no server holds, with the `span - 1` ports after it free too (the Temporal dev server binds
    its HTTP and metrics ports next to its frontend), never handed out twice in this process."""
    lo, hi = _PORT_RANGE
    for _ in range(2000):
        port = _PICKER.randrange(lo, hi - span)
        block = range(port, port + span)
        if any(p in _HANDED_OUT for p in block) or not all(_bindable(p) for p in block):
            continue
        _HANDED_OUT.update(block)
        return port
    raise RuntimeError(f"no free loopback port in {lo}-{hi}")
