"""A producer that retries on every 5xx and timeout (as the Python Projector SDKs do) while ingest is
kill -9'd twice and this stack's nats-server is restarted: every event ends up applied exactly once,
and the stream holds each event once (the message id derived from source + id absorbs the retries).

Restarting NATS touches the dev stack's nats-server, so this runs in dev/test.sh's serial part; set
INGRESS_CHAOS_NATS=0 to skip only the NATS restart."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest

from conftest import ACME_TOKEN, PLACED, REPO, make_projection, stream_last_sequence
from ingress_client import batch, binary, event, post_until_stored, structured

SINGLES = 240
BATCHES = 8
BATCH_SIZE = 20
TOTAL = SINGLES + BATCHES * BATCH_SIZE


def placed(i: int):
    day = 1 + i % 5
    return event(PLACED, {"order_id": f"c{i}", "customer_id": f"k{i % 7}", "amount_cents": i, "currency": "EUR",
                          "placed_at": f"2026-12-{day:02d}T00:00:00Z"}, id_=f"chaos-{i}", source="/tests/chaos")


def units():
    """Singles alternate structured and binary mode; every 30th unit is a batch."""
    i = 0
    out = []
    singles = batches = 0
    while singles < SINGLES or batches < BATCHES:
        if batches < BATCHES and (singles % 30 == 29 or singles >= SINGLES):
            out.append(batch([placed(i + k) for k in range(BATCH_SIZE)]))
            i += BATCH_SIZE
            batches += 1
        else:
            out.append(structured(placed(i)) if i % 2 == 0 else binary(placed(i)))
            i += 1
            singles += 1
    assert i == TOTAL
    return out


def stack(*args: str) -> None:
    subprocess.run([str(REPO / "dev" / "stack"), *args], check=True, cwd=REPO, capture_output=True)


@pytest.mark.parametrize("store", ["clickhouse", "postgres"])
def test_retrying_producer_through_kill_9_and_nats_restart_applies_each_event_once(store, tmp_path):
    p = make_projection(store, tmp_path)
    try:
        acked = [0]
        failure: list[BaseException] = []
        failed: list[str] = []  # each failed attempt's reason, in order

        def produce():
            try:
                for body, headers in units():
                    answer, _ = post_until_stored(p.ingress, body, headers, ACME_TOKEN, failed=failed.append)
                    acked[0] += len(answer.get("sequences", [0]))
            except BaseException as e:  # reported by the main thread
                failure.append(e)

        producer = threading.Thread(target=produce, daemon=True)
        producer.start()

        def after(n: int) -> None:
            deadline = time.monotonic() + 180
            while acked[0] < n and producer.is_alive():
                assert time.monotonic() < deadline, f"producer stuck at {acked[0]}"
                time.sleep(0.02)

        def outage_seen(before: int) -> None:
            """The producer has met the outage (a failed attempt) before it ends: no verdict rests on timing."""
            deadline = time.monotonic() + 120
            while len(failed) <= before and producer.is_alive():
                assert time.monotonic() < deadline, "the producer never met the outage"
                time.sleep(0.01)

        after(TOTAL // 5)
        seen = len(failed)
        p.kill_ingest()
        outage_seen(seen)
        p.start_ingest()
        if os.environ.get("INGRESS_CHAOS_NATS", "1") != "0":
            after(TOTAL // 2)
            seen = len(failed)
            stack("stop", "nats")
            outage_seen(seen)
            assert any(r == "http 503" for r in failed[seen:]), f"no 503 while NATS was down: {failed[seen:]}"
            stack("up")
        after(4 * TOTAL // 5)
        seen = len(failed)
        p.kill_ingest()
        outage_seen(seen)
        p.start_ingest()
        producer.join(timeout=300)
        assert not producer.is_alive(), "producer did not finish"
        assert not failure, failure
        assert acked[0] == TOTAL
        print(f"{store}: {len(failed)} failed attempts retried: {sorted(set(failed))}")

        # Every event applied exactly once: per day, the count and the sum of amounts are exact.
        expected = {}
        for i in range(TOTAL):
            day = f"2026-12-{1 + i % 5:02d}"
            n, s = expected.get(day, (0, 0))
            expected[day] = (n + 1, s + i)
        want = [(d, n, s) for d, (n, s) in sorted(expected.items())]
        deadline = time.monotonic() + 180
        while True:
            rows = p.call("GetDailySales", {"fromDay": "2026-12-01", "toDay": "2026-12-31"})["rows"]
            got = [(r["day"], int(r.get("orderCount", 0)), int(r.get("grossCents", 0))) for r in rows]
            if got == want:
                break
            assert sum(n for _, n, _ in got) <= TOTAL, f"more than once: {got}"
            assert time.monotonic() < deadline, f"not all applied: {got} != {want}"
            time.sleep(0.2)
        assert stream_last_sequence(p.stream) == TOTAL
    finally:
        p.stop()
