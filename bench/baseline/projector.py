"""Baseline projector: the way teams often start.

A straightforward nats-py consumer that applies each fact on its own: parse, write its rows
with single-row statements, write the checkpoint, then ack, one message at a time. Postgres
uses psycopg with one transaction per fact (rows + checkpoint); ClickHouse uses
clickhouse-connect with one INSERT per row and a checkpoint row per fact.

It runs on the same stream and machine as projection-ingest so the summary can show the ratio.
It is time-boxed (--seconds): its rate is steady, and a full backlog would take hours.

    .dev/venv/bin/python bench/baseline/projector.py --store postgres --dsn ... --stream S --subjects 'p.>' --seconds 30
"""
import argparse
import asyncio
import json
import sys
import time
from datetime import datetime, timezone
from urllib.parse import urlparse

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy, AckPolicy


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


class PostgresSink:
    def __init__(self, dsn, consumer):
        import psycopg
        self.conn = psycopg.connect(dsn)
        self.consumer = consumer

    def apply(self, fact, sequence):
        data, tenant = fact["data"], fact["tenantid"]
        with self.conn.transaction():
            cur = self.conn.cursor()
            if fact["type"] == "orders.order_placed.v1":
                placed = parse_time(data["placed_at"])
                cur.execute(
                    "INSERT INTO orders (tenant_id, order_id, customer_id, amount_cents, currency, placed_at, _version) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, order_id) DO UPDATE SET "
                    "customer_id = EXCLUDED.customer_id, amount_cents = EXCLUDED.amount_cents, currency = EXCLUDED.currency, "
                    "placed_at = EXCLUDED.placed_at, _version = EXCLUDED._version WHERE orders._version < EXCLUDED._version",
                    (tenant, data["order_id"], data["customer_id"], data["amount_cents"], data["currency"], placed, sequence))
                cur.execute(
                    "INSERT INTO daily_sales (tenant_id, day, order_count, gross_cents) VALUES (%s, %s, 1, %s) "
                    "ON CONFLICT (tenant_id, day) DO UPDATE SET order_count = daily_sales.order_count + 1, "
                    "gross_cents = daily_sales.gross_cents + EXCLUDED.gross_cents",
                    (tenant, placed.date(), data["amount_cents"]))
            elif fact["type"] == "orders.order_refunded.v1":
                cur.execute(
                    "INSERT INTO daily_sales (tenant_id, day, refund_cents) VALUES (%s, %s, %s) "
                    "ON CONFLICT (tenant_id, day) DO UPDATE SET refund_cents = daily_sales.refund_cents + EXCLUDED.refund_cents",
                    (tenant, parse_time(data["refunded_at"]).date(), data["amount_cents"]))
            cur.execute(
                "INSERT INTO _projection_checkpoints (projection, consumer, partition, last_sequence) VALUES ('baseline', %s, 0, %s) "
                "ON CONFLICT (projection, consumer, partition) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, updated_at = now()",
                (self.consumer, sequence))

    def close(self):
        self.conn.close()


class ClickHouseSink:
    def __init__(self, dsn, consumer):
        import clickhouse_connect
        url = urlparse(dsn)
        self.client = clickhouse_connect.get_client(
            host=url.hostname, port=url.port or 8123, username=url.username or "default", password=url.password or "",
            database=url.path.strip("/") or "default")
        self.consumer = consumer

    def apply(self, fact, sequence):
        data, tenant = fact["data"], fact["tenantid"]
        if fact["type"] == "orders.order_placed.v1":
            placed = parse_time(data["placed_at"])
            self.client.insert("orders", [[tenant, data["order_id"], data["customer_id"], data["amount_cents"], data["currency"], placed, sequence]],
                               column_names=["tenant_id", "order_id", "customer_id", "amount_cents", "currency", "placed_at", "_version"])
            self.client.insert("daily_sales", [[tenant, placed.date(), 1, data["amount_cents"], 0]],
                               column_names=["tenant_id", "day", "order_count", "gross_cents", "refund_cents"])
        elif fact["type"] == "orders.order_refunded.v1":
            self.client.insert("daily_sales", [[tenant, parse_time(data["refunded_at"]).date(), 0, 0, data["amount_cents"]]],
                               column_names=["tenant_id", "day", "order_count", "gross_cents", "refund_cents"])
        self.client.insert("_projection_checkpoints", [["baseline", self.consumer, 0, sequence, sequence, "after", 0, sequence, datetime.now(timezone.utc)]],
                           column_names=["projection", "consumer", "partition", "first_sequence", "last_sequence", "state", "lease_epoch", "version", "updated_at"])

    def close(self):
        self.client.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["postgres", "clickhouse"], required=True)
    parser.add_argument("--dsn", required=True, help="DSN of the (migrated) database/schema to write")
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--stream", required=True)
    parser.add_argument("--subjects", required=True)
    parser.add_argument("--durable", default="baseline")
    parser.add_argument("--seconds", type=float, default=30, help="stop after this long")
    parser.add_argument("--max", type=int, default=0, help="stop after this many facts (0: no limit)")
    args = parser.parse_args()

    sink = PostgresSink(args.dsn, args.durable) if args.store == "postgres" else ClickHouseSink(args.dsn, args.durable)
    nc = await nats.connect(args.nats)
    js = nc.jetstream()
    sub = await js.pull_subscribe(args.subjects, durable=args.durable, stream=args.stream,
                                  config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT, max_ack_pending=1000))
    applied = 0
    start = time.monotonic()
    deadline = start + args.seconds
    while time.monotonic() < deadline and (args.max == 0 or applied < args.max):
        try:
            messages = await sub.fetch(1, timeout=2)
        except nats.errors.TimeoutError:
            break
        for msg in messages:
            fact = json.loads(msg.data)
            sink.apply(fact, msg.metadata.sequence.stream)
            await msg.ack()
            applied += 1
    elapsed = time.monotonic() - start
    await nc.close()
    sink.close()
    print(json.dumps({"facts": applied, "seconds": elapsed, "facts_per_second": applied / elapsed if elapsed else 0,
                      "method": "one fact at a time: rows + checkpoint per message, then ack"}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
