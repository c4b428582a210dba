"""The ClickHouse HTTP front (dev/clickhouse/front.py) against real clients and the real engine."""

from __future__ import annotations

import gzip
import http.client
import json
import shutil
import struct
import subprocess
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import FrontProcess

CURL = shutil.which("curl")


def rows_jsoneachrow(n: int, start: int = 0) -> bytes:
    return b"".join(b'{"id":%d,"name":"n%d"}\n' % (i, i) for i in range(start, start + n))


def count(front, table: str) -> int:
    return int(front.ok(f"SELECT count() FROM {table}"))


# -- queries ---------------------------------------------------------------------------------

def test_ping_and_root_answer_ok(front):
    assert front.request("GET", "/ping").body == b"Ok.\n"
    assert front.request("GET", "/").body == b"Ok.\n"


def test_unknown_path_and_empty_post_answer_as_clickhouse_server(front):
    # NotFoundHandler: plain text, no exception code; a POST without a query: "Empty query" (62, 400).
    r = front.request("GET", "/nope")
    assert r.status == 404 and r.header("X-ClickHouse-Exception-Code") is None
    assert r.text.startswith("There is no handle /nope") and "DB::Exception" not in r.text
    r = front.request("POST", "/", body=b"")
    assert r.status == 400 and r.header("X-ClickHouse-Exception-Code") == "62", r.text


def test_reserved_parameters_are_not_settings(front):
    # clickhouse-connect probes with client_protocol_version; it is the handler's, not a setting.
    assert front.ok("SELECT 1", client_protocol_version="54405") == "1\n"
    assert front.ok("SELECT 2", session_id="s2", close_session="1") == "2\n"
    r = front.query("SELECT 3", no_such_setting_here="1")
    assert r.status == 404 and r.header("X-ClickHouse-Exception-Code") == "115"


def test_query_from_url_parameter_body_and_both(front):
    assert front.ok("SELECT 1") == "1\n"
    assert front.ok(body="SELECT 2") == "2\n"
    # ClickHouse concatenates: query parameter first, then the body.
    assert front.ok("SELECT 40", body="+ 2") == "42\n"


def test_default_format_is_tab_separated_and_format_clause_wins(front):
    r = front.query("SELECT 1 AS a, 'x' AS b")
    assert r.body == b"1\tx\n"
    assert r.header("X-ClickHouse-Format") == "TabSeparated"
    r = front.query("SELECT 1 AS a, 'x' AS b", default_format="JSONEachRow")
    assert json.loads(r.body) == {"a": 1, "b": "x"}
    assert r.header("X-ClickHouse-Format") == "JSONEachRow"
    r = front.query("SELECT 1 AS a, 'x' AS b FORMAT CSV", default_format="JSONEachRow")
    assert r.body == b'1,"x"\n'
    assert r.header("X-ClickHouse-Format") == "CSV"


def test_database_from_parameter_and_header(front):
    assert front.ok("SELECT currentDatabase()") == "default\n"
    assert front.ok("SELECT currentDatabase()", database="projection") == "projection\n"
    r = front.query("SELECT currentDatabase()", headers={"X-ClickHouse-Database": "projection"})
    assert r.body == b"projection\n"
    r = front.query("SELECT 1", database="no_such_db")
    assert r.status == 404 and r.header("X-ClickHouse-Exception-Code") == "81"


def test_server_side_query_parameters(front):
    text = front.ok("SELECT {x:UInt8} + 1, {s:String}, {a:Array(UInt16)}", param_x="41", param_s="it's",
                    param_a="[1,2]")
    assert text == "42\tit\\'s\t[1,2]\n"
    r = front.query("SELECT {missing:UInt8}")
    assert r.status != 200 and r.header("X-ClickHouse-Exception-Code") == "456"


def test_get_requests_are_read_only(front, table):
    r = front.query(f"INSERT INTO {table} VALUES (1, 'a')", method="GET")
    assert r.status == 500
    assert r.header("X-ClickHouse-Exception-Code") == "164"
    assert count(front, table) == 0


# -- inserts ---------------------------------------------------------------------------------

def test_insert_with_content_length(front, table):
    r = front.query(f"INSERT INTO {table} FORMAT JSONEachRow", body=rows_jsoneachrow(10_000))
    assert r.status == 200, r.text
    assert front.summary(r)["written_rows"] == "10000"
    assert front.ok(f"SELECT count(), sum(id), max(name) FROM {table}") == "10000\t49995000\tn9999\n"


def test_insert_with_data_inline_in_body(front, table):
    front.ok(body=f"INSERT INTO {table} FORMAT JSONEachRow\n" + rows_jsoneachrow(3).decode())
    front.ok(body=f"INSERT INTO {table} (id, name) VALUES (100, 'v1'), (101, 'v2')")
    front.ok(f"INSERT INTO {table} VALUES", body="(200, 'w')")
    front.ok(body=f"INSERT INTO {table} SELECT number + 300, 's' FROM numbers(4)")
    assert count(front, table) == 3 + 2 + 1 + 4


def test_insert_row_binary(front, table):
    data = b"".join(struct.pack("<Q", i) + bytes([len(s)]) + s for i, s in ((i, b"rb%d" % i) for i in range(1000)))
    r = front.query(f"INSERT INTO {table} FORMAT RowBinary", body=data)
    assert r.status == 200, r.text
    assert front.ok(f"SELECT count(), max(name) FROM {table}") == "1000\trb999\n"


@pytest.mark.skipif(CURL is None, reason="needs curl")
def test_insert_chunked_transfer_encoding_with_curl(front, table, tmp_path):
    data = tmp_path / "rows.tsv"
    data.write_bytes(b"".join(b"%d\tc%d\n" % (i, i) for i in range(20_000)))
    url = f"{front.url}/?query=" + f"INSERT INTO {table} FORMAT TabSeparated".replace(" ", "%20")
    p = subprocess.run([CURL, "-sS", "-v", "--fail-with-body", "-H", "Transfer-Encoding: chunked",
                        "--data-binary", f"@{data}", url], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert b"> Transfer-Encoding: chunked" in p.stderr  # curl really sent a chunked body
    assert count(front, table) == 20_000


@pytest.mark.skipif(CURL is None, reason="needs curl")
def test_insert_gzip_request_body_with_curl(front, table, tmp_path):
    data = tmp_path / "rows.json.gz"
    data.write_bytes(gzip.compress(rows_jsoneachrow(5_000)))
    url = f"{front.url}/?query=" + f"INSERT INTO {table} FORMAT JSONEachRow".replace(" ", "%20")
    p = subprocess.run([CURL, "-sS", "--fail-with-body", "-H", "Content-Encoding: gzip", "--data-binary",
                        f"@{data}", url], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert count(front, table) == 5_000


def test_insert_deflate_request_body(front, table):
    r = front.query(f"INSERT INTO {table} FORMAT JSONEachRow", body=zlib.compress(rows_jsoneachrow(10)),
                    headers={"Content-Encoding": "deflate"})
    assert r.status == 200, r.text
    assert count(front, table) == 10


def test_bad_insert_data_is_a_400_and_the_connection_stays_usable(front, table):
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=30)
    try:
        path = "/?query=" + f"INSERT INTO {table} FORMAT JSONEachRow".replace(" ", "%20")
        r = front.request("POST", path, b'{"id":"not a number","name":1}\n', conn=conn)
        assert r.status == 400
        assert r.header("X-ClickHouse-Exception-Code") == "27"
        assert b"(CANNOT_PARSE_INPUT_ASSERTION_FAILED)" in r.body
        r = front.request("POST", "/", b"SELECT 7", conn=conn)
        assert r.body == b"7\n"
    finally:
        conn.close()
    assert count(front, table) == 0


# -- compression of responses -------------------------------------------------------------------

def test_gzip_response_only_when_enabled_and_accepted(front):
    sql = "SELECT number FROM numbers(1000)"
    expected = "".join(f"{i}\n" for i in range(1000)).encode()
    r = front.query(sql, enable_http_compression="1", headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") == "gzip"
    assert gzip.decompress(r.body) == expected
    r = front.query(sql, headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") is None and r.body == expected
    r = front.query(sql, enable_http_compression="1")
    assert r.header("Content-Encoding") is None and r.body == expected


# -- settings -----------------------------------------------------------------------------------

def test_insert_deduplication_token_dedupes_identical_token(front, table):
    sql = f"INSERT INTO {table} FORMAT JSONEachRow"
    front.ok(sql, body=rows_jsoneachrow(5), insert_deduplication_token="batch-1")
    front.ok(sql, body=rows_jsoneachrow(5, start=50), insert_deduplication_token="batch-1")
    assert count(front, table) == 5
    front.ok(sql, body=rows_jsoneachrow(5, start=50), insert_deduplication_token="batch-2")
    assert count(front, table) == 10


def test_max_result_rows_with_throw_errors_and_does_not_leak(front):
    r = front.query("SELECT number FROM numbers(10)", max_result_rows="5", result_overflow_mode="throw")
    assert r.status == 500
    assert r.header("X-ClickHouse-Exception-Code") == "396"
    assert b"(TOO_MANY_ROWS_OR_BYTES)" in r.body
    assert front.ok("SELECT count() FROM (SELECT number FROM numbers(10))") == "10\n"
    assert len(front.ok("SELECT number FROM numbers(10)").splitlines()) == 10


def test_readonly_rejects_insert_and_does_not_leak(front, table):
    r = front.query(f"INSERT INTO {table} FORMAT JSONEachRow", body=rows_jsoneachrow(1), readonly="1")
    assert r.header("X-ClickHouse-Exception-Code") == "164"
    assert b"Code: 164. DB::Exception:" in r.body and b"(READONLY)" in r.body
    assert front.ok("SELECT 1", readonly="1") == "1\n"
    front.ok(f"INSERT INTO {table} FORMAT JSONEachRow", body=rows_jsoneachrow(1))
    assert count(front, table) == 1


def test_settings_apply_per_request_only(front):
    assert front.ok("SELECT getSetting('max_execution_time')", max_execution_time="17") == "17\n"
    assert front.ok("SELECT getSetting('max_execution_time')") == "0\n"
    # chdb's own default here is best_effort, unlike clickhouse-server's basic.
    default = front.ok("SELECT getSetting('date_time_input_format')")
    other = "basic" if default == "best_effort\n" else "best_effort"
    assert front.ok("SELECT getSetting('date_time_input_format')", date_time_input_format=other) == other + "\n"
    assert front.ok("SELECT getSetting('date_time_input_format')") == default
    # HTTP-layer parameters are not settings.
    assert front.ok("SELECT 3", wait_end_of_query="1", session_id="s1", query_id="q-1") == "3\n"
    r = front.query("SELECT 1", no_such_setting="1")
    assert r.status == 404 and r.header("X-ClickHouse-Exception-Code") == "115"


# -- auth ---------------------------------------------------------------------------------------

def test_auth_by_basic_headers_and_url_parameters(front):
    assert front.ok("SELECT 1", user="projection", password="projection") == "1\n"
    r = front.query("SELECT 2", headers={"X-ClickHouse-User": "projection", "X-ClickHouse-Key": "projection"})
    assert r.status == 200 and r.body == b"2\n"
    r = front.request("GET", "/?user=projection&password=projection&query=SELECT%203")
    assert r.status == 200 and r.body == b"3\n"


@pytest.mark.parametrize("how", ["basic", "headers", "params", "unknown-user"])
def test_bad_credentials_are_rejected(front, how):
    if how == "basic":
        r = front.query("SELECT 1", user="projection", password="wrong")
    elif how == "headers":
        r = front.query("SELECT 1", headers={"X-ClickHouse-User": "projection", "X-ClickHouse-Key": "wrong"})
    elif how == "params":
        r = front.request("GET", "/?user=projection&password=wrong&query=SELECT%201")
    else:
        r = front.query("SELECT 1", user="mallory", password="x")
    assert r.status in (401, 403)
    assert r.header("X-ClickHouse-Exception-Code") == "516"
    assert r.text.startswith("Code: 516. DB::Exception: ")
    assert "Authentication failed" in r.text and "(AUTHENTICATION_FAILED)" in r.text
    assert "wrong" not in r.text


# -- headers and errors -------------------------------------------------------------------------

def test_query_id_and_summary_headers(front):
    r = front.query("SELECT count() FROM numbers(1000)", query_id="my-query-1")
    assert r.header("X-ClickHouse-Query-Id") == "my-query-1"
    assert r.header("X-ClickHouse-Timezone") == "UTC"
    assert r.header("X-ClickHouse-Server-Display-Name")
    summary = front.summary(r)
    assert set(summary) >= {"read_rows", "read_bytes", "written_rows", "written_bytes", "total_rows_to_read",
                            "result_rows", "result_bytes", "elapsed_ns"}
    assert summary["read_rows"] == "1000"
    assert summary["result_rows"] == "1"
    assert summary["result_bytes"] == str(len(r.body))
    generated = front.query("SELECT 1").header("X-ClickHouse-Query-Id")
    assert uuid.UUID(generated)


@pytest.mark.parametrize("sql,status,code,name", [
    ("SELECT * FROM projection.no_such_table", 404, 60, "UNKNOWN_TABLE"),
    ("SELEC 1", 400, 62, "SYNTAX_ERROR"),
    ("SELECT throwIf(1)", 500, 395, "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO"),
    ("SELECT 1 FORMAT NoSuchFormat", 404, 73, "UNKNOWN_FORMAT"),
])
def test_exceptions_map_to_status_body_and_header(front, sql, status, code, name):
    r = front.query(sql)
    assert r.status == status
    assert r.header("X-ClickHouse-Exception-Code") == str(code)
    assert r.text.startswith(f"Code: {code}. DB::Exception: ")
    assert r.text.endswith(f"({name}) (version 26.9.2.1)\n")
    assert r.text.count("DB::Exception") == 1


def test_keep_alive_reuses_one_connection(front):
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=30)
    try:
        front.request("GET", "/?query=SELECT%201", conn=conn)
        sock = conn.sock
        for i in range(5):
            assert front.request("POST", "/", b"SELECT %d" % i, conn=conn).body == b"%d\n" % i
            assert conn.sock is sock
    finally:
        conn.close()


def test_fifty_concurrent_requests(front, table):
    def work(i: int):
        r = front.query(f"INSERT INTO {table} FORMAT JSONEachRow", body=rows_jsoneachrow(100, start=i * 100))
        assert r.status == 200, r.text
        return front.ok(f"SELECT sum(number) FROM numbers({i + 1000})")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(work, range(50)))
    assert results == [f"{(i + 1000) * (i + 999) // 2}\n" for i in range(50)]
    assert count(front, table) == 5000


# -- lifecycle ----------------------------------------------------------------------------------

def test_data_survives_restart_and_sigterm_exits_zero(tmp_path):
    first = FrontProcess(tmp_path / "data", tmp_path / "front.log").start()
    try:
        first.ok(body="CREATE TABLE projection.kept (id UInt64) ENGINE = MergeTree ORDER BY id")
        first.ok("INSERT INTO projection.kept FORMAT JSONEachRow", body=b'{"id":1}\n{"id":2}\n')
        # An idle keep-alive connection must not hold up shutdown.
        idle = http.client.HTTPConnection("127.0.0.1", first.port, timeout=30)
        first.request("GET", "/ping", conn=idle)
        assert first.terminate(timeout=30) == 0
        idle.close()
    finally:
        first.kill()
    second = FrontProcess(tmp_path / "data", tmp_path / "front.log").start()
    try:
        assert second.ok("SELECT sum(id) FROM projection.kept") == "3\n"
        assert second.terminate(timeout=30) == 0
    finally:
        second.kill()


# -- the official Python client -------------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, "gzip", False])
def test_clickhouse_connect_insert_and_select(front, table, compress):
    clickhouse_connect = pytest.importorskip("clickhouse_connect")
    client = clickhouse_connect.get_client(host="127.0.0.1", port=front.port, username="projection",
                                           password="projection", database="projection", compress=compress)
    try:
        assert client.server_version.startswith("26.9")
        rows = [(i, f"cc{i}") for i in range(10_000)]
        summary = client.insert(table.split(".", 1)[1], rows, column_names=["id", "name"])
        assert summary.written_rows == 10_000
        assert client.query(f"SELECT count(), sum(id) FROM {table}").result_rows == [(10_000, 49_995_000)]
        got = client.query(f"SELECT name FROM {table} WHERE id = {{id:UInt64}}", parameters={"id": 4242})
        assert got.result_rows == [("cc4242",)]
    finally:
        client.close()
    assert count(front, table) == 10_000
