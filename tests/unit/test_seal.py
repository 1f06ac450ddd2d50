"""The portal's seal (shared.seal): keys from settings, the statement, and the Temporal connection's guards."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.supervisor import is_loopback
from contracts.human_tasks import TaskDecision
from shared import seal
from shared.config import Settings
from shared.temporal import tls_config

DISTRIBUTED: dict[str, Any] = {"profile": "distributed", "jwt_secret": "a-test-secret-of-enough-length-0123456789"}


def _decision(**changes: object) -> TaskDecision:
    base = TaskDecision("review", "t1", "approve", {"days": 5}, "Đồng ý", "btc.nguyenvanhai", "organization_board")
    for k, v in changes.items():
        setattr(base, k, v)
    return base


def test_the_embedded_key_is_generated_once_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = seal.load_signer(settings)
    path = tmp_path / seal.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert seal.load_signer(settings).key_id == first.key_id, "the same key on every start"
    assert [seal.key_id_of(k) for k in seal.load_trusted(settings)] == [first.key_id]


def test_outside_the_embedded_profile_keys_must_be_configured(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="CADRE_PORTAL_SIGNING_KEY"):
        seal.load_signer(Settings(data_dir=tmp_path, **DISTRIBUTED))
    with pytest.raises(RuntimeError, match="CADRE_PORTAL_PUBLIC_KEYS"):
        seal.load_trusted(Settings(data_dir=tmp_path, **DISTRIBUTED))
    assert not (tmp_path / seal.KEY_FILE_NAME).exists(), "no key is generated in the distributed profile"
    key = Ed25519PrivateKey.generate()
    old = Ed25519PrivateKey.generate().public_key()
    configured = Settings(data_dir=tmp_path, portal_signing_key=seal.private_text(key),
                          portal_public_keys=[seal.public_text(key.public_key()), seal.public_text(old)],
                          **DISTRIBUTED)
    assert seal.load_signer(configured).key_id == seal.key_id_of(key.public_key())
    assert len(seal.load_trusted(configured)) == 2, "during a rotation both keys are trusted"


def test_the_statement_covers_every_field_of_the_decision() -> None:
    plain = seal.statement(_decision(), workflow_id="wf")
    assert json.loads(plain)["inputs_digest"] == seal.inputs_digest({"days": 5}, "Đồng ý")
    for changed in (_decision(action="refuse"), _decision(inputs={"days": 6}), _decision(comment=""),
                    _decision(actor_id="x"), _decision(actor_role="x"), _decision(on_behalf_of="x"),
                    _decision(actor_unit="x"), _decision(task_id="t2"), _decision(task_key="k2"),
                    _decision(dossier_digest="d"), _decision(decided_at="x"), _decision(expires_at="x")):
        assert seal.statement(changed, workflow_id="wf") != plain
    assert seal.statement(_decision(), workflow_id="wf2") != plain


def test_check_is_pure_and_refuses_what_it_should() -> None:
    signer = seal.Signer(Ed25519PrivateKey.generate())
    seal.trust([signer.public])
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    good = signer.seal(_decision(), workflow_id="wf", now=now)
    seal.check(good, workflow_id="wf", now=now + timedelta(seconds=10))
    with pytest.raises(seal.SealRefused, match="seal_expired"):
        seal.check(good, workflow_id="wf", now=now + timedelta(seconds=signer.ttl_seconds))
    with pytest.raises(seal.SealRefused, match="seal_invalid"):
        seal.check(good, workflow_id="other", now=now)
    with pytest.raises(seal.SealRefused, match="seal_missing"):
        seal.check(_decision(), workflow_id="wf", now=now)


def test_temporal_tls_and_loopback_guards(tmp_path: Path) -> None:
    assert tls_config(Settings()) is False
    for name in ("ca.pem", "c.pem", "c.key"):
        (tmp_path / name).write_text(name)
    mutual = tls_config(Settings(temporal_tls_ca=tmp_path / "ca.pem", temporal_tls_cert=tmp_path / "c.pem",
                                 temporal_tls_key=tmp_path / "c.key", temporal_tls_server_name="temporal"))
    assert mutual is not False and mutual is not True
    assert mutual.client_cert == b"c.pem" and mutual.domain == "temporal"
    with pytest.raises(RuntimeError, match="go together"):
        tls_config(Settings(temporal_tls_cert=tmp_path / "c.pem"))
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.5", "temporal", ""))
