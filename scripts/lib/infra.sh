# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/bench.sh: a fresh state directory, real PostgreSQL, Kafka (KRaft, one
# node) and a Temporal dev server started in it on the given ports, and everything stopped again on exit (also on
# failure, Ctrl-C or SIGTERM). The caller defines `say` and `die`, sets REPO_ROOT and LOCAL (deploy/local), and
# may set `status` (the exit status the cleanup keeps) before exiting.
#
#   infra_up NAME PG_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT TEMPORAL_PORT
#
# NAME (test, bench) names the state directory (/tmp/cadreflow-NAME.XXXXXX), the pointer file that lets the next
# run clean up after one killed without its trap (var/NAME-state-dir), and the script whose live run refuses a
# second one in the same checkout (scripts/NAME.sh). Afterwards: STATE, took[postgres|kafka|temporal] (seconds),
# PG_PORT KAFKA_PORT_T KAFKA_CTL_PORT_T TEMPORAL_PORT_T, and the environment the tests and benchmarks read
# (CADRE_TEST_PG_DSN, CADRE_TEST_KAFKA, CADRE_TEST_TEMPORAL, the *_CTL scripts …).
# On a failed run the components' logs are copied to test-artifacts/infra/ (test) or var/NAME/infra/ (others).
# Knob: CADRE_TEST_KEEP_STATE=1 keeps the state directory (data and logs) after the run.

infra_up() { # name pg kafka kafka-controller temporal
  INFRA_NAME="$1"
  PG_PORT="$2" KAFKA_PORT_T="$3" KAFKA_CTL_PORT_T="$4" TEMPORAL_PORT_T="$5"
  _infra_reclaim
  _infra_fresh_state
  trap _infra_cleanup EXIT
  trap 'say "interrupted"; status=130; exit 130' INT
  trap 'say "terminated"; status=143; exit 143' TERM
  say "state directory $STATE"
  _infra_timed_start postgres
  _infra_timed_start kafka
  _infra_timed_start temporal
  _infra_export
}

# A previous run killed without its trap may have left components running: stop those (they are found by the
# pid files in its state directory) and delete its state. Then refuse ports somebody else holds.
_infra_reclaim() {
  mkdir -p "$REPO_ROOT/var"
  POINTER="$REPO_ROOT/var/$INFRA_NAME-state-dir"
  if [[ -f "$POINTER" ]]; then
    local old_pid old
    read -r old_pid old <"$POINTER" || true
    if [[ -n "${old_pid:-}" ]] && kill -0 "$old_pid" 2>/dev/null &&
      tr '\0' ' ' <"/proc/$old_pid/cmdline" 2>/dev/null | grep -q "scripts/$INFRA_NAME.sh"; then
      die "another $INFRA_NAME run (pid $old_pid, state ${old:-?}) is in progress in this checkout"
    fi
    if [[ -n "${old:-}" && -d "$old" && "$old" == /tmp/cadreflow-"$INFRA_NAME".* ]]; then
      say "cleaning up after an earlier run in $old"
      TEMPORAL_DIR="$old/temporal" TEMPORAL_PORT=$TEMPORAL_PORT_T bash "$LOCAL/temporal.sh" stop >/dev/null 2>&1 || true
      KAFKA_DIR="$old/kafka" KAFKA_PORT=$KAFKA_PORT_T KAFKA_CONTROLLER_PORT=$KAFKA_CTL_PORT_T \
        bash "$LOCAL/kafka.sh" stop >/dev/null 2>&1 || true
      PGDATA="$old/pg" PGPORT=$PG_PORT bash "$LOCAL/postgres.sh" stop >/dev/null 2>&1 || true
      rm -rf "$old"
    fi
    rm -f "$POINTER"
  fi

  local busy=() p
  for p in $PG_PORT $KAFKA_PORT_T $KAFKA_CTL_PORT_T $TEMPORAL_PORT_T $((TEMPORAL_PORT_T + 1)) $((TEMPORAL_PORT_T + 2)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy+=("$p"); fi
  done
  if ((${#busy[@]} > 0)); then
    ss -ltnp 2>/dev/null | grep -E ":($(IFS='|'; echo "${busy[*]}")) " >&2 || true
    die "ports already in use: ${busy[*]} (another $INFRA_NAME run or a dev stack is running; stop it first)"
  fi
}

_infra_fresh_state() {
  # mktemp under /tmp: always fresh, and traversable by the `postgres` OS user
  STATE="$(mktemp -d "/tmp/cadreflow-$INFRA_NAME.XXXXXX")"
  chmod 755 "$STATE"
  echo "$$ $STATE" >"$POINTER"

  export CADRE_TEST_STATE_DIR="$STATE"
  export PGDATA="$STATE/pg" PGPORT=$PG_PORT
  export KAFKA_DIR="$STATE/kafka" KAFKA_PORT=$KAFKA_PORT_T KAFKA_CONTROLLER_PORT=$KAFKA_CTL_PORT_T KAFKA_NODES=1
  export TEMPORAL_DIR="$STATE/temporal" TEMPORAL_PORT=$TEMPORAL_PORT_T
  export PYTHON="$REPO_ROOT/.venv/bin/python"
  started=()
  status=${status:-0}
  declare -gA took=()
}

_infra_cleanup() {
  local rc=$? c
  trap - EXIT INT TERM
  ((status == 0)) && status=$rc
  if ((${#started[@]} > 0)); then
    say "stopping: ${started[*]}"
    for ((c = ${#started[@]} - 1; c >= 0; c--)); do
      bash "$LOCAL/${started[$c]}.sh" stop >/dev/null 2>&1 || say "warning: stopping ${started[$c]} failed" >&2
    done
  fi
  if ((status != 0)) && [[ -d "$STATE" ]]; then
    local logs="$REPO_ROOT/test-artifacts/infra"
    [[ "$INFRA_NAME" == test ]] || logs="$REPO_ROOT/var/$INFRA_NAME/infra"
    rm -rf "$logs"
    mkdir -p "$logs"
    cp -r "$STATE"/kafka/node1/logs "$logs/kafka-logs" 2>/dev/null || true
    cp "$STATE"/temporal/temporal.log "$STATE"/pg.log "$logs/" 2>/dev/null || true
    say "component logs copied to ${logs#"$REPO_ROOT/"}/"
  fi
  if [[ "${CADRE_TEST_KEEP_STATE:-0}" == 1 ]]; then
    say "state kept in $STATE"
  else
    rm -rf "$STATE"
    rm -f "$POINTER"
  fi
  say "total $((SECONDS - T0))s; exit $status"
  exit "$status"
}

_infra_timed_start() { # component
  local t=$SECONDS
  started+=("$1")
  bash "$LOCAL/$1.sh" start || die "$1 failed to start"
  took[$1]=$((SECONDS - t))
}

_infra_export() {
  export CADRE_TEST_REQUIRE_INFRA=1
  export CADRE_TEST_PG_DSN="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  export CADRE_TEST_KAFKA="127.0.0.1:$KAFKA_PORT_T"
  export CADRE_TEST_TEMPORAL="127.0.0.1:$TEMPORAL_PORT_T"
  export CADRE_TEST_KAFKA_CTL="$LOCAL/kafka.sh"
  export CADRE_TEST_KAFKA_DIR="$KAFKA_DIR"
  export CADRE_TEST_KAFKA_PORT=$KAFKA_PORT_T CADRE_TEST_KAFKA_CONTROLLER_PORT=$KAFKA_CTL_PORT_T
  export CADRE_TEST_PG_CTL="$LOCAL/postgres.sh"
  export CADRE_TEST_TEMPORAL_CTL="$LOCAL/temporal.sh"
  export CADRE_TEST_PROM_CTL="$LOCAL/prometheus.sh"
}
