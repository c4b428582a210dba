"""The official Connect Python runtime (connectrpc) against projection-query on both stores.

Every call is made with the client's defaults (binary protobuf, gzip both ways), with JSON, with
gzip on and off and with GET; each answer must equal the plain JSON POST answer (parsed into the
same message). Then the negative cases of the Connect spec that apply to unary calls, over raw HTTP.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import urllib.parse

import pytest
from connectrpc.code import Code
from connectrpc.codec import proto_json_codec
from connectrpc.errors import ConnectError

from conftest import SENSORS_SERVICE, SERVICE

# (RPC, stub method, request fields in proto3 JSON)
CALLS = [
    ("GetDailySales", "get_daily_sales", {"fromDay": "2026-11-01", "toDay": "2026-11-28"}),
    ("GetDailySales", "get_daily_sales", {"fromDay": "2026-11-05", "toDay": "2026-11-05"}),
    ("GetDailySales", "get_daily_sales", {"fromDay": "2026-12-01", "toDay": "2026-12-31"}),
    ("GetTopCustomers", "get_top_customers", {"fromDay": "2026-10-01", "toDay": "2026-11-30"}),
    ("GetTopCustomers", "get_top_customers", {"fromDay": "2026-10-01", "toDay": "2026-11-30", "limit": 2}),
    ("GetOrder", "get_order", {"orderId": "o1"}),
    ("GetOrder", "get_order", {"orderId": "ö5"}),
    ("GetOrder", "get_order", {"orderId": "o4"}),
    ("GetOrder", "get_order", {"orderId": "missing"}),
]

SENSOR_CALLS = [
    ("GetSiteHourly", "get_site_hourly", {"siteId": "s1", "fromHour": "2026-06-01T00:00:00Z", "toHour": "2026-06-01T23:00:00Z"}),
    ("GetSiteHourly", "get_site_hourly", {"siteId": "s1", "fromHour": "2026-06-01T01:00:00.000Z", "toHour": "2026-06-01T01:00:00Z"}),
    ("GetSensor", "get_sensor", {"sensorId": "sensor-1"}),
    ("GetSensor", "get_sensor", {"sensorId": "sensor-2"}),
    ("ListSensors", "list_sensors", {"siteId": "s1"}),
    ("ListSensors", "list_sensors", {"siteId": "s1", "limit": 1}),
    ("ListCalibrations", "list_calibrations", {"sensorId": "sensor-1"}),
    ("ListCalibrations", "list_calibrations", {"sensorId": "sensor-1", "limit": 1}),
    ("GetSensor", "get_sensor", {"sensorId": "missing"}),
]

# name → (client options, use GET)
VARIANTS = {
    "defaults (proto, gzip)": ({}, False),
    "json, gzip": ({"codec": proto_json_codec()}, False),
    "proto, no gzip": ({"send_compression": None, "accept_compression": []}, False),
    "json, no gzip": ({"codec": proto_json_codec(), "send_compression": None, "accept_compression": []}, False),
    "GET defaults (proto, gzip, base64)": ({}, True),
    "GET json, no gzip": ({"codec": proto_json_codec(), "send_compression": None, "accept_compression": []}, True),
}

TENANT = {"x-tenant-id": "acme"}


def raw(server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    u = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={**TENANT, **(headers or {})})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def post_json(server, rpc: str, fields: dict, service: str = SERVICE):
    """The reference answer: JSON POST without compression."""
    return raw(server, "POST", f"/{service}/{rpc}", json.dumps(fields).encode(), {"content-type": "application/json"})


def response_type(stubs, rpc: str):
    pb, _ = stubs
    return getattr(pb, f"{rpc}Response")


def request_message(stubs, rpc: str, fields: dict):
    pb, _ = stubs
    return getattr(pb, f"{rpc}Request").from_json(json.dumps(fields))


def check_every_call(server, pb, client_class, service, calls, variant):
    """Each call through the client equals the JSON POST answer parsed into the same message;
    errors carry the same code and message."""
    options, use_get = VARIANTS[variant]
    answered = 0
    with client_class(server.url, **options) as client:
        for rpc, stub, fields in calls:
            status, _, body = post_json(server, rpc, fields, service)
            call = getattr(client, stub)
            request = getattr(pb, f"{rpc}Request").from_json(json.dumps(fields))
            kwargs = {"headers": TENANT, "use_get": use_get}
            if status == 200:
                expected = getattr(pb, f"{rpc}Response").from_json(body)
                got = call(request, **kwargs)
                assert got == expected, f"{server.store} {variant} {rpc} {fields}: {got.to_json()} != {body!r}"
                answered += 1
            else:
                err = json.loads(body)
                with pytest.raises(ConnectError) as raised:
                    call(request, **kwargs)
                assert raised.value.code.value == err["code"], f"{variant} {rpc} {fields}"
                assert raised.value.message == err["message"]
    assert answered == len(calls) - 1, "every call but the last (a missing row) answers 200"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_answer_matches_the_json_post_answer(server, stubs, variant):
    pb, connect = stubs
    check_every_call(server, pb, connect.OrdersAnalyticsQueryClientSync, SERVICE, CALLS, variant)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_sensor_readings_answers_match_too(sensors_server, sensor_stubs, variant):
    """The example projection with optional fields, doubles, decimals as strings, timestamps in rows,
    NULLs and an optional uint32: the same through every codec and transport."""
    pb, connect = sensor_stubs
    check_every_call(sensors_server, pb, connect.SensorReadingsQueryClientSync, SENSORS_SERVICE, SENSOR_CALLS, variant)


def test_sensor_reference_answers_are_not_empty(sensors_server):
    status, _, body = post_json(sensors_server, "GetSiteHourly", SENSOR_CALLS[0][2], SENSORS_SERVICE)
    rows = json.loads(body)["rows"]
    assert status == 200 and len(rows) == 3
    assert "maxOffsetC" not in rows[0] and rows[1]["maxOffsetC"] == 0.5 and rows[2]["energyWh"] == "-4.000"
    status, _, body = post_json(sensors_server, "GetSensor", {"sensorId": "sensor-2"}, SENSORS_SERVICE)
    assert status == 200 and "firmware" not in json.loads(body)["sensor"]


def test_reference_answers_are_not_empty(server):
    """The comparison is not vacuous: the fixture rows come back, non-ASCII ids and negative amounts included."""
    status, _, body = post_json(server, "GetDailySales", {"fromDay": "2026-11-01", "toDay": "2026-11-28"})
    assert status == 200 and len(json.loads(body)["rows"]) == 28
    status, _, body = post_json(server, "GetOrder", {"orderId": "ö5"})
    assert status == 200 and json.loads(body)["order"]["amountCents"] == "-100"
    status, _, body = post_json(server, "GetOrder", {"orderId": "o4"})
    assert json.loads(body)["order"]["placedAt"] == "2026-11-02T08:30:00.001Z"


def test_binary_and_compressed_wire(server, stubs):
    """What the client's defaults put on the wire: application/proto both ways, gzip requests, and
    gzip responses once an answer is large enough to gain from it (1 KiB, as connect-go)."""
    request = request_message(stubs, "GetDailySales", {"fromDay": "2026-11-01", "toDay": "2026-11-28"})
    status, headers, body = raw(server, "POST", f"/{SERVICE}/GetDailySales", gzip.compress(request.to_binary()), {
        "content-type": "application/proto", "content-encoding": "gzip", "accept-encoding": "gzip",
        "connect-protocol-version": "1", "connect-timeout-ms": "60000"})
    assert status == 200 and headers["content-type"] == "application/proto"
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    assert len(response_type(stubs, "GetDailySales").from_binary(body).rows) == 28
    # The same answer in JSON is past 1 KiB: compressed.
    status, headers, body = raw(server, "POST", f"/{SERVICE}/GetDailySales", request.to_json().encode(),
                                {"content-type": "application/json", "accept-encoding": "br, gzip"})
    assert status == 200 and headers["content-type"] == "application/json"
    assert headers.get("content-encoding") == "gzip" and len(json.loads(gzip.decompress(body))["rows"]) == 28
    # One tenant's answer: private, and keyed on the tenant header and the token too, so a shared cache in
    # front of GET answers cannot hand it to another tenant.
    assert headers.get("vary") == "Accept-Encoding, Authorization, x-tenant-id"
    assert headers.get("cache-control") == "private"
    # Small answers are not worth compressing.
    status, headers, _ = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":"o1"}',
                             {"content-type": "application/json", "accept-encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers
    # Errors too.
    status, headers, _ = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":1}', {"content-type": "application/json"})
    assert status == 400 and headers.get("cache-control") == "private"


def error(body: bytes) -> dict:
    parsed = json.loads(body)
    assert set(parsed) >= {"code", "message"}
    return parsed


def test_unsupported_codec_is_415(server):
    for content_type in ["application/xml", "application/x-www-form-urlencoded", "application/json; charset=latin1"]:
        status, headers, _ = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":"o1"}', {"content-type": content_type})
        assert status == 415, content_type
        assert "application/proto" in headers["accept-post"] and "application/json" in headers["accept-post"]
    status, _, _ = raw(server, "GET", f"/{SERVICE}/GetOrder?connect=v1&encoding=xml&message=%7B%7D")
    assert status == 415


def test_unsupported_compression_is_unimplemented(server):
    status, headers, body = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":"o1"}',
                                {"content-type": "application/json", "content-encoding": "br"})
    assert status == 501 and error(body)["code"] == "unimplemented"
    assert "gzip" in error(body)["message"] and "gzip" in headers["accept-encoding"]
    status, _, body = raw(server, "GET", f"/{SERVICE}/GetOrder?connect=v1&encoding=json&compression=br&message=%7B%7D")
    assert status == 501 and error(body)["code"] == "unimplemented"


def test_bad_timeout_and_protocol_version_are_invalid_argument(server):
    for value in ["abc", "-5", "12345678901", "1.5"]:
        status, _, body = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":"o1"}',
                              {"content-type": "application/json", "connect-timeout-ms": value})
        assert status == 400 and error(body)["code"] == "invalid_argument", value
    status, _, body = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":"o1"}',
                          {"content-type": "application/json", "connect-protocol-version": "2"})
    assert status == 400 and error(body)["code"] == "invalid_argument"
    # A deadline that has already passed: deadline_exceeded, whatever the machine's speed.
    status, _, body = raw(server, "POST", f"/{SERVICE}/GetOrder", b'{"orderId":"o1"}',
                          {"content-type": "application/json", "connect-timeout-ms": "0"})
    assert status == 504 and error(body)["code"] == "deadline_exceeded"


def test_bad_get_parameters(server):
    cases = {
        "connect=v1&encoding=json&base64=1&message=%21%21": (400, "invalid_argument"),   # not base64
        "connect=v2&encoding=json&message=%7B%7D": (400, "invalid_argument"),
        "connect=v1&message=%7B%7D": (400, "invalid_argument"),                         # no encoding
        "connect=v1&encoding=json&base64=yes&message=e30": (400, "invalid_argument"),
        "connect=v1&encoding=proto&base64=1&message=CP8": (400, "invalid_argument"),    # truncated proto
        "connect=v1&encoding=json&compression=gzip&base64=1&message=e30": (400, "invalid_argument"),  # not gzip
    }
    for query, (want_status, want_code) in cases.items():
        status, _, body = raw(server, "GET", f"/{SERVICE}/GetOrder?{query}")
        assert (status, error(body)["code"]) == (want_status, want_code), query


def test_errors_are_json_for_both_codecs(server, stubs):
    _, connect = stubs
    status, headers, body = raw(server, "POST", f"/{SERVICE}/GetOrder", b"\x0a\x05o", {"content-type": "application/proto"})
    assert status == 400 and headers["content-type"] == "application/json" and error(body)["code"] == "invalid_argument"
    with connect.OrdersAnalyticsQueryClientSync(server.url) as client:
        with pytest.raises(ConnectError) as raised:
            client.get_order(request_message(stubs, "GetOrder", {}), headers=TENANT)
        assert raised.value.code == Code.INVALID_ARGUMENT and "order_id" in raised.value.message
        with pytest.raises(ConnectError) as raised:
            client.get_order(request_message(stubs, "GetOrder", {"orderId": "o1"}))  # no tenant header
        assert raised.value.code == Code.INVALID_ARGUMENT


def test_gzip_bomb_is_resource_exhausted(server):
    bomb = gzip.compress(b"\0" * (8 << 20))
    assert len(bomb) < 65536
    status, _, body = raw(server, "POST", f"/{SERVICE}/GetOrder", bomb,
                          {"content-type": "application/proto", "content-encoding": "gzip"})
    assert status == 429 and error(body)["code"] == "resource_exhausted"
    # The same bomb as a GET message (base64, compression=gzip): bounded the same way.
    small = gzip.compress(b"\0" * (1 << 20))
    query = urllib.parse.urlencode({"connect": "v1", "encoding": "proto", "base64": "1", "compression": "gzip",
                                    "message": base64.urlsafe_b64encode(small).decode()})
    status, _, body = raw(server, "GET", f"/{SERVICE}/GetOrder?{query}")
    assert status == 429 and error(body)["code"] == "resource_exhausted"
