"""Alembic environment of portal's database (run through shared.migrate)."""

from services.portal.models import metadata
from shared.migrate import run_env

run_env(metadata)
