#!/usr/bin/env bash
# The distributed profile on one machine, no Docker: real PostgreSQL, a 3-broker Kafka (replication 3,
# min.insync.replicas 2), the Temporal server, and every service's roles as separate processes — two replicas of
# every API, worker (with its consumer groups), relay and of the workflows worker — under `cadre up`'s supervisor,
# the way deploy/compose/docker-compose.yml and deploy/k8s/cadreflow.yaml group them.
#
#   deploy/local/distributed.sh start    start everything (blocks until every role process is ready)
#   deploy/local/distributed.sh stop     stop the role processes, then Temporal, Kafka, PostgreSQL (data kept)
#   deploy/local/distributed.sh status   `cadre status` of the stack, and each component's state
#   deploy/local/distributed.sh env      print the settings file to source (CADRE_*), e.g. for `cadre scenario run`
#   deploy/local/distributed.sh wipe     delete DIST_DIR (refuses while running)
#
# Environment:
#   DIST_DIR        state directory (default: <repo>/var/distributed): pg/, kafka/, temporal/, data/ (logs), env
#   DIST_PG_PORT    PostgreSQL (default 55460)
#   DIST_KAFKA_PORT first broker (default 29192; the others +10, +20; controllers on DIST_KAFKA_CONTROLLER_PORT…)
#   DIST_TEMPORAL_PORT  Temporal frontend (default 27333)
#   CADRE_PORTS     the APIs' ports as JSON (default: the product's, 8000…8009); role processes from
#                   CADRE_OPS_PORT_BASE (default 9100)
#   DIST_REPLICAS   replicas of each role process (default 2)
#   DIST_START_TIMEOUT  seconds `start` waits for every role process to be ready (default 300)
#   PYTHON          the project's interpreter (default <repo>/.venv/bin/python)
#
# Temporal here is the server of the `temporal` CLI (the only Temporal server this machine can install), on
# loopback, persisted to SQLite; the manifests reach a managed Temporal cluster over mTLS (docs/operations.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DIST_DIR="${DIST_DIR:-$REPO/var/distributed}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
export PYTHON

export PGDATA="$DIST_DIR/pg" PGPORT="${DIST_PG_PORT:-55460}"
export KAFKA_DIR="$DIST_DIR/kafka" KAFKA_NODES=3 KAFKA_PORT="${DIST_KAFKA_PORT:-29192}"
export KAFKA_CONTROLLER_PORT="${DIST_KAFKA_CONTROLLER_PORT:-29193}"
export TEMPORAL_DIR="$DIST_DIR/temporal" TEMPORAL_PORT="${DIST_TEMPORAL_PORT:-27333}"
ENV_FILE="$DIST_DIR/env"
UP_PID="$DIST_DIR/cadre-up.pid"
UP_LOG="$DIST_DIR/cadre-up.log"
SERVICES=(registration scheduling selection portal)

say() { echo "distributed.sh: $*" >&2; }
die() { say "$*"; exit 1; }

bootstrap() { bash "$HERE/kafka.sh" bootstrap; }

write_env() {
  # the secrets are made once and kept (0600): a restart keeps the tokens and seals valid
  local secret key_file="$DIST_DIR/portal-signing.key" public
  mkdir -p "$DIST_DIR/data"
  if [[ ! -f "$DIST_DIR/jwt-secret" ]]; then
    (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$DIST_DIR/jwt-secret")
  fi
  secret="$(cat "$DIST_DIR/jwt-secret")"
  if [[ ! -f "$key_file" ]]; then
    (cd "$REPO" && CADRE_DATA_DIR="$DIST_DIR/data" "$PYTHON" -m cli.main keys portal --out "$key_file" \
      | sed -n 's/^CADRE_PORTAL_PUBLIC_KEYS=//p' >"$DIST_DIR/portal-public-keys")
  fi
  public="$(cat "$DIST_DIR/portal-public-keys")"
  (umask 077; cat >"$ENV_FILE" <<EOF
export CADRE_PROFILE=distributed
export CADRE_DATA_DIR='$DIST_DIR/data'
export CADRE_DATABASE_URL='postgresql+asyncpg://postgres@127.0.0.1:$PGPORT/cadre_{service}'
export CADRE_KAFKA_BOOTSTRAP='$(bootstrap)'
export CADRE_TOPIC_REPLICATION=3
export CADRE_TOPIC_MIN_INSYNC=2
export CADRE_TEMPORAL_ADDRESS='127.0.0.1:$TEMPORAL_PORT'
export CADRE_JWT_SECRET='$secret'
export CADRE_PORTAL_SIGNING_KEY_FILE='$key_file'
export CADRE_PORTAL_PUBLIC_KEYS='$public'
export CADRE_REPLICAS='${DIST_REPLICAS:-2}'
EOF
  )
  if [[ -n "${CADRE_PORTS:-}" ]]; then echo "export CADRE_PORTS='$CADRE_PORTS'" >>"$ENV_FILE"; fi
  if [[ -n "${CADRE_OPS_PORT_BASE:-}" ]]; then echo "export CADRE_OPS_PORT_BASE='$CADRE_OPS_PORT_BASE'" >>"$ENV_FILE"; fi
}

create_databases() {
  local s
  for s in "${SERVICES[@]}"; do
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cadre_$s'" \
      | grep -q 1 || psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE cadre_$s" >/dev/null
  done
}

up_running() { [[ -f "$UP_PID" ]] && kill -0 "$(cat "$UP_PID")" 2>/dev/null; }

start() {
  up_running && die "already running (cadre up pid $(cat "$UP_PID")); stop it first"
  mkdir -p "$DIST_DIR"
  bash "$HERE/postgres.sh" start
  create_databases
  bash "$HERE/kafka.sh" start
  bash "$HERE/temporal.sh" start
  write_env
  say "starting the role processes (cadre up, distributed profile; log $UP_LOG)"
  # shellcheck disable=SC1090
  # cadre up's own wait for readiness ends 30 s before this script's, so that it is cadre up that says which
  # role processes are not ready
  local timeout="${DIST_START_TIMEOUT:-300}"
  (source "$ENV_FILE" && cd "$REPO" && export CADRE_START_TIMEOUT_SECONDS=$((timeout > 60 ? timeout - 30 : 30)) \
    && exec setsid "$PYTHON" -m cli.main up </dev/null >>"$UP_LOG" 2>&1) &
  echo $! >"$UP_PID"
  local deadline=$((SECONDS + timeout))
  until grep -q "ready\.$" "$UP_LOG" 2>/dev/null; do
    up_running || { tail -n 30 "$UP_LOG" >&2; die "cadre up exited during start-up"; }
    ((SECONDS < deadline)) || { tail -n 30 "$UP_LOG" >&2; die "not ready after $timeout s"; }
    sleep 1
  done
  say "ready: settings in $ENV_FILE (source it to use cadre against this stack)"
  grep -E "^  " "$UP_LOG" | tail -n 8 >&2 || true
}

stop() {
  if up_running; then
    local pid
    pid="$(cat "$UP_PID")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "cadre up did not stop in 30 s: SIGKILL"; kill -KILL "$pid" || true; }
  fi
  rm -f "$UP_PID"
  bash "$HERE/temporal.sh" stop || true
  bash "$HERE/kafka.sh" stop || true
  bash "$HERE/postgres.sh" stop || true
}

status() {
  local rc=0
  if up_running && [[ -f "$ENV_FILE" ]]; then
    # shellcheck disable=SC1090
    (source "$ENV_FILE" && cd "$REPO" && "$PYTHON" -m cli.main status) || rc=$?
  else
    say "role processes: stopped"; rc=3
  fi
  bash "$HERE/postgres.sh" status || rc=3
  bash "$HERE/kafka.sh" status || rc=3
  bash "$HERE/temporal.sh" status || rc=3
  return "$rc"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) cat "$ENV_FILE" ;;
  wipe)
    up_running && die "running: stop it first"
    rm -rf "$DIST_DIR" ;;
  *) sed -n '2,22p' "$0" >&2; exit 2 ;;
esac
