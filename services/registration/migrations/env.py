"""Alembic environment of registration's database (run through shared.migrate)."""

from services.registration.models import metadata
from shared.migrate import run_env

run_env(metadata)
