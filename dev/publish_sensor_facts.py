"""Publishes sensor-readings facts (CloudEvents 1.0, structured mode) to NATS JetStream.

Deterministic for a given --seed, with Nats-Msg-Id set to the CloudEvent id like a real producer.
Used by the demo (dev/demo.sh). Besides regular readings it publishes the cases the example exists
to show: decimals with fewer fraction digits than the column's scale, readings without the optional
energy_wh / firmware, calibrations with and without a technician, an hour with calibrations only
(its min_battery_v stays NULL), a reading that arrives after a newer one of the same sensor (the
timestamp version keeps the newer), and a reading re-sent under a new event id (deduplicated by
reading_id).

    .dev/venv/bin/python dev/publish_sensor_facts.py --readings 2000 --tenants t1,t2,t3
"""
import argparse
import asyncio
import json
import random
import sys
from datetime import datetime, timedelta, timezone

import nats

START = datetime(2026, 6, 1, tzinfo=timezone.utc)
SITES = 2  # per tenant
SENSORS = 3  # per site


def rfc3339(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal(value: float, places: int) -> str:
    """A plain-notation decimal string; trailing zeros dropped, as producers often do ("3.6")."""
    text = f"{value:.{places}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def facts(readings: int, tenants: list[str], seed: int, calibrate_every: int):
    rng = random.Random(seed)
    sensors = [(t, f"site-{s}", f"sensor-{s}{n}") for t in tenants for s in range(1, SITES + 1) for n in range(1, SENSORS + 1)]
    # Calibration numbers count per sensor ("c-1" exists for many sensors): the projection keys
    # calibrations by (sensor_id, calibration_id).
    numbers = {}

    def calibration_id(tenant: str, sensor: str) -> str:
        numbers[tenant, sensor] = numbers.get((tenant, sensor), 0) + 1
        return f"c-{numbers[tenant, sensor]}"

    # One calibration-only hour per site, before the first reading: reference bath, no readings.
    for tenant, site, sensor in sensors[::SENSORS]:
        at = START - timedelta(minutes=30)
        yield tenant, "sensors.calibration_applied.v1", f"cal-{tenant}-{sensor}-pre", rfc3339(at), {
            "calibration_id": calibration_id(tenant, sensor), "sensor_id": sensor, "site_id": site, "applied_at": rfc3339(at),
            "reference_c": 0.0, "offset_c": -0.25, "technician": "ana",
        }
    last = None
    for i in range(readings):
        tenant, site, sensor = sensors[i % len(sensors)]
        step = i // len(sensors)
        at = START + timedelta(minutes=10 * step, seconds=rng.randrange(600))
        data = {
            "reading_id": f"r-{i}",
            "sensor_id": sensor,
            "site_id": site,
            "recorded_at": rfc3339(at),
            "temperature_c": round(18 + 6 * rng.random() - (3 if site == "site-2" else 0), 2),
            "battery_v": decimal(3.7 - step * 0.0004 - rng.randrange(50) / 1000, 3),
        }
        if i % 7 != 3:  # energy_wh is optional: absent adds zero to the SUM
            data["energy_wh"] = decimal(rng.randrange(1, 250_000) / 1000, 3)
        if not sensor.endswith("3"):  # the third sensor of each site runs firmware too old to report it
            data["firmware"] = "2.4.1" if step < 50 else "2.5.0"
        yield tenant, "sensors.reading_recorded.v1", f"reading-{i}", data["recorded_at"], data
        if calibrate_every and i % calibrate_every == calibrate_every - 1:
            applied = at + timedelta(minutes=2)
            calibration = {
                "calibration_id": calibration_id(tenant, sensor), "sensor_id": sensor, "site_id": site, "applied_at": rfc3339(applied),
                "reference_c": 25.0, "offset_c": round(rng.uniform(-0.5, 0.5), 2),
            }
            if i % 2 == 0:  # technician is optional: NULL when absent
                calibration["technician"] = rng.choice(["ana", "bo", "chen"])
            yield tenant, "sensors.calibration_applied.v1", f"calibration-{i}", calibration["applied_at"], calibration
        last = (tenant, site, sensor, data)
    if last:
        tenant, site, sensor, data = last
        # Arrives last but was recorded an hour earlier: sensor_state keeps the newer reading.
        late_at = rfc3339(datetime.fromisoformat(data["recorded_at"].replace("Z", "+00:00")) - timedelta(hours=1))
        yield tenant, "sensors.reading_recorded.v1", "reading-late", late_at, dict(
            data, reading_id="r-late", recorded_at=late_at, temperature_c=-40.0, battery_v="0.5")
        # The producer re-sends a reading under a new event id: the idempotency key drops it.
        yield tenant, "sensors.reading_recorded.v1", "reading-resent", data["recorded_at"], data


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--stream", default="SENSORS")
    parser.add_argument("--prefix", default="sensors", help="subjects are <prefix>.<tenant>.<type>; the stream takes <prefix>.>")
    parser.add_argument("--readings", type=int, default=2000)
    parser.add_argument("--tenants", default="t1,t2,t3")
    parser.add_argument("--calibrate-every", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    nc = await nats.connect(args.nats)
    js = nc.jetstream()
    try:
        await js.stream_info(args.stream)
    except nats.js.errors.NotFoundError:
        await js.add_stream(name=args.stream, subjects=[f"{args.prefix}.>"])
    pending = []
    count = 0
    for tenant, type_, id_, time, data in facts(args.readings, args.tenants.split(","), args.seed, args.calibrate_every):
        event = {"specversion": "1.0", "id": id_, "source": "/demo/sensors", "type": type_, "time": time,
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
