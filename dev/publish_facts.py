"""Publishes orders-analytics facts (CloudEvents 1.0, structured mode) to NATS JetStream.

Deterministic for a given --seed, with Nats-Msg-Id set to the CloudEvent id like a real producer.
Used by the demo (dev/demo.sh) and the benchmarks.

    .dev/venv/bin/python dev/publish_facts.py --orders 1000 --tenants t1,t2,t3
"""
import argparse
import asyncio
import json
import random
import sys

import nats


def facts(orders: int, tenants: list[str], seed: int, refund_every: int):
    rng = random.Random(seed)
    for i in range(orders):
        tenant = tenants[i % len(tenants)]
        day = 1 + rng.randrange(28)
        placed_at = f"2026-03-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        amount = 100 + rng.randrange(100_000)
        data = {
            "order_id": f"o-{i}",
            "customer_id": f"c-{rng.randrange(200)}",
            "amount_cents": amount,
            "currency": rng.choice(["EUR", "USD", "GBP"]),
            "placed_at": placed_at,
        }
        yield tenant, "orders.order_placed.v1", f"placed-{i}", data
        if refund_every and i % refund_every == refund_every - 1:
            refunded_at = f"2026-03-{min(day + 1, 28):02d}T12:00:00Z"
            yield tenant, "orders.order_refunded.v1", f"refund-{i}", {
                "refund_id": f"r-{i}", "order_id": f"o-{i}", "amount_cents": amount // 2, "refunded_at": refunded_at,
            }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--stream", default="FACTS")
    parser.add_argument("--subjects", default="facts.>")
    parser.add_argument("--prefix", default="facts", help="subjects are <prefix>.<tenant>.<type>")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--tenants", default="t1,t2,t3")
    parser.add_argument("--refund-every", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    nc = await nats.connect(args.nats)
    js = nc.jetstream()
    try:
        await js.stream_info(args.stream)
    except nats.js.errors.NotFoundError:
        await js.add_stream(name=args.stream, subjects=[args.subjects])
    pending = []
    count = 0
    for tenant, type_, id_, data in facts(args.orders, args.tenants.split(","), args.seed, args.refund_every):
        event = {"specversion": "1.0", "id": id_, "source": "/demo", "type": type_, "time": data.get("placed_at", data.get("refunded_at")),
                 "datacontenttype": "application/json", "tenantid": tenant, "data": data}
        pending.append(js.publish(f"{args.prefix}.{tenant}.{type_}", json.dumps(event).encode(), headers={"Nats-Msg-Id": id_}))
        count += 1
        if len(pending) >= 500:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    info = await js.stream_info(args.stream)
    await nc.close()
    print(f"published {count} facts; stream {args.stream} last sequence {info.state.last_seq}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
