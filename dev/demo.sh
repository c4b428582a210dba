#!/usr/bin/env bash
# dev/stack demo: the main job on the dev stack, for both stores and both example projections.
#   1. brings up NATS, Postgres and ClickHouse (dev/stack up);
#   2. builds the three executables;
#   3. projection-migrate apply, per projection, for ClickHouse and for Postgres;
#   4. starts projection-ingest and projection-query per projection and store (stopped by `dev/stack down`);
#   5. publishes demo facts (orders-analytics and sensor-readings, 3 tenants) and waits until every
#      ingest caught up;
#   6. prints curls against the query API, and their real answers.
# orders-analytics is the built-in projection (stream FACTS, sql/, database `projection`).
# sensor-readings runs from examples/sensor-readings (its descriptor set and sql/) with its own
# stream, ClickHouse database and Postgres schema: migration ledgers are per database/schema and
# keyed by file name, so two projections cannot share one.
# Env: DEMO_ORDERS (default 2000), DEMO_READINGS (default 2000), BUILD_CONFIGURATION (debug | release,
#      default debug), DEMO_PROJECTIONS (default "orders-analytics sensor-readings"),
#      DEMO_SENSORS_NAME (default sensors: stream SENSORS, subjects sensors.>, ClickHouse database and
#      Postgres schema sensors, durables demo-sensors-<store>), DEMO_SENSORS_PORT (default 8180: query
#      on 8180 (ClickHouse) and 8190 (Postgres), ingest on 8181 and 8182).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="$(realpath -m "${PROJECTION_DEV_DIR:-.dev}")"
RUN="$STATE/run"
LOGS="$STATE/log"
PY="$STATE/venv/bin/python"
ORDERS="${DEMO_ORDERS:-2000}"
READINGS="${DEMO_READINGS:-2000}"
CONFIGURATION="${BUILD_CONFIGURATION:-debug}"
PROJECTIONS=" ${DEMO_PROJECTIONS:-orders-analytics sensor-readings} "
SENSORS="${DEMO_SENSORS_NAME:-sensors}"
SENSORS_PORT="${DEMO_SENSORS_PORT:-8180}"
[[ "$SENSORS" =~ ^[a-z][a-z0-9_]*$ ]] || { echo "demo: DEMO_SENSORS_NAME must match [a-z][a-z0-9_]*" >&2; exit 2; }

demo_has() { [[ "$PROJECTIONS" == *" $1 "* ]]; }

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

stream_last() { # stream -> its last sequence
  curl -fsS "http://127.0.0.1:${NATS_MONITOR_PORT:-8222}/jsz?streams=true" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(max([s["state"]["last_seq"] for a in d.get("account_details", []) for s in a.get("stream_detail", []) if s["name"] == sys.argv[1]] or [0]))' "$1"
}

wait_ingest() { # label port sequence
  local checkpoint=0
  printf '== waiting for ingest (%s) to reach sequence %s' "$1" "$3"
  for _ in $(seq 1 600); do
    checkpoint="$(curl -fsS "http://127.0.0.1:$2/admin/ingestion" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["checkpoint"])' 2>/dev/null || echo 0)"
    [[ "$checkpoint" -ge "$3" ]] && break
    printf '.'
    sleep 0.2
  done
  echo " checkpoint $checkpoint"
  [[ "$checkpoint" -ge "$3" ]] || echo "demo: ingest ($1) has not caught up; see its log in .dev/log, or curl -s http://127.0.0.1:$2/admin/ingestion" >&2
}

run_curl() { # description command...
  echo
  echo "\$ $2"
  eval "$2"
  echo
}

KINDS=(clickhouse postgres_table)

# ---------------------------------------------------------------- orders-analytics (built in)

declare -A DSN=([clickhouse]="$PROJECTION_CLICKHOUSE_DSN" [postgres_table]="$PROJECTION_POSTGRES_DSN")
declare -A INGEST_PORT=([clickhouse]=8081 [postgres_table]=8082)
declare -A QUERY_PORT=([clickhouse]=8080 [postgres_table]=8090)

if demo_has orders-analytics; then
  for kind in "${KINDS[@]}"; do
    echo "== projection-migrate apply (orders-analytics, $kind)"
    PROJECTION_STORE_KIND="$kind" PROJECTION_STORE_DSN="${DSN[$kind]}" "$BIN/projection-migrate" apply
    common=(PROJECTION_NAME=orders-analytics PROJECTION_STORE_KIND="$kind" PROJECTION_STORE_DSN="${DSN[$kind]}" PROJECTION_NATS_URL="$PROJECTION_NATS_URL")
    start_app "ingest-$kind" projection-ingest "${INGEST_PORT[$kind]}" "${common[@]}" PROJECTION_DURABLE="demo-$kind"
    start_app "query-$kind" projection-query "${QUERY_PORT[$kind]}" "${common[@]}" PROJECTION_SQL_DIR="$PWD/sql"
  done
fi

# ---------------------------------------------------------------- sensor-readings (examples/)

SENSOR_DIR="$PWD/examples/sensor-readings"
SENSOR_STREAM="${SENSORS^^}"
declare -A SENSOR_DSN=(
  [clickhouse]="${PROJECTION_CLICKHOUSE_DSN%/*}/$SENSORS"
  [postgres_table]="$PROJECTION_POSTGRES_DSN?options=-csearch_path%3D$SENSORS"
)
declare -A SENSOR_INGEST_PORT=([clickhouse]=$((SENSORS_PORT + 1)) [postgres_table]=$((SENSORS_PORT + 2)))
declare -A SENSOR_QUERY_PORT=([clickhouse]="$SENSORS_PORT" [postgres_table]=$((SENSORS_PORT + 10)))

if demo_has sensor-readings; then
  echo "== ClickHouse database and Postgres schema '$SENSORS' for sensor-readings"
  curl -fsS "${PROJECTION_CLICKHOUSE_DSN%/*}/" --data-binary "CREATE DATABASE IF NOT EXISTS $SENSORS"
  /usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 "$PROJECTION_POSTGRES_DSN" -c "CREATE SCHEMA IF NOT EXISTS $SENSORS"
  for kind in "${KINDS[@]}"; do
    echo "== projection-migrate apply (sensor-readings, $kind)"
    PROJECTION_STORE_KIND="$kind" PROJECTION_STORE_DSN="${SENSOR_DSN[$kind]}" "$BIN/projection-migrate" apply --sql-dir "$SENSOR_DIR/sql"
    common=(PROJECTION_NAME=sensor-readings PROJECTION_DESCRIPTOR_SET="$SENSOR_DIR/sensor_readings.binpb"
            PROJECTION_STORE_KIND="$kind" PROJECTION_STORE_DSN="${SENSOR_DSN[$kind]}" PROJECTION_NATS_URL="$PROJECTION_NATS_URL")
    start_app "$SENSORS-ingest-$kind" projection-ingest "${SENSOR_INGEST_PORT[$kind]}" "${common[@]}" \
      PROJECTION_STREAM="$SENSOR_STREAM" PROJECTION_SUBJECTS="$SENSORS.>" PROJECTION_DURABLE="demo-$SENSORS-$kind"
    start_app "$SENSORS-query-$kind" projection-query "${SENSOR_QUERY_PORT[$kind]}" "${common[@]}" PROJECTION_SQL_DIR="$SENSOR_DIR/sql"
  done
fi

# ---------------------------------------------------------------- facts, catching up

if demo_has orders-analytics; then
  echo "== publishing $ORDERS demo orders (and refunds) to NATS"
  "$PY" dev/publish_facts.py --nats "$PROJECTION_NATS_URL" --orders "$ORDERS"
fi
if demo_has sensor-readings; then
  echo "== publishing $READINGS demo sensor readings (and calibrations) to NATS"
  "$PY" dev/publish_sensor_facts.py --nats "$PROJECTION_NATS_URL" --stream "$SENSOR_STREAM" --prefix "$SENSORS" --readings "$READINGS"
fi
if demo_has orders-analytics; then
  last="$(stream_last FACTS)"
  for kind in "${KINDS[@]}"; do wait_ingest "orders-analytics, $kind" "${INGEST_PORT[$kind]}" "$last"; done
fi
if demo_has sensor-readings; then
  last="$(stream_last "$SENSOR_STREAM")"
  for kind in "${KINDS[@]}"; do wait_ingest "sensor-readings, $kind" "${SENSOR_INGEST_PORT[$kind]}" "$last"; done
fi

# ---------------------------------------------------------------- answers

if demo_has orders-analytics; then
  for kind in "${KINDS[@]}"; do
    port="${QUERY_PORT[$kind]}"
    echo
    echo "== orders-analytics: the query API on $kind (port $port)"
    run_curl "daily sales" "curl -sS -H 'x-tenant-id: t1' -H 'content-type: application/json' -X POST http://127.0.0.1:$port/orders.analytics.v1.OrdersAnalyticsQuery/GetDailySales -d '{\"fromDay\":\"2026-03-01\",\"toDay\":\"2026-03-07\"}'"
    run_curl "top customers" "curl -sS -H 'x-tenant-id: t2' 'http://127.0.0.1:$port/orders.analytics.v1.OrdersAnalyticsQuery/GetTopCustomers?fromDay=2026-03-01&toDay=2026-03-31&limit=3'"
    run_curl "one order" "curl -sS -H 'x-tenant-id: t1' -H 'content-type: application/json' -X POST http://127.0.0.1:$port/orders.analytics.v1.OrdersAnalyticsQuery/GetOrder -d '{\"orderId\":\"o-3\"}'"
  done
fi

if demo_has sensor-readings; then
  ch="${SENSOR_QUERY_PORT[clickhouse]}" pg="${SENSOR_QUERY_PORT[postgres_table]}"
  echo
  echo "== sensor-readings: the query API on clickhouse (port $ch), compared with postgres_table (port $pg)"
  # Each request goes to both stores; the Postgres answer is printed only where it differs.
  both_stores() { # method tenant json-body
    local route="sensors.readings.v1.SensorReadingsQuery/$1" a b
    echo
    echo "\$ curl -sS -H 'x-tenant-id: $2' -H 'content-type: application/json' -X POST http://127.0.0.1:$ch/$route -d '$3'"
    a="$(curl -sS -H "x-tenant-id: $2" -H 'content-type: application/json' -X POST "http://127.0.0.1:$ch/$route" -d "$3")"
    b="$(curl -sS -H "x-tenant-id: $2" -H 'content-type: application/json' -X POST "http://127.0.0.1:$pg/$route" -d "$3")"
    echo "$a"
    if [[ "$a" == "$b" ]]; then echo "(postgres_table, port $pg: identical)"; else echo "(postgres_table, port $pg: DIFFERENT)"; echo "$b"; fi
  }
  # 2026-05-31T23:00 has calibrations only: no reading count, no min_battery_v; min/max temperature
  # come from the reference bath. Later hours mix readings and calibrations.
  both_stores GetSiteHourly t1 '{"siteId":"site-1","fromHour":"2026-05-31T23:00:00Z","toHour":"2026-06-01T01:00:00Z"}'
  # sensor-12 got a reading recorded an hour earlier after its newest one: the newer one stays.
  both_stores GetSensor t1 '{"sensorId":"sensor-12"}'
  # sensor-13 reports no firmware: the field is omitted.
  both_stores ListSensors t1 '{"siteId":"site-1"}'
  both_stores ListCalibrations t2 '{"sensorId":"sensor-11","limit":3}'
fi

echo
if demo_has orders-analytics; then
  echo "== ingest status: curl -s http://127.0.0.1:8081/admin/ingestion"
  curl -sS http://127.0.0.1:8081/admin/ingestion; echo
fi
echo
echo "== in a browser (from a laptop: ssh -L <port>:127.0.0.1:<port> this-host, then the same URLs)"
if demo_has orders-analytics; then
  echo "   operator console (ingest):  http://127.0.0.1:${INGEST_PORT[clickhouse]}/console  http://127.0.0.1:${INGEST_PORT[postgres_table]}/console"
  echo "   query explorer:             http://127.0.0.1:${QUERY_PORT[clickhouse]}/explorer  http://127.0.0.1:${QUERY_PORT[postgres_table]}/explorer  (tenant t1)"
fi
if demo_has sensor-readings; then
  echo "   sensor-readings:            http://127.0.0.1:${SENSOR_INGEST_PORT[clickhouse]}/console  http://127.0.0.1:${SENSOR_QUERY_PORT[clickhouse]}/explorer"
fi
echo "   (actions in the console need PROJECTION_ADMIN_TOKEN, which the demo does not set)"
echo "Ingest and query keep running (logs in $LOGS/app-*.log); dev/stack down stops everything."
