#!/usr/bin/env bash
# dev/stack demo: the main job on the dev stack, for both stores.
#   1. brings up NATS, Postgres and ClickHouse (dev/stack up);
#   2. builds the three executables;
#   3. projection-migrate apply, for ClickHouse and for Postgres;
#   4. starts projection-ingest and projection-query for each store (stopped by `dev/stack down`);
#   5. publishes demo facts (orders-analytics, 3 tenants) and waits until both ingests caught up;
#   6. prints curls against the query API, and their real answers.
# Env: DEMO_ORDERS (default 2000), BUILD_CONFIGURATION (debug | release, default debug).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="$(realpath -m "${PROJECTION_DEV_DIR:-.dev}")"
RUN="$STATE/run"
LOGS="$STATE/log"
ORDERS="${DEMO_ORDERS:-2000}"
CONFIGURATION="${BUILD_CONFIGURATION:-debug}"

dev/stack up
eval "$(dev/stack env)"

echo "== building (swift build -c $CONFIGURATION)"
swift build -c "$CONFIGURATION"
BIN="$(swift build -c "$CONFIGURATION" --show-bin-path)"

stop_app() { # name
  local pidfile="$RUN/app-$1.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

start_app() { # name binary port env...
  local name="$1" binary="$2" port="$3"
  shift 3
  stop_app "$name"
  env "$@" PORT_HTTP="$port" "$BIN/$binary" >>"$LOGS/app-$name.log" 2>&1 &
  echo $! >"$RUN/app-$name.pid"
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "demo: $name did not come up; see $LOGS/app-$name.log" >&2
  tail -20 "$LOGS/app-$name.log" >&2
  exit 1
}

declare -A DSN=([clickhouse]="$PROJECTION_CLICKHOUSE_DSN" [postgres_table]="$PROJECTION_POSTGRES_DSN")
declare -A INGEST_PORT=([clickhouse]=8081 [postgres_table]=8082)
declare -A QUERY_PORT=([clickhouse]=8080 [postgres_table]=8090)

for kind in clickhouse postgres_table; do
  echo "== projection-migrate apply ($kind)"
  PROJECTION_STORE_KIND="$kind" PROJECTION_STORE_DSN="${DSN[$kind]}" "$BIN/projection-migrate" apply
  common=(PROJECTION_NAME=orders-analytics PROJECTION_STORE_KIND="$kind" PROJECTION_STORE_DSN="${DSN[$kind]}" PROJECTION_NATS_URL="$PROJECTION_NATS_URL")
  start_app "ingest-$kind" projection-ingest "${INGEST_PORT[$kind]}" "${common[@]}" PROJECTION_DURABLE="demo-$kind"
  start_app "query-$kind" projection-query "${QUERY_PORT[$kind]}" "${common[@]}" PROJECTION_SQL_DIR="$PWD/sql"
done

echo "== publishing $ORDERS demo orders (and refunds) to NATS"
"$STATE/venv/bin/python" dev/publish_facts.py --nats "$PROJECTION_NATS_URL" --orders "$ORDERS"
last="$(curl -fsS "http://127.0.0.1:${NATS_MONITOR_PORT:-8222}/jsz?streams=true" | "$STATE/venv/bin/python" -c 'import json,sys; d=json.load(sys.stdin); print(max(s["state"]["last_seq"] for a in d["account_details"] for s in a["stream_detail"] if s["name"]=="FACTS"))')"

for kind in clickhouse postgres_table; do
  printf '== waiting for ingest (%s) to reach sequence %s' "$kind" "$last"
  for _ in $(seq 1 600); do
    checkpoint="$(curl -fsS "http://127.0.0.1:${INGEST_PORT[$kind]}/admin/ingestion" | "$STATE/venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["checkpoint"])' 2>/dev/null || echo 0)"
    [[ "$checkpoint" -ge "$last" ]] && break
    printf '.'
    sleep 0.2
  done
  echo " checkpoint $checkpoint"
done

run_curl() { # description command...
  echo
  echo "\$ $2"
  eval "$2"
  echo
}
for kind in clickhouse postgres_table; do
  port="${QUERY_PORT[$kind]}"
  echo
  echo "== the query API on $kind (port $port)"
  run_curl "daily sales" "curl -sS -H 'x-tenant-id: t1' -H 'content-type: application/json' -X POST http://127.0.0.1:$port/orders.analytics.v1.OrdersAnalyticsQuery/GetDailySales -d '{\"fromDay\":\"2026-03-01\",\"toDay\":\"2026-03-07\"}'"
  run_curl "top customers" "curl -sS -H 'x-tenant-id: t2' 'http://127.0.0.1:$port/orders.analytics.v1.OrdersAnalyticsQuery/GetTopCustomers?fromDay=2026-03-01&toDay=2026-03-31&limit=3'"
  run_curl "one order" "curl -sS -H 'x-tenant-id: t1' -X POST http://127.0.0.1:$port/orders.analytics.v1.OrdersAnalyticsQuery/GetOrder -d '{\"orderId\":\"o-3\"}'"
done
echo
echo "== ingest status: curl -s http://127.0.0.1:8081/admin/ingestion"
curl -sS http://127.0.0.1:8081/admin/ingestion; echo
echo "Ingest and query keep running (logs in $LOGS/app-*.log); dev/stack down stops everything."
