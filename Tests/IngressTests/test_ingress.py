"""The HTTP push ingress with the official CloudEvents Python SDK (cloudevents.core) on both stores:
structured, binary and batch events reach the read model and the query API answers exactly; retries
are stored once; every refusal is the documented 4xx and leaves the stream untouched."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import socket
import urllib.parse

from conftest import ACME_TOKEN, GLOBEX_TOKEN, MAX_BATCH, MAX_BODY, PLACED, PLACED_ONLY_TOKEN, REFUNDED, stream_last_sequence
from ingress_client import batch, binary, event, payload_hash, post, structured


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def placed(order: str, customer: str, cents: int, at: str, tenant: str | None = None, **ext):
    return event(PLACED, {"order_id": order, "customer_id": customer, "amount_cents": cents, "currency": "EUR", "placed_at": at},
                 id_=f"placed-{order}", tenant=tenant, **ext)


def test_modes_reach_the_store_exactly(projection):
    url = projection.ingress
    sequences = {}
    # Structured mode, acme's token (its only tenant is bound when the event names none).
    for order, customer, cents, at in (("o1", "c1", 2000, "2026-11-01T10:00:00Z"), ("o2", "c2", 1500, "2026-11-01T12:00:00.250Z")):
        body, headers = structured(placed(order, customer, cents, at))
        status, _, answer = post(url, body, headers, ACME_TOKEN)
        assert status == 200, answer
        assert answer["stream"] == projection.stream and answer["duplicate"] is False
        sequences[order] = answer["sequence"]
    # Binary mode (ce-* headers), with a payloadhash the producer computed.
    o3 = {"order_id": "o3", "customer_id": "c2", "amount_cents": 500, "currency": "USD", "placed_at": "2026-11-02T23:59:59.999Z"}
    body, headers = binary(event(PLACED, o3, id_="placed-o3", tenant="acme", payloadhash=payload_hash(o3)))
    assert any(k.lower() == "ce-payloadhash" for k in headers)
    status, _, answer = post(url, body, headers, ACME_TOKEN)
    assert status == 200, answer
    sequences["o3"] = answer["sequence"]
    refund = {"refund_id": "r1", "order_id": "o1", "amount_cents": 300, "refunded_at": "2026-11-02T08:00:00Z"}
    body, headers = binary(event(REFUNDED, refund, id_="refund-r1", time_=utc(2026, 11, 2, 8)))
    status, _, answer = post(url, body, headers, ACME_TOKEN)
    assert status == 200, answer
    # Batch mode: globex's three orders, then twenty acme orders.
    globex = [placed(f"g{i}", f"gc{i}", 100 * i, "2026-11-01T09:00:00Z", tenant="globex") for i in (1, 2, 3)]
    body, headers = batch(globex)
    status, _, answer = post(url, body, headers, GLOBEX_TOKEN)
    assert status == 200, answer
    assert len(answer["sequences"]) == 3 and answer["duplicates"] == 0
    assert answer["sequences"] == sorted(answer["sequences"]) and len(set(answer["sequences"])) == 3
    many = [placed(f"o{i}", f"c{i % 4}", 10 * i, "2026-11-03T00:00:00Z") for i in range(10, 30)]
    body, headers = batch(many)
    # Read-your-writes: 200 only once the checkpoint has passed the batch (every earlier event too).
    status, _, answer = post(url + "?wait=30000", body, headers, ACME_TOKEN)
    assert status == 200, answer
    assert answer["visible"] is True
    sequences.update({f"o{i}": s for i, s in zip(range(10, 30), answer["sequences"])})
    assert projection.checkpoint() >= max(answer["sequences"])

    rows = projection.call("GetDailySales", {"fromDay": "2026-11-01", "toDay": "2026-11-30"})["rows"]
    got = [(r["day"], int(r.get("orderCount", 0)), int(r.get("grossCents", 0)), int(r.get("refundCents", 0)), int(r.get("netCents", 0))) for r in rows]
    assert got == [("2026-11-01", 2, 3500, 0, 3500), ("2026-11-02", 1, 500, 300, 200), ("2026-11-03", 20, 3900, 0, 3900)]
    rows = projection.call("GetDailySales", {"fromDay": "2026-11-01", "toDay": "2026-11-30"}, tenant="globex")["rows"]
    assert [(r["day"], int(r["orderCount"]), int(r["grossCents"])) for r in rows] == [("2026-11-01", 3, 600)]
    order = projection.call("GetOrder", {"orderId": "o2"})["order"]
    assert (order["orderId"], order["customerId"], int(order["amountCents"]), order["currency"]) == ("o2", "c2", 1500, "EUR")
    assert order["placedAt"] == "2026-11-01T12:00:00.250Z"
    # The row's version is the stream sequence the ingress answered with.
    assert int(order["version"]) == sequences["o2"]
    assert int(projection.call("GetOrder", {"orderId": "o3"})["order"]["version"]) == sequences["o3"]
    assert int(projection.call("GetOrder", {"orderId": "o29"})["order"]["version"]) == sequences["o29"]
    top = projection.call("GetTopCustomers", {"fromDay": "2026-11-01", "toDay": "2026-11-30", "limit": 2})["rows"]
    assert [(r["customerId"], int(r["orderCount"]), int(r["grossCents"])) for r in top] == [("c1", 6, 2000 + 10 * (13 + 17 + 21 + 25 + 29)), ("c2", 7, 1500 + 500 + 10 * (10 + 14 + 18 + 22 + 26))]


def test_a_retry_is_stored_once(projection):
    body, headers = structured(placed("dup-1", "c1", 1, "2026-11-20T00:00:00Z"))
    first = post(projection.ingress, body, headers, ACME_TOKEN)
    last = stream_last_sequence(projection.stream)
    second = post(projection.ingress, body, headers, ACME_TOKEN)
    assert first[0] == 200 and second[0] == 200
    assert second[2]["sequence"] == first[2]["sequence"] and second[2]["duplicate"] is True
    # A batch repeating it (and itself twice) adds only the one new event.
    body, headers = batch([placed("dup-1", "c1", 1, "2026-11-20T00:00:00Z"), placed("dup-2", "c1", 1, "2026-11-20T00:00:00Z"),
                           placed("dup-2", "c1", 1, "2026-11-20T00:00:00Z")])
    status, _, answer = post(projection.ingress, body, headers, ACME_TOKEN)
    assert status == 200 and answer["duplicates"] == 2
    assert answer["sequences"][0] == first[2]["sequence"] and answer["sequences"][1] == answer["sequences"][2] == last + 1
    assert stream_last_sequence(projection.stream) == last + 1


def _refusals(projection):
    good = {"order_id": "x1", "customer_id": "c", "amount_cents": 1, "currency": "EUR", "placed_at": "2026-11-01T00:00:00Z"}
    s = lambda e: structured(e)
    pad = {**good, "pad": "x" * MAX_BODY}
    cases = [
        # (name, body, headers, token, status, error code, attribute, batch index)
        ("hash mismatch", *s(event(PLACED, good, id_="r-hash", payloadhash=payload_hash({**good, "amount_cents": 2}))), ACME_TOKEN, 400, "invalid_event", "payloadhash", None),
        ("hash in binary mode", *binary(event(PLACED, good, id_="r-hash2", payloadhash="0" * 64)), ACME_TOKEN, 400, "invalid_event", "payloadhash", None),
        ("forged tenant", *s(event(PLACED, good, id_="r-tenant", tenant="globex")), ACME_TOKEN, 403, "forbidden", "tenantid", None),
        ("forged tenant in a batch", *batch([event(PLACED, good, id_="r-ok"), event(PLACED, good, id_="r-t2", tenant="globex")]), ACME_TOKEN, 403, "forbidden", "tenantid", 1),
        ("type not granted", *s(event(REFUNDED, good, id_="r-type")), PLACED_ONLY_TOKEN, 403, "forbidden", "type", None),
        ("no token", *s(event(PLACED, good, id_="r-anon")), None, 401, "unauthorized", "Authorization", None),
        ("unknown token", *s(event(PLACED, good, id_="r-anon2")), "not-a-producer-token-x", 401, "unauthorized", "Authorization", None),
        ("oversized body", *s(event(PLACED, pad, id_="r-big")), ACME_TOKEN, 413, "too_large", "body", None),
        ("oversized batch", *batch([event(PLACED, good, id_=f"r-n{i}") for i in range(MAX_BATCH + 1)]), ACME_TOKEN, 413, "too_large", "body", None),
        ("not JSON", b"{\"specversion\":", {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN, 400, "invalid_event", "body", None),
        ("no id", json.dumps({"specversion": "1.0", "source": "/s", "type": PLACED}).encode(), {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN, 400, "invalid_event", "id", None),
        ("bad specversion", json.dumps({"specversion": "0.3", "id": "1", "source": "/s", "type": PLACED}).encode(), {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN, 400, "invalid_event", "specversion", None),
        ("bad time", json.dumps({"specversion": "1.0", "id": "1", "source": "/s", "type": PLACED, "time": "today"}).encode(), {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN, 400, "invalid_event", "time", None),
        ("data not an object", json.dumps({"specversion": "1.0", "id": "1", "source": "/s", "type": PLACED, "data": [1, 2]}).encode(), {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN, 400, "invalid_event", "data", None),
        ("binary data", json.dumps({"specversion": "1.0", "id": "1", "source": "/s", "type": PLACED, "data_base64": "AAEC"}).encode(), {"Content-Type": "application/cloudevents+json"}, ACME_TOKEN, 400, "invalid_event", "data_base64", None),
        ("bad event in a batch", b"[" + structured(event(PLACED, good, id_="r-b1"))[0] + b",{\"specversion\":\"1.0\",\"id\":\"2\",\"type\":\"t\"}]", {"Content-Type": "application/cloudevents-batch+json"}, ACME_TOKEN, 400, "invalid_event", "source", 1),
        ("plain JSON", json.dumps(good).encode(), {"Content-Type": "application/json"}, ACME_TOKEN, 415, "unsupported_media_type", "Content-Type", None),
        ("binary text data", b"hello", {"Content-Type": "text/plain", "ce-specversion": "1.0", "ce-id": "1", "ce-source": "/s", "ce-type": PLACED}, ACME_TOKEN, 415, "unsupported_media_type", "Content-Type", None),
    ]
    return cases


def test_refusals_are_documented_4xx_and_store_nothing(projection):
    before = stream_last_sequence(projection.stream)
    for name, body, headers, token, status, code, attribute, index in _refusals(projection):
        got, h, answer = post(projection.ingress, body, headers, token)
        assert got == status, f"{name}: {got} {answer}"
        assert answer["error"] == code and answer.get("attribute") == attribute and answer.get("index") == index, f"{name}: {answer}"
        assert ACME_TOKEN not in json.dumps(answer) and "not-a-producer-token-x" not in json.dumps(answer)
        if status == 401:
            assert h.get("www-authenticate") == "Bearer"
    # Nothing of it reached the stream.
    assert stream_last_sequence(projection.stream) == before
    # The same event with the right hash is taken.
    good = {"order_id": "x1", "customer_id": "c", "amount_cents": 1, "currency": "EUR", "placed_at": "2026-11-01T00:00:00Z"}
    status, _, answer = post(projection.ingress, *structured(event(PLACED, good, id_="r-hash", payloadhash=payload_hash(good))), ACME_TOKEN)
    assert status == 200, answer
    assert answer["sequence"] == before + 1
    # /metrics counts requests by outcome.
    import urllib.request

    with urllib.request.urlopen(projection.ingest_url + "/metrics", timeout=30) as r:
        metrics = r.read().decode()
    for outcome in ("ok", "invalid_event", "forbidden", "unauthorized", "too_large", "unsupported_media_type"):
        assert f'outcome="{outcome}"' in metrics, outcome
    assert "projection_ingress_events_total" in metrics


def test_wait_answers_202_when_not_applied_in_time(projection):
    """A paused ingest applies nothing: ?wait= ends with 202 and visible=false; the event is stored all the
    same, and once resumed the retry is a duplicate that becomes visible."""
    paused = projection.admin("pause")
    assert paused["paused"] is True
    try:
        body, headers = structured(placed("wait-1", "c9", 9, "2026-11-25T00:00:00Z"))
        status, _, answer = post(projection.ingress + "?wait=300", body, headers, ACME_TOKEN)
        assert status == 202, answer
        assert answer["visible"] is False and answer["sequence"] == stream_last_sequence(projection.stream)
    finally:
        projection.admin("resume")
    status, _, again = post(projection.ingress + "?wait=30000", body, headers, ACME_TOKEN)
    assert status == 200 and again["visible"] is True and again["duplicate"] is True and again["sequence"] == answer["sequence"]
    assert int(projection.call("GetOrder", {"orderId": "wait-1"})["order"]["version"]) == answer["sequence"]
    for bad in ("-1", "x", "999999999"):
        status, _, refused = post(projection.ingress + f"?wait={bad}", body, headers, ACME_TOKEN)
        assert status == 400 and refused["attribute"] == "wait"


def test_a_body_that_never_completes_gets_408_and_stores_nothing(projection):
    before = stream_last_sequence(projection.stream)
    u = urllib.parse.urlsplit(projection.ingress)
    with socket.create_connection((u.hostname, u.port), timeout=120) as s:
        s.sendall((f"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ACME_TOKEN}\r\n"
                   "Content-Type: application/cloudevents+json\r\nContent-Length: 1000\r\n\r\n{\"specversion\"").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert stream_last_sequence(projection.stream) == before
