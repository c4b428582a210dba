"""Hostile clients cannot exhaust the ingress: the in-flight byte budget answers a flood of large
bodies with 503 + Retry-After (and publishes nothing of them) while every 2xx event is in the stream
exactly once; an element-count bomb is 413 before it is parsed whole; a `?wait=` stops when its client
hangs up, and waiters are bounded. Every verdict is an outcome (a status, a metric, the stream's
sequence), never a duration: the budget is held by requests whose bodies have not arrived yet, and
the metrics say when that is so."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse

import pytest

from conftest import ACME_TOKEN, GLOBEX_TOKEN, MAX_BATCH, MAX_BODY, PLACED, make_projection, stream_last_sequence
from ingress_client import batch, event, post, post_until_stored, structured

BUDGET = 2 * MAX_BODY
MAX_WAIT_MS = 600_000
FLOOD = 24


@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    """One store is enough: the bounds are the ingress's, before any store is involved."""
    p = make_projection("postgres", tmp_path_factory.mktemp("ingress-bounds"),
                        PROJECTION_INGRESS_MAX_INFLIGHT_BYTES=str(BUDGET), PROJECTION_INGRESS_MAX_WAITERS="1",
                        PROJECTION_INGRESS_MAX_WAIT_MS=str(MAX_WAIT_MS), PROJECTION_INGRESS_BODY_TIMEOUT_MS="600000",
                        PROJECTION_HTTP_IDLE_TIMEOUT_MS="600000")
    yield p
    p.stop()


def until(what: str, check, deadline_s: float = 120) -> None:
    deadline = time.monotonic() + deadline_s
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def order(tag: str, i: int, pad: int = 0):
    data = {"order_id": f"{tag}-{i}", "customer_id": "c" + "x" * pad, "amount_cents": 1, "currency": "EUR", "placed_at": "2026-11-28T00:00:00Z"}
    return event(PLACED, data, id_=f"{tag}-{i}", source="/tests/bounds")


def large_batch(tag: str, first: int, count: int) -> tuple[bytes, dict, list[str]]:
    """A batch just under MAX_BODY of `count` padded events."""
    probe, _ = batch([order(tag, first + k) for k in range(count)])
    pad = (MAX_BODY - 512 - len(probe)) // count
    body, headers = batch([order(tag, first + k, pad) for k in range(count)])
    assert MAX_BODY - 1024 < len(body) <= MAX_BODY
    return body, headers, [f"{tag}-{first + k}" for k in range(count)]


class Hog:
    """A request whose headers announce a body of `length` bytes that it does not send (yet)."""

    def __init__(self, url: str, body: bytes, headers: dict, token: str = ACME_TOKEN):
        u = urllib.parse.urlsplit(url)
        self.body = body
        self.sock = socket.create_connection((u.hostname, u.port), timeout=180)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall((f"POST {u.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{head}"
                           f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:10])

    def finish(self) -> tuple[int, dict]:
        self.sock.sendall(self.body[10:])
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = self.sock.recv(65536)
            assert chunk, raw
            raw += chunk
        head, rest = raw.split(b"\r\n\r\n", 1)
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        while len(rest) < length:
            rest += self.sock.recv(65536)
        self.sock.close()
        return int(head.split(b" ")[1]), json.loads(rest)


def test_a_flood_of_large_bodies_gets_503_and_every_2xx_event_is_stored_once(tight):
    before = stream_last_sequence(tight.stream)
    # Two requests (of two producers: one producer holds at most half this budget) take the whole budget with
    # their Content-Length and hold it, sending almost nothing.
    hogs = [Hog(tight.ingress, *large_batch("hog", 100 * h, 40)[:2], token=token) for h, token in enumerate([ACME_TOKEN, GLOBEX_TOKEN])]
    until("the two bodies hold the budget", lambda: tight.metric("projection_ingress_inflight_bytes") == sum(len(h.body) for h in hogs))
    # Meanwhile every large body is refused: 503 with Retry-After, nothing published.
    bodies = [large_batch("flood", 1000 + 100 * n, 40) for n in range(FLOOD)]
    answers: list = [None] * FLOOD
    gate = threading.Barrier(FLOOD)

    def send(n: int) -> None:
        gate.wait()
        body, headers, _ = bodies[n]
        answers[n] = post(tight.ingress, body, headers, ACME_TOKEN, timeout=120)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(FLOOD)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    for status, h, answer in answers:
        assert status == 503, answer
        assert h.get("retry-after") == "1" and answer["error"] == "unavailable", answer
    assert tight.metric("projection_ingress_over_budget_total") >= FLOOD
    # A chunked body (no Content-Length) is charged as it arrives: more than is left is 503 too.
    body, headers, _ = large_batch("chunked", 5000, 40)
    u = urllib.parse.urlsplit(tight.ingress)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    conn.request("POST", u.path, body=(body[i:i + 4096] for i in range(0, len(body), 4096)), encode_chunked=True,
                 headers={**headers, "Authorization": f"Bearer {ACME_TOKEN}", "Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 503 and r.getheader("retry-after") == "1", r.read()
    conn.close()
    assert stream_last_sequence(tight.stream) == before
    assert tight.ingest.poll() is None

    # The held bodies arrive: both stored; the budget is whole again.
    stored: dict[str, int] = {}
    for hog in hogs:
        status, answer = hog.finish()
        assert status == 200 and answer["duplicates"] == 0, answer
        ids = [e["id"] for e in json.loads(hog.body)]
        stored.update(zip(ids, answer["sequences"]))
    until("the budget given back", lambda: tight.metric("projection_ingress_inflight_bytes") == 0)

    # The flood again, each producer retrying its 503s (as the SDKs do) until stored: every 2xx event is in
    # the stream exactly once, whatever mix of 2xx, 503 and client timeouts the machine's speed gives (a
    # retry after a timeout may answer duplicates: the same sequences).
    failures: list[str] = []
    lock = threading.Lock()

    def produce(n: int) -> None:
        gate.wait()
        body, headers, ids = bodies[n]
        answer, _ = post_until_stored(tight.ingress, body, headers, ACME_TOKEN, deadline_s=300, failed=failures.append)
        with lock:
            stored.update(zip(ids, answer["sequences"]))

    gate = threading.Barrier(FLOOD)
    threads = [threading.Thread(target=produce, args=(n,)) for n in range(FLOOD)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=400)
    assert all(not t.is_alive() for t in threads)
    print(f"flood: {len(failures)} attempts retried: {sorted(set(failures))}")
    total = 40 * (2 + FLOOD)
    assert len(stored) == total
    # Each event once: distinct sequences, exactly the stream's new ones.
    assert sorted(stored.values()) == list(range(before + 1, before + total + 1))
    assert stream_last_sequence(tight.stream) == before + total
    assert tight.ingest.poll() is None


def test_one_producer_announcing_bodies_it_never_sends_does_not_lock_out_another(tight):
    """The budget is taken from `Content-Length` up front and held until the body deadline (600 s here): one
    producer's token opening connections that announce large bodies and send nothing gets 503 itself once
    its part (a quarter of the budget, at least one largest body) is held, and another producer is still served."""
    before = stream_last_sequence(tight.stream)
    body, headers, _ = large_batch("lock", 7000, 40)
    hog = Hog(tight.ingress, body, headers, token=ACME_TOKEN)
    until("the body holds its producer's part", lambda: tight.metric("projection_ingress_inflight_bytes") == len(body))
    status, h, answer = post(tight.ingress, *large_batch("lock", 7100, 40)[:2], ACME_TOKEN, timeout=120)
    assert status == 503 and h.get("retry-after") == "1", answer
    other, other_headers, ids = large_batch("lock", 7200, 40)
    status, _, answer = post(tight.ingress, other, other_headers, GLOBEX_TOKEN, timeout=120)
    assert status == 200 and len(answer["sequences"]) == len(ids), answer
    status, answer = hog.finish()
    assert status == 200 and len(answer["sequences"]) == 40, answer
    until("the budget given back", lambda: tight.metric("projection_ingress_inflight_bytes") == 0)
    assert stream_last_sequence(tight.stream) == before + 80
    assert tight.ingest.poll() is None


@pytest.mark.parametrize("element", [b"0", b'{"a":0}'])
def test_an_element_count_bomb_is_413_and_reaches_nothing(tight, element):
    before = stream_last_sequence(tight.stream)
    count = (MAX_BODY - 2) // (len(element) + 1)
    assert count > MAX_BATCH
    bomb = b"[" + b",".join([element] * count) + b"]"
    status, _, answer = post(tight.ingress, bomb, {"Content-Type": "application/cloudevents-batch+json"}, ACME_TOKEN)
    assert status == 413 and answer["error"] == "too_large" and answer["attribute"] == "body", answer
    assert f"at most {MAX_BATCH} events" in answer["message"]
    # The same values as one event's data: over the per-request value bound, 413 too.
    inner = b"[" + b",".join([b"0"] * ((MAX_BODY - 200) // 2)) + b"]"
    one = (b'{"specversion":"1.0","id":"bomb","source":"/tests/bounds","type":"' + PLACED.encode()
           + b'","data":{"order_id":"bomb","pad":' + inner + b"}}")
    status, _, answer = post(tight.ingress, one, {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN)
    assert status == 413 and answer["error"] == "too_large", answer
    assert stream_last_sequence(tight.stream) == before
    assert tight.ingest.poll() is None


def test_a_waiter_whose_client_hangs_up_stops_and_waiters_are_bounded(tight):
    """Paused, the ingest applies nothing, so a `?wait=` would last its whole 600 s: the waiter count and the
    wait outcomes on /metrics show it end when its client goes, long before."""
    gone = tight.metric("projection_ingress_waits_total", outcome="client_gone") or 0
    over = tight.metric("projection_ingress_waits_total", outcome="over_capacity") or 0
    assert tight.admin("pause")["paused"] is True
    try:
        body, headers = structured(order("waiter", 1))
        u = urllib.parse.urlsplit(tight.ingress)
        sock = socket.create_connection((u.hostname, u.port), timeout=180)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall((f"POST {u.path}?wait={MAX_WAIT_MS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ACME_TOKEN}\r\n{head}"
                      f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        until("the request waits", lambda: tight.metric("projection_ingress_waiters") == 1)
        # The only waiter place is taken: another ?wait= is stored and answered 202 at once.
        other, headers2 = structured(order("waiter", 2))
        status, _, answer = post(tight.ingress + f"?wait={MAX_WAIT_MS}", other, headers2, ACME_TOKEN, timeout=120)
        assert status == 202 and answer["visible"] is False and answer["duplicate"] is False, answer
        assert tight.metric("projection_ingress_waits_total", outcome="over_capacity") == over + 1
        # The client hangs up: the wait stops (its place is free again), not after 600 s.
        sock.close()
        until("the wait stops", lambda: tight.metric("projection_ingress_waiters") == 0)
        assert tight.metric("projection_ingress_waits_total", outcome="client_gone") == gone + 1
    finally:
        tight.admin("resume")
    # Stored all the same: a retry is a duplicate that becomes visible.
    status, _, answer = post(tight.ingress + "?wait=60000", body, headers, ACME_TOKEN, timeout=120)
    assert status == 200 and answer["duplicate"] is True and answer["visible"] is True, answer


def test_an_event_over_the_nats_max_payload_is_413_and_reaches_nothing(tmp_path_factory):
    """NATS counts an event's headers (its message id, Content-Type) against max_payload, 1 MiB on the
    dev server. An event the fact limit allows but the server cannot take whole is refused with 413
    naming max_payload, and nothing is stored; it used to get 503 (retry) on every attempt."""
    p = make_projection("postgres", tmp_path_factory.mktemp("ingress-max-payload"),
                        PROJECTION_INGRESS_MAX_BODY_BYTES=str(4 << 20), PROJECTION_MAX_FACT_BYTES=str(4 << 20),
                        PROJECTION_INGRESS_MAX_INFLIGHT_BYTES=str(8 << 20))
    try:
        before = stream_last_sequence(p.stream)
        probe, _ = structured(order("maxpayload", 0))
        # Serialised just under max_payload (the binding adds the tenant, ~20 bytes), and well over it.
        for i, size in enumerate([(1 << 20) - 60, 2 << 20]):
            body, headers = structured(order("maxpayload", i + 1, pad=size - len(probe)))
            assert abs(len(body) - size) < 16 and len(body) < (1 << 20) or size > (1 << 20)
            status, _, answer = post(p.ingress, body, headers, ACME_TOKEN)
            assert status == 413 and answer["error"] == "too_large" and answer["attribute"] == "data", answer
            assert "max_payload" in answer["message"], answer
        assert stream_last_sequence(p.stream) == before
        # One that fits with its headers is stored.
        body, headers = structured(order("maxpayload", 9, pad=(1 << 20) - 4096 - len(probe)))
        status, _, answer = post(p.ingress, body, headers, ACME_TOKEN)
        assert status == 200, answer
        assert stream_last_sequence(p.stream) == before + 1
    finally:
        p.stop()
