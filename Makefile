# Cadreflow — developer entry points.
#   make install   create .venv (if missing) and install the project with dev extras
#   make run       install, then start the whole system locally (cadre up)
#   make test      THE test command: starts PostgreSQL, Kafka, Temporal; lint; pytest; promtool
#   make lint      ruff + mypy
.PHONY: install run test lint

VENV := .venv

install:
	bash scripts/ensure-venv.sh

run: install
	$(VENV)/bin/cadre up

test:
	bash scripts/test.sh

# both linters always run; the target fails if either failed
lint:
	@rc=0; \
	$(VENV)/bin/ruff check . || rc=1; \
	$(VENV)/bin/mypy shared services workflows cli || rc=1; \
	exit $$rc
