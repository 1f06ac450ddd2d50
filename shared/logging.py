"""structlog JSON logging; contextvars carry request id, workflow id and actor.

No personal identification number and no credential reaches a log line: every string of every event (the
traceback's too, at any depth) is masked as the last step before rendering, tracebacks carry no frame locals (a
local can be anything: a request body, a token), and the standard library's records (uvicorn, SQLAlchemy,
temporalio) go through the same masks.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog
from structlog.tracebacks import ExceptionDictTransformer

_PERSONAL_ID = re.compile(r"(?<!\d)(\d{9})(\d{3})(?!\d)")
# a JWT (three base64url parts, the first one a JSON header: "eyJ"), and whatever follows "Bearer "
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\",;]+")
_COOKIE = re.compile(r"(?i)(cadre_token=)[^\s'\",;]+")
MASKED_CREDENTIAL = "[credential masked]"


def mask_personal_ids(text: str) -> str:
    """Mask every 12-digit number so a personal identification number never reaches a log line."""
    return _PERSONAL_ID.sub(lambda m: "*" * 9 + m.group(2), text)


def mask_credentials(text: str) -> str:
    """Replace bearer tokens, JWTs and the portal's session cookie by a marker."""
    text = _JWT.sub(MASKED_CREDENTIAL, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASKED_CREDENTIAL, text)
    return _COOKIE.sub(lambda m: m.group(1) + MASKED_CREDENTIAL, text)


def mask_text(text: str) -> str:
    """Both masks."""
    return mask_credentials(mask_personal_ids(text))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return mask_text(str(value)) if len(str(abs(value))) == 12 else value
    return mask_text(str(value))  # an object would be rendered with repr(): mask that text


def _mask(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        event_dict[key] = _masked(value)
    return event_dict


class MaskingFormatter(logging.Formatter):
    """The standard library's records (message and traceback) through the same masks."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


# Tracebacks as structured data without frame locals (they held request bodies and tokens).
dict_tracebacks = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def configure_logging(level: str = "INFO", *, process: str = "cadre", stream: TextIO | None = None) -> None:
    """Configure structlog and the standard library to emit one JSON object a line on stderr (or ``stream``)."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in ("kafka", "aiosqlite", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            dict_tracebacks,
            _mask,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(process=process)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A named structured logger."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]
