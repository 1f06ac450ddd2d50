#!/usr/bin/env bash
# THE test command (`make test`, `.ci/run`).
#
# 1. installs what is missing on this kind of machine (Debian packages, .venv, Kafka jars);
# 2. starts, in a fresh state directory, real PostgreSQL (:55432), Kafka KRaft (:19092, controller
#    :19093) and a Temporal dev server (:17233), all stopped again on exit (also on failure/Ctrl-C);
# 3. runs `make lint`, pytest over tests/, and promtool on deploy/prometheus rules (if present).
# Exit status: 0 only if every step passed.
#
#   scripts/test.sh                      everything
#   scripts/test.sh tests/unit -x        pytest arguments replace the default `tests`
# Environment knobs:
#   CADRE_TEST_SKIP_LINT=1       skip ruff/mypy
#   CADRE_TEST_KEEP_STATE=1      keep the state directory (data + logs) after the run
#   CADRE_TEST_TIMEOUT=SECONDS   limit for pytest (default 4800)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
LOCAL="$REPO_ROOT/deploy/local"
T0=$SECONDS

PG_PORT=55432
KAFKA_PORT_T=19092
KAFKA_CTL_PORT_T=19093
TEMPORAL_PORT_T=17233

say() { printf '[test.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. install what is missing
missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
if ((${#missing[@]} > 0)); then
  [[ $(id -u) -eq 0 ]] || die "missing Debian packages (${missing[*]}); install them as root"
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/tmp/cadre-apt.log 2>&1 || { tail -n 20 /tmp/cadre-apt.log; die "apt-get update failed"; }
  apt-get install -y -q "${missing[@]}" >>/tmp/cadre-apt.log 2>&1 || { tail -n 30 /tmp/cadre-apt.log; die "apt-get install failed"; }
fi
bash scripts/ensure-venv.sh
bash "$LOCAL/kafka.sh" libs
T_INSTALL=$((SECONDS - T0))

# ---------------------------------------------------------------- 2. fresh state, components
mkdir -p "$REPO_ROOT/var"
POINTER="$REPO_ROOT/var/test-state-dir"

# A previous run killed without its trap may have left components running: stop those
# (they are found by the pid files in its state directory) and delete its state.
if [[ -f "$POINTER" ]]; then
  read -r old_pid old <"$POINTER" || true
  if [[ -n "${old_pid:-}" ]] && kill -0 "$old_pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$old_pid/cmdline" 2>/dev/null | grep -q 'scripts/test.sh'; then
    die "another test run (pid $old_pid, state ${old:-?}) is in progress in this checkout"
  fi
  if [[ -n "${old:-}" && -d "$old" && "$old" == /tmp/cadreflow-test.* ]]; then
    say "cleaning up after an earlier run in $old"
    TEMPORAL_DIR="$old/temporal" TEMPORAL_PORT=$TEMPORAL_PORT_T bash "$LOCAL/temporal.sh" stop >/dev/null 2>&1 || true
    KAFKA_DIR="$old/kafka" KAFKA_PORT=$KAFKA_PORT_T KAFKA_CONTROLLER_PORT=$KAFKA_CTL_PORT_T \
      bash "$LOCAL/kafka.sh" stop >/dev/null 2>&1 || true
    PGDATA="$old/pg" PGPORT=$PG_PORT bash "$LOCAL/postgres.sh" stop >/dev/null 2>&1 || true
    rm -rf "$old"
  fi
  rm -f "$POINTER"
fi

busy=()
for p in $PG_PORT $KAFKA_PORT_T $KAFKA_CTL_PORT_T $TEMPORAL_PORT_T $((TEMPORAL_PORT_T + 1)) $((TEMPORAL_PORT_T + 2)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy+=("$p"); fi
done
if ((${#busy[@]} > 0)); then
  ss -ltnp 2>/dev/null | grep -E ":($(IFS='|'; echo "${busy[*]}")) " >&2 || true
  die "ports already in use: ${busy[*]} (another test run or a dev stack is running; stop it first)"
fi

# mktemp under /tmp: always fresh, and traversable by the `postgres` OS user
STATE="$(mktemp -d /tmp/cadreflow-test.XXXXXX)"
chmod 755 "$STATE"
echo "$$ $STATE" >"$POINTER"

export CADRE_TEST_STATE_DIR="$STATE"
export PGDATA="$STATE/pg" PGPORT=$PG_PORT
export KAFKA_DIR="$STATE/kafka" KAFKA_PORT=$KAFKA_PORT_T KAFKA_CONTROLLER_PORT=$KAFKA_CTL_PORT_T KAFKA_NODES=1
export TEMPORAL_DIR="$STATE/temporal" TEMPORAL_PORT=$TEMPORAL_PORT_T
export PYTHON="$REPO_ROOT/.venv/bin/python"

started=()
status=0
cleanup() {
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
    rm -rf "$REPO_ROOT/test-artifacts/infra"
    mkdir -p "$REPO_ROOT/test-artifacts/infra"
    cp -r "$STATE"/kafka/node1/logs "$REPO_ROOT/test-artifacts/infra/kafka-logs" 2>/dev/null || true
    cp "$STATE"/temporal/temporal.log "$STATE"/pg.log "$REPO_ROOT/test-artifacts/infra/" 2>/dev/null || true
    say "component logs copied to test-artifacts/infra/"
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
trap cleanup EXIT
trap 'say "interrupted"; status=130; exit 130' INT
trap 'say "terminated"; status=143; exit 143' TERM

declare -A took=()
timed_start() { # component
  local t=$SECONDS
  started+=("$1")
  bash "$LOCAL/$1.sh" start || die "$1 failed to start"
  took[$1]=$((SECONDS - t))
}

say "state directory $STATE"
timed_start postgres
timed_start kafka
timed_start temporal

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
CADRE_TEST_CHROMIUM="$(command -v chromium)"
export CADRE_TEST_CHROMIUM

cat <<EOF
================================================================ test infrastructure
 Python      $("$PYTHON" --version 2>&1 | awk '{print $2}')   ($REPO_ROOT/.venv)
 PostgreSQL  $(bash "$LOCAL/postgres.sh" version)   $CADRE_TEST_PG_DSN   (${took[postgres]}s)
 Kafka       $(bash "$LOCAL/kafka.sh" version) KRaft, 1 node   $CADRE_TEST_KAFKA (controller :$KAFKA_CTL_PORT_T)   (${took[kafka]}s)
 Temporal    $(bash "$LOCAL/temporal.sh" version)   $CADRE_TEST_TEMPORAL   (${took[temporal]}s)
 Prometheus  $(bash "$LOCAL/prometheus.sh" version) (promtool; started by tests that need it)
 Chromium    $(chromium --version 2>/dev/null | awk '{print $2}')   $CADRE_TEST_CHROMIUM
 state dir   $STATE   (installs ${T_INSTALL}s)
 fault tests: \$CADRE_TEST_KAFKA_CTL stop|start|kill   (KAFKA_DIR, KAFKA_PORT exported)
================================================================
EOF

# ---------------------------------------------------------------- 3. checks
failures=()

if [[ "${CADRE_TEST_SKIP_LINT:-0}" != 1 ]]; then
  say "lint: ruff + mypy"
  make -s lint || failures+=(lint)
fi

if (($# > 0)); then pytest_args=("$@"); else pytest_args=(tests); fi
has_tests=0
if [[ -n "$(find tests -name 'test_*.py' -o -name '*_test.py' 2>/dev/null | head -n1)" ]]; then has_tests=1; fi
say "pytest ${pytest_args[*]}"
set +e
timeout --foreground --kill-after=30 "${CADRE_TEST_TIMEOUT:-4800}" \
  "$PYTHON" -m pytest -p no:cacheprovider "${pytest_args[@]}"
prc=$?
set -e
case $prc in
  0) ;;
  5) if ((has_tests)); then failures+=("pytest (no tests collected)"); else say "pytest: no test files yet"; fi ;;
  124) failures+=("pytest (timed out after ${CADRE_TEST_TIMEOUT:-4800}s)") ;;
  *) failures+=("pytest (exit $prc)") ;;
esac

shopt -s nullglob
rules=(deploy/prometheus/*.rules.yml)
rule_tests=(deploy/prometheus/tests/*.yml)
shopt -u nullglob
if ((${#rules[@]} > 0)); then
  say "promtool check rules ${rules[*]}"
  promtool check rules "${rules[@]}" || failures+=("promtool check rules")
fi
if ((${#rule_tests[@]} > 0)); then
  say "promtool test rules ${rule_tests[*]}"
  promtool test rules "${rule_tests[@]}" || failures+=("promtool test rules")
fi

if ((${#failures[@]} > 0)); then
  say "FAILED: ${failures[*]}"
  status=1
  exit 1
fi
say "all checks passed"
