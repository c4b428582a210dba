"""How the ClickHouse front marks errors: the way clickhouse-server does, never in row data."""

from __future__ import annotations

import importlib.util
import json
import re

from conftest import FRONT

_spec = importlib.util.spec_from_file_location("front_module", FRONT)


def _front_module():
    # Importing front.py loads chdb; the dev venv has it (the tests run there).
    module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(module)
    return module


TAG_RE = re.compile(r"^[a-z0-9]{16}$")


def test_error_has_error_status_and_exception_code_header(front):
    r = front.query("SELECT * FROM projection.no_such_table")
    assert r.status == 404
    assert r.header("X-ClickHouse-Exception-Code") == "60"
    assert r.text.startswith("Code: 60. DB::Exception: ")
    assert TAG_RE.match(r.header("X-ClickHouse-Exception-Tag"))


def test_throw_in_query_is_an_error_status_not_a_200(front):
    r = front.query("SELECT throwIf(number = 3, 'boom') FROM numbers(10)")
    assert r.status == 500
    assert r.header("X-ClickHouse-Exception-Code") == "395"
    assert "boom" in r.text


def test_row_holding_exception_text_is_plain_data(front, table):
    value = "Code: 1. DB::Exception: boom"
    front.ok(f"INSERT INTO {table} FORMAT JSONEachRow", body=json.dumps({"id": 1, "name": value}))
    r = front.query(f"SELECT name FROM {table} FORMAT JSONCompact")
    assert r.status == 200
    assert r.header("X-ClickHouse-Exception-Code") is None
    assert json.loads(r.body)["data"] == [[value]]
    r = front.query(f"SELECT name FROM {table}")
    assert r.status == 200 and r.body == (value + "\n").encode()


def test_every_response_carries_a_fresh_exception_tag(front):
    tags = {front.query("SELECT 1").header("X-ClickHouse-Exception-Tag") for _ in range(3)}
    assert len(tags) == 3 and all(TAG_RE.match(t) for t in tags)


def test_late_exception_frame_matches_the_server_bytes():
    # A frame clickhouse-server 25.12 wrote (as captured by the clickhouse-rs client's tests).
    message = ("Code: 159. DB::Exception: Timeout exceeded: elapsed 126.147987 ms, maximum: 100 ms. "
               "(TIMEOUT_EXCEEDED) (version 25.12.1.649 (official build))")
    expected = (b"\r\n__exception__\r\nrnywyenlaeqynhmu\r\n" + message.encode()
                + b"\n142 rnywyenlaeqynhmu\r\n__exception__\r\n")
    front_module = _front_module()
    assert front_module.exception_frame(message, "rnywyenlaeqynhmu") == expected
    assert front_module.exception_frame(message + "\n", "rnywyenlaeqynhmu") == expected
