"""Alembic environment of selection's database (run through shared.migrate)."""

from services.selection.models import metadata
from shared.migrate import run_env

run_env(metadata)
