"""structlog JSON logging; contextvars carry request id, workflow id and actor."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_PERSONAL_ID = re.compile(r"(?<!\d)(\d{9})(\d{3})(?!\d)")


def mask_personal_ids(text: str) -> str:
    """Mask every 12-digit number so a personal identification number never reaches a log line."""
    return _PERSONAL_ID.sub(lambda m: "*" * 9 + m.group(2), text)


def _mask(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = mask_personal_ids(value)
    return event_dict


def configure_logging(level: str = "INFO", *, process: str = "cadre") -> None:
    """Configure structlog and the standard library to emit one JSON object a line on stderr."""
    logging.basicConfig(stream=sys.stderr, level=level.upper(), format="%(message)s", force=True)
    for noisy in ("kafka", "aiosqlite", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _mask,
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(process=process)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A named structured logger."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]
