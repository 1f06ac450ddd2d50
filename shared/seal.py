"""Completion seals: the portal signs (Ed25519) each decision it authorised; workflows verify the signature.

A decision reaches a workflow as its ``complete_task`` Update. Anyone who can reach Temporal's frontend can send
that Update; only the portal holds the private key. The seal covers a *statement* derived from the decision's
own fields — workflow id, task key, task id, actor, role, unit, on whose behalf, action, a digest of the inputs and
the comment, the digest of the dossier shown, when it was decided and when the seal expires — so a valid seal
cannot be reused with other inputs, on another task or workflow, or after it expired.

Verification is a pure computation (no I/O, no secret): the workflow's Update validator calls ``check`` with
``workflow.now()``. The public keys it trusts are set once at worker build time (``trust``) in this module-level
registry; the module is passed through the workflow sandbox, so the sandboxed validator sees the same registry.
Validators are not run again on replay (an accepted Update is in the history), so rotating keys never breaks the
replay of old histories.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from contracts.errors import DecisionRefused
from shared.timestamps import as_utc

if TYPE_CHECKING:
    from shared.config import Settings

STATEMENT_VERSION = 1
DEFAULT_TTL_SECONDS = 300
MAX_TTL_SECONDS = 900  # a seal claiming a longer life than this is refused (no long-lived approvals)
KEY_FILE_NAME = "portal-signing.key"


class Sealable(Protocol):
    """The fields of a decision the statement is made of (contracts.human_tasks.TaskDecision, which imports shared)."""

    task_key: str
    task_id: str
    action: str
    inputs: dict[str, Any]
    comment: str
    actor_id: str
    actor_role: str
    on_behalf_of: str | None
    actor_unit: str | None
    dossier_digest: str
    decided_at: str
    expires_at: str
    key_id: str
    seal: str


D = TypeVar("D", bound="Sealable")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def inputs_digest(inputs: dict[str, Any], comment: str) -> str:
    """SHA-256 over the decision's inputs and comment (canonical JSON)."""
    return hashlib.sha256(_canonical({"inputs": inputs, "comment": comment})).hexdigest()


def statement(decision: Sealable, *, workflow_id: str) -> bytes:
    """The bytes the portal signs: everything that makes this decision this decision, for this workflow."""
    return _canonical({
        "v": STATEMENT_VERSION, "workflow_id": workflow_id, "task_key": decision.task_key,
        "task_id": decision.task_id, "actor_id": decision.actor_id, "actor_role": decision.actor_role,
        "actor_unit": decision.actor_unit, "on_behalf_of": decision.on_behalf_of, "action": decision.action,
        "inputs_digest": inputs_digest(decision.inputs, decision.comment),
        "dossier_digest": decision.dossier_digest, "decided_at": decision.decided_at,
        "expires_at": decision.expires_at, "key_id": decision.key_id,
    })


def key_id_of(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key (the first 16 hex digits of the SHA-256 of its raw bytes)."""
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def public_text(public: Ed25519PublicKey) -> str:
    """A public key as configuration text (base64 of the 32 raw bytes)."""
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def parse_public(text: str) -> Ed25519PublicKey:
    """The inverse of ``public_text``."""
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))


def private_text(private: Ed25519PrivateKey) -> str:
    """A private key as configuration text (base64 of the 32 raw seed bytes)."""
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def parse_private(text: str) -> Ed25519PrivateKey:
    """The inverse of ``private_text``."""
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip(), validate=True))


@dataclass(frozen=True)
class Signer:
    """The portal's signing key."""

    private: Ed25519PrivateKey
    ttl_seconds: int = DEFAULT_TTL_SECONDS

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public)

    def seal(self, decision: D, *, workflow_id: str, now: datetime | None = None) -> D:
        """The decision with its expiry, key id and signature set."""
        moment = now or datetime.now(UTC)
        expires = (moment + timedelta(seconds=self.ttl_seconds)).isoformat(timespec="seconds")
        unsigned = replace(decision, expires_at=expires, key_id=self.key_id, seal="")  # type: ignore[type-var]
        signature = self.private.sign(statement(unsigned, workflow_id=workflow_id))
        sealed: D = replace(unsigned, seal=base64.b64encode(signature).decode("ascii"))  # type: ignore[type-var]
        return sealed


# --- the worker's registry of trusted portal keys (set at worker build time, read by validators) ---------------

_TRUSTED: dict[str, Ed25519PublicKey] = {}


def trust(keys: Iterable[Ed25519PublicKey]) -> None:
    """Add public keys the workflows accept seals from (several during a rotation)."""
    for key in keys:
        _TRUSTED[key_id_of(key)] = key


def trusted_key_ids() -> list[str]:
    """The ids of the keys trusted now."""
    return sorted(_TRUSTED)


def forget_all() -> None:
    """Trust no key (tests)."""
    _TRUSTED.clear()


class SealRefused(DecisionRefused, ValueError):
    """A decision whose seal does not hold (a stable code, English and Vietnamese text)."""

    def __init__(self, code: str, message_en: str, message_vi: str) -> None:
        super().__init__(code, message_en, message_vi)


def check(decision: Sealable, *, workflow_id: str, now: datetime) -> None:
    """Raise SealRefused unless the decision carries a valid, unexpired seal by a trusted portal key for this
    workflow. Pure: deterministic for the same decision, workflow id, time and registry."""
    if not decision.seal or not decision.key_id:
        raise SealRefused("seal_missing", "The decision is not signed by the portal",
                          "Quyết định không có chữ ký của cổng thông tin")
    key = _TRUSTED.get(decision.key_id)
    if key is None:
        raise SealRefused("seal_unknown_key", "The decision is signed by a key this process does not trust",
                          "Quyết định được ký bằng khóa không được tin cậy")
    try:
        expires = datetime.fromisoformat(decision.expires_at)
    except ValueError:
        raise SealRefused("seal_invalid", "The seal's expiry is not a time",
                          "Thời hạn của chữ ký không hợp lệ") from None
    expires, moment = as_utc(expires), as_utc(now)
    if expires <= moment:
        raise SealRefused("seal_expired", "The portal's authorisation has expired; decide again",
                          "Ủy quyền của cổng thông tin đã hết hạn; hãy thực hiện lại")
    if expires - moment > timedelta(seconds=MAX_TTL_SECONDS):
        raise SealRefused("seal_invalid", "The seal claims too long a life",
                          "Chữ ký có thời hạn quá dài")
    try:
        signature = base64.b64decode(decision.seal, validate=True)
        key.verify(signature, statement(decision, workflow_id=workflow_id))
    except (InvalidSignature, ValueError):
        raise SealRefused("seal_invalid", "The portal's signature does not match this decision",
                          "Chữ ký của cổng thông tin không khớp với quyết định này") from None


# --- where the keys come from (Settings) -------------------------------------------------------------------


def _embedded_key_file(settings: Settings) -> Path:
    return settings.portal_signing_key_file or (settings.data_dir / KEY_FILE_NAME)


def write_private_key(path: Path, private: Ed25519PrivateKey) -> None:
    """Write a private key to a new file readable by its owner only (0600 from the start); FileExistsError if the
    file is there already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(private_text(private) + "\n")


def _generate(path: Path) -> None:
    try:
        write_private_key(path, Ed25519PrivateKey.generate())
    except FileExistsError:
        pass  # another process of the stack generated it first


def load_signer(settings: Settings) -> Signer:
    """The portal's signer: from CADRE_PORTAL_SIGNING_KEY, else the key file; in the embedded profile the file is
    generated once (0600) under the data directory. Outside the embedded profile a missing key is an error."""
    if settings.portal_signing_key_text:
        return Signer(parse_private(settings.portal_signing_key_text))
    path = settings.portal_signing_key_file
    if path is None:
        if settings.profile != "embedded":
            raise RuntimeError("CADRE_PORTAL_SIGNING_KEY or CADRE_PORTAL_SIGNING_KEY_FILE must be set outside "
                               "the embedded profile")
        path = _embedded_key_file(settings)
        if not path.exists():
            _generate(path)
    return Signer(parse_private(_read_key(path)))


def _read_key(path: Path) -> str:
    # another process of the embedded stack may have created the file a moment ago and be writing it
    for _ in range(100):
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"the key file {path.name} is empty")


def load_trusted(settings: Settings) -> list[Ed25519PublicKey]:
    """The public keys a workflow worker trusts: CADRE_PORTAL_PUBLIC_KEYS; in the embedded profile without it, the
    public half of the portal's key file (same machine, same data directory)."""
    if settings.portal_public_keys:
        return [parse_public(text) for text in settings.portal_public_keys]
    if settings.profile != "embedded":
        raise RuntimeError("CADRE_PORTAL_PUBLIC_KEYS must name the portal's public key(s) outside the embedded "
                           "profile: without it no decision would be accepted")
    return [load_signer(settings).public]
