# Cadreflow — developer entry points.
#   make install       create .venv (if missing) and install exactly uv.lock (dev extras included)
#   make run           install, then start the whole system locally (cadre up)
#   make test          THE test command: starts PostgreSQL, Kafka, Temporal; lint; pytest; promtool
#   make lint          ruff + mypy + no machine paths in tracked files
#   make lock          re-resolve uv.lock after editing pyproject.toml (keeps every other pin)
#   make lock-upgrade  upgrade every dependency to its newest allowed version (then run make test)
#   make bench         every benchmark of bench/ on its own PostgreSQL, Kafka, Temporal; one table (FULL=1: full sizes)
.PHONY: install run test lint bench lock lock-upgrade

VENV := .venv
UV := $(VENV)/bin/uv

install:
	bash scripts/ensure-venv.sh

run: install
	$(VENV)/bin/cadre up

test:
	bash scripts/test.sh

bench: install
	bash scripts/bench.sh $(if $(FULL),--full)

# every linter always runs; the target fails if any failed
lint:
	@rc=0; \
	$(VENV)/bin/ruff check . || rc=1; \
	$(VENV)/bin/mypy shared services workflows cli contracts || rc=1; \
	$(VENV)/bin/python scripts/check_machine_paths.py || rc=1; \
	exit $$rc

lock: install
	UV_PYTHON_DOWNLOADS=never $(UV) lock
	bash scripts/ensure-venv.sh

lock-upgrade: install
	UV_PYTHON_DOWNLOADS=never $(UV) lock --upgrade
	bash scripts/ensure-venv.sh
