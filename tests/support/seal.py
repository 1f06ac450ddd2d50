"""The tests' portal key: trusted by every in-process worker (tests/conftest.py imports this module), handed to
every stack's processes (``key_env``), and used by tests that play the portal by sending the Update themselves."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio.testing import WorkflowEnvironment

from contracts.human_tasks import TaskDecision
from shared import seal

TEST_SIGNER = seal.Signer(Ed25519PrivateKey.generate())
seal.trust([TEST_SIGNER.public])


def key_env() -> dict[str, str]:
    """The environment that gives a stack's portal the test key and its workflow worker the public half."""
    return {"CADRE_PORTAL_SIGNING_KEY": seal.private_text(TEST_SIGNER.private),
            "CADRE_PORTAL_PUBLIC_KEYS": json.dumps([seal.public_text(TEST_SIGNER.public)])}


async def sealed(decision: TaskDecision, *, workflow_id: str, env: WorkflowEnvironment | None = None) -> TaskDecision:
    """The decision as the portal would send it, sealed at the (time-skipping) server's current time."""
    now = await env.get_current_time() if env is not None else datetime.now(UTC)
    return TEST_SIGNER.seal(decision, workflow_id=workflow_id, now=now)
