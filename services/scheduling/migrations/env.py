"""Alembic environment of scheduling's database (run through shared.migrate)."""

from services.scheduling.models import metadata
from shared.migrate import run_env

run_env(metadata)
