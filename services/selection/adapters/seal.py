"""Sealing a ballot between its cast and the conference's close.

A cast must be durable, and it marks its token used in the same commit; the names on the ballot must not be
readable from that commit (the SQLite WAL, PostgreSQL's row versions, a backup taken during the vote). So the
cast stores them only sealed: AES-256-GCM under a per-conference key derived (HKDF-SHA256) from the service's
secret, which no database holds, padded to one length per conference so the ciphertext's size does not tell how
many names a ballot carries. The close unseals every ballot, writes them as one shuffled batch and deletes the
sealed rows. Whoever holds both the service's secret and a copy of the database taken during the vote can still
unseal: docs/security.md, "Ballot secrecy", says so.
"""

from __future__ import annotations

import json
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.config import Settings

_INFO = b"cadreflow selection ballot seal v1"
_NONCE = 12
_NAME = 36  # a candidate id is a UUID's text


def conference_key(settings: Settings, conference_id: str) -> bytes:
    """The conference's sealing key: derived from the service's secret, never stored."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=conference_id.encode("utf-8"), info=_INFO)
    return hkdf.derive(settings.jwt_secret.get_secret_value().encode("utf-8"))


def sealed_length(max_names: int) -> int:
    """The plaintext length every ballot of a conference is padded to (a JSON list of at most ``max_names``
    candidate ids)."""
    return 2 + max_names * (_NAME + 3)


def seal(key: bytes, conference_id: str, names: list[str], *, max_names: int) -> bytes:
    """A ballot's names, sealed (nonce ‖ ciphertext), bound to its conference."""
    text = json.dumps(sorted(names), separators=(",", ":")).encode("utf-8")
    size = sealed_length(max_names)
    if len(text) > size:
        raise ValueError("a ballot longer than its conference allows")
    nonce = secrets.token_bytes(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, text.ljust(size, b" "), conference_id.encode("utf-8"))


def unseal(key: bytes, conference_id: str, blob: bytes) -> list[str]:
    """The names of a sealed ballot (raises if it was sealed for another conference or altered)."""
    plain = AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], conference_id.encode("utf-8"))
    names: list[str] = json.loads(plain.decode("utf-8").rstrip(" "))
    return names
