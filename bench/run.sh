#!/usr/bin/env bash
# The benchmark suite in one command (see docs/BENCHMARKS.md):
#
#   bench/run.sh            full suite: 1,000,000 facts, release build (about 20 minutes here)
#   bench/run.sh --quick    smoke run for CI: 20,000 facts, debug build, under 2 minutes once built
#
# Other options go to bench/run.py (--facts N, --stores clickhouse,postgres, --release, --keep ...).
# Exits non-zero if a scenario produced no numbers or a store's totals did not match the corpus;
# it never asserts anything about timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=release
for arg in "$@"; do
  [[ "$arg" == "--quick" ]] && build=debug
done
for arg in "$@"; do
  case "$arg" in
    --release) build=release ;;
    --debug) build=debug ;;
  esac
done

venv="${PROJECTION_DEV_DIR:-.dev}/venv"
if [[ "${BENCH_STACK:-dev}" == "external" ]]; then
  # Servers already running (e.g. `docker compose -f compose/docker-compose.yml up -d nats clickhouse postgres`),
  # reached through PROJECTION_NATS_URL / PROJECTION_CLICKHOUSE_DSN / PROJECTION_POSTGRES_DSN.
  if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r dev/requirements-dev.txt
  fi
else
  dev/stack up >/dev/null
  eval "$(dev/stack env)"
fi
# Quick mode reuses the debug build CI already has; release numbers come from the full run.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for product in projection-ingest projection-query projection-bench projection-decode-bench; do
  echo "building $product ($build)" >&2
  if ! swift build -c "$build" --product "$product" >"$log" 2>&1; then
    grep -E 'error' "$log" >&2 || tail -20 "$log" >&2
    echo "bench/run.sh: building $product failed" >&2
    exit 1
  fi
done
"$venv/bin/python" bench/run.py --build "$build" "$@"
