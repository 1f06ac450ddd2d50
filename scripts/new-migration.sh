#!/usr/bin/env bash
# Write a new Alembic revision for one service from the difference between its models and the current head.
# usage: scripts/new-migration.sh SERVICE "what changed"
set -euo pipefail
service=${1:?service (registration|scheduling|selection|portal)}
message=${2:?a message saying what changed}
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
.venv/bin/python - "$service" "$message" "$scratch" <<'PY'
import asyncio, sys
from shared.migrate import autogenerate, upgrade
service, message, scratch = sys.argv[1:4]
url = f"sqlite+aiosqlite:///{scratch}/{service}.db"
async def go() -> None:
    await upgrade(service, url)
    await autogenerate(service, url, message)
asyncio.run(go())
PY
