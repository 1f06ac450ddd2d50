# Cadreflow — developer entry points.
#   make install   create .venv (if missing) and install the project with dev extras
#   make run       install, then start the whole system locally (cadre up)
#   make test      THE test command: starts PostgreSQL, Kafka, Temporal; lint; pytest; promtool
#   make lint      ruff + mypy
#   make bench     every benchmark of bench/ on its own PostgreSQL, Kafka, Temporal; one table (FULL=1: full sizes)
.PHONY: install run test lint bench

VENV := .venv

install:
	bash scripts/ensure-venv.sh

run: install
	$(VENV)/bin/cadre up

test:
	bash scripts/test.sh

bench: install
	bash scripts/bench.sh $(if $(FULL),--full)

# both linters always run; the target fails if either failed
lint:
	@rc=0; \
	$(VENV)/bin/ruff check . || rc=1; \
	$(VENV)/bin/mypy shared services workflows cli || rc=1; \
	exit $$rc
