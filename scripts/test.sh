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

say() { printf '[test.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. install what is missing
missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
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
bash scripts/ensure-ui-assets.sh  # tests/ui's pinned axe-core
bash "$LOCAL/kafka.sh" libs
T_INSTALL=$((SECONDS - T0))

# ---------------------------------------------------------------- 2. fresh state, components
# scripts/lib/infra.sh: fresh state directory, PostgreSQL, Kafka, Temporal; all stopped on exit (also on failure)
# shellcheck source=scripts/lib/infra.sh
source "$REPO_ROOT/scripts/lib/infra.sh"
infra_up test 55432 19092 19093 17233

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
