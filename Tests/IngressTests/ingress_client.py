"""Small HTTP helpers for the ingress tests: POST a CloudEvents HTTP message, canonical JSON for
payloadhash, and a producer that retries as the Python Projector SDKs do (every 5xx and timeout)."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.parse
from datetime import datetime, timezone

from cloudevents.core.bindings.http import to_binary, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

FORMAT = JSONFormat()
BATCH_TYPE = "application/cloudevents-batch+json"


def post(url: str, body: bytes, headers: dict, token: str | None, timeout: float = 60):
    """(status, lower-cased headers, parsed JSON body or raw bytes)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        h = dict(headers)
        if token:
            h["Authorization"] = f"Bearer {token}"
        conn.request("POST", u.path + (f"?{u.query}" if u.query else ""), body=body, headers=h)
        r = conn.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed
    finally:
        conn.close()


def event(type_: str, data: dict, *, id_: str, source: str = "/tests/ingress", tenant: str | None = None,
          time_: datetime | None = None, **extensions) -> CloudEvent:
    attributes = {"type": type_, "source": source, "id": id_, "specversion": "1.0",
                  "time": time_ or datetime(2026, 11, 1, tzinfo=timezone.utc), "datacontenttype": "application/json"}
    if tenant is not None:
        attributes["tenantid"] = tenant
    attributes.update(extensions)
    return CloudEvent(attributes=attributes, data=data)


def structured(e: CloudEvent) -> tuple[bytes, dict]:
    m = to_structured(e, FORMAT)
    return m.body, dict(m.headers)


def binary(e: CloudEvent) -> tuple[bytes, dict]:
    m = to_binary(e, FORMAT)
    return m.body, dict(m.headers)


def batch(events: list[CloudEvent]) -> tuple[bytes, dict]:
    """The JSON batch format: an array of events, each written by the SDK's JSON format."""
    return b"[" + b",".join(FORMAT.write(e) for e in events) + b"]", {"Content-Type": BATCH_TYPE}


def canonical_json(value) -> bytes:
    """RFC 8785 for data made of strings, integers, booleans, null, arrays and objects with BMP keys:
    there it coincides with sorted keys, no whitespace and UTF-8 (floats would need ES number formatting)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_hash(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def post_until_stored(url: str, body: bytes, headers: dict, token: str, deadline_s: float = 180, failed=None):
    """Retries on every 5xx, timeout and connection error until a 2xx; a 4xx is a failure.
    `failed(reason)` is called for each failed attempt."""
    deadline = time.monotonic() + deadline_s
    attempts = 0
    while True:
        attempts += 1
        try:
            status, h, answer = post(url, body, headers, token, timeout=5)
            if 200 <= status < 300:
                return answer, attempts
            assert status >= 500, f"refused with {status}: {answer}"
            if status == 503:
                assert h.get("retry-after"), "a 503 without Retry-After"
            if failed:
                failed(f"http {status}")
        except (OSError, http.client.HTTPException) as e:
            if failed:
                failed(type(e).__name__)
        assert time.monotonic() < deadline, f"not stored after {attempts} attempts"
        time.sleep(0.05)
