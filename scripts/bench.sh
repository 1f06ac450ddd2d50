#!/usr/bin/env bash
# THE benchmark command (`make bench`; full sizes: `make bench FULL=1` or `scripts/bench.sh --full`).
#
# 1. installs what is missing (Debian packages, .venv, Kafka jars), as scripts/test.sh does;
# 2. starts, in a fresh state directory, real PostgreSQL (:55450), Kafka KRaft (:39092, controller :39093) and a
#    Temporal dev server (:37233) — other ports than `make test`, so both can run at once — all stopped again on
#    exit (also on failure/Ctrl-C), with scripts/lib/infra.sh, the same code scripts/test.sh uses;
# 3. runs every benchmark of bench/ in turn (`python -m bench.run`), each in its own process, and prints one
#    table (figure, baseline, ours, ratio, target, met) with the lock's hash, the key versions and the machine;
#    the table is also written as markdown to var/bench/<date>.md, each benchmark's log to var/bench/<date>/.
# Quick sizes take about 15 minutes on 2 cores; --full runs the sizes the targets are set at (over an hour).
# Exit status: 0 when every benchmark ran (whether or not it met its target), non-zero if one crashed.
#
#   scripts/bench.sh                          quick sizes, every benchmark
#   scripts/bench.sh --full                   full sizes
#   scripts/bench.sh --only campaign events   some of them (names: see bench/run.py SIZES)
# Environment knobs:
#   CADRE_TEST_KEEP_STATE=1      keep the state directory (data + logs) after the run
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
LOCAL="$REPO_ROOT/deploy/local"
T0=$SECONDS

say() { printf '[bench.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

for a in "$@"; do
  case "$a" in -h | --help) sed -n '2,20p' "$0"; exit 0 ;; esac
done

# ---------------------------------------------------------------- 1. install what is missing
missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
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
# shellcheck source=scripts/lib/infra.sh
source "$REPO_ROOT/scripts/lib/infra.sh"
infra_up bench 55450 39092 39093 37233

CADRE_BENCH_KAFKA_VERSION="$(bash "$LOCAL/kafka.sh" version)"
export CADRE_BENCH_KAFKA_VERSION
cat <<EOT
================================================================ benchmark infrastructure
 Python      $("$PYTHON" --version 2>&1 | awk '{print $2}')   ($REPO_ROOT/.venv)
 PostgreSQL  $(bash "$LOCAL/postgres.sh" version)   $CADRE_TEST_PG_DSN   (${took[postgres]}s)
 Kafka       $CADRE_BENCH_KAFKA_VERSION KRaft, 1 node   $CADRE_TEST_KAFKA (controller :$KAFKA_CTL_PORT_T)   (${took[kafka]}s)
 Temporal    $(bash "$LOCAL/temporal.sh" version)   $CADRE_TEST_TEMPORAL   (${took[temporal]}s)
 state dir   $STATE   (installs ${T_INSTALL}s)
================================================================
EOT

# ---------------------------------------------------------------- 3. the benchmarks
say "python -m bench.run $*"
set +e
"$PYTHON" -m bench.run "$@"
status=$?
set -e
exit "$status"
