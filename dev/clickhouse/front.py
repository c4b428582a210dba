#!/usr/bin/env python3
"""ClickHouse HTTP front for the dev stack and tests — NOT a production server.

It stands in for clickhouse-server's HTTP layer on machines without Docker or a
clickhouse-server package: the SQL engine is the real ClickHouse (26.9.2.1)
embedded in the PyPI package `chdb-core`, which cannot listen on a socket by
itself. This file speaks enough of the ClickHouse HTTP interface for ordinary
clients (curl, libcurl, clickhouse-connect):

* query from `?query=` and/or the POST body (query param first, then body);
  `INSERT ... FORMAT X` / `VALUES` with data in the body, streamed into the
  engine with `send_insert`; Content-Length and chunked request bodies;
  `Content-Encoding` gzip/deflate/xz/bz2 (lz4/zstd/br when those modules exist);
* URL settings applied on a fresh engine connection per request (so nothing
  leaks between requests), `param_NAME`, `database` / `X-ClickHouse-Database`,
  `default_format`, `query_id`; gzip/deflate responses with
  `enable_http_compression=1`;
* users from `--user NAME:PASSWORD` via X-ClickHouse-User/Key, basic auth or
  `user`/`password` params; ClickHouse-shaped errors and status codes;
* X-ClickHouse-Query-Id / Summary / Format / Timezone / Exception-Code headers;
  errors answer with an error status and `X-ClickHouse-Exception-Code`, like the
  server when it fails before the body; every response carries a random
  `X-ClickHouse-Exception-Tag` as clickhouse-server >= 25.11 does. Results are
  buffered whole before the status is sent, so a query never fails after a 200
  here and the tagged late-exception frame (see exception_frame) never occurs.

Not supported: `session_id` sessions (each request is independent; two requests
on one session never get SESSION_IS_LOCKED), native `compress=1`/`decompress=1`,
multipart form data, progress headers, settings profiles, readonly users and
setting constraints (compose's `projection_ro` has them: check a new query
setting against compose/clickhouse/users.d/projection.xml), grants, and a
per-connection request cap.

Usage: front.py --host 127.0.0.1 --port 8123 --data-dir DIR \
         --user default: --user projection:projection --database projection --log FILE
"""

from __future__ import annotations

import argparse
import base64
import bz2
import gzip
import json
import logging
import lzma
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# The engine and its timezone are fixed for the process, like a server's.
os.environ.setdefault("TZ", "UTC")

from chdb import state as chdb_state  # noqa: E402  (after TZ on purpose)

ENGINE_VERSION = "26.9.2.1"

# URL parameters consumed by the HTTP layer itself; every other one is a setting.
HANDLER_PARAMS = {
    "query", "database", "default_format", "query_id", "user", "password",
    "session_id", "session_timeout", "session_check", "compress", "decompress",
    "wait_end_of_query", "buffer_size", "stacktrace", "quota_key", "role",
    "enable_http_compression", "http_zlib_compression_level",
    # reserved by clickhouse-server's HTTPHandler too (clickhouse-connect sends the first one)
    "client_protocol_version", "close_session",
}

# Exception name -> HTTP status, as clickhouse-server's exceptionCodeToHTTPStatus.
_STATUS_BY_NAME = {"REQUIRED_PASSWORD": 401}
for _n in ("UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "SET_NON_GRANTED_ROLE", "ACCESS_DENIED"):
    _STATUS_BY_NAME[_n] = 403
for _n in (
    "BAD_ARGUMENTS", "CANNOT_COMPILE_REGEXP", "CANNOT_PARSE_TEXT", "CANNOT_PARSE_ESCAPE_SEQUENCE",
    "CANNOT_PARSE_QUOTED_STRING", "CANNOT_PARSE_DATE", "CANNOT_PARSE_DATETIME", "CANNOT_PARSE_NUMBER",
    "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING", "CANNOT_PARSE_IPV4", "CANNOT_PARSE_IPV6",
    "CANNOT_PARSE_INPUT_ASSERTION_FAILED", "CANNOT_PARSE_UUID", "DUPLICATE_COLUMN", "ILLEGAL_COLUMN",
    "UNKNOWN_ELEMENT_IN_AST", "UNKNOWN_TYPE_OF_AST_NODE", "THERE_IS_NO_COLUMN", "TOO_DEEP_AST",
    "TOO_BIG_AST", "UNEXPECTED_AST_STRUCTURE", "SYNTAX_ERROR", "INCORRECT_DATA", "TYPE_MISMATCH",
    "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
):
    _STATUS_BY_NAME[_n] = 400
for _n in (
    "UNKNOWN_TABLE", "UNKNOWN_FUNCTION", "UNKNOWN_IDENTIFIER", "UNKNOWN_TYPE", "UNKNOWN_STORAGE",
    "UNKNOWN_DATABASE", "UNKNOWN_SETTING", "UNKNOWN_DIRECTION_OF_SORTING", "UNKNOWN_AGGREGATE_FUNCTION",
    "UNKNOWN_FORMAT", "UNKNOWN_DATABASE_ENGINE", "UNKNOWN_TYPE_OF_QUERY", "UNKNOWN_ROLE",
):
    _STATUS_BY_NAME[_n] = 404
_STATUS_BY_NAME.update({
    "QUERY_IS_TOO_LARGE": 413, "NOT_IMPLEMENTED": 501, "SOCKET_TIMEOUT": 503, "CANNOT_OPEN_FILE": 503,
    "HTTP_LENGTH_REQUIRED": 411, "TIMEOUT_EXCEEDED": 408, "CANNOT_SCHEDULE_TASK": 503,
    "UNSUPPORTED_MEDIA_TYPE": 415,
})

_CONTENT_TYPES = {
    "tabseparated": "text/tab-separated-values; charset=UTF-8",
    "tsv": "text/tab-separated-values; charset=UTF-8",
    "csv": "text/csv; charset=UTF-8; header=absent",
    "csvwithnames": "text/csv; charset=UTF-8; header=present",
    "json": "application/json; charset=UTF-8",
    "jsoncompact": "application/json; charset=UTF-8",
    "jsoneachrow": "application/x-ndjson; charset=UTF-8",
    "jsoncompacteachrow": "application/x-ndjson; charset=UTF-8",
    "native": "application/octet-stream",
    "rowbinary": "application/octet-stream",
    "rowbinarywithnamesandtypes": "application/octet-stream",
    "parquet": "application/octet-stream",
    "arrow": "application/octet-stream",
    "arrowstream": "application/octet-stream",
}

_CODE_RE = re.compile(r"Code: (\d+)\. DB::Exception: ")
_NAME_RE = re.compile(r"\(([A-Z][A-Z0-9_]+)\)")
_VERSION_RE = re.compile(r" \(version [0-9.]+\)")
_SETTING_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_READ_PIECE = 1 << 20        # raw bytes pulled from the socket per read
_APPEND_BATCH = 1 << 20      # decoded bytes handed to the engine per append

log = logging.getLogger("clickhouse-front")


class ClickHouseError(Exception):
    """An error shaped like a clickhouse-server exception."""

    def __init__(self, code: int, name: str, message: str):
        super().__init__(message)
        self.code = code
        self.name = name
        self.message = message

    @property
    def http_status(self) -> int:
        return _STATUS_BY_NAME.get(self.name, 500)

    def body(self) -> bytes:
        return f"Code: {self.code}. DB::Exception: {self.message}. ({self.name}) (version {ENGINE_VERSION})\n".encode()

    @classmethod
    def from_engine(cls, exc: BaseException) -> "ClickHouseError":
        """Parses the engine's `Code: N. DB::Exception: ... (NAME)` text (chdb nests it, sometimes twice)."""
        text = str(exc)
        matches = list(_CODE_RE.finditer(text))
        if not matches:
            return cls(1001, "STD_EXCEPTION", text.strip() or type(exc).__name__)
        last = matches[-1]
        code = int(last.group(1))
        message = _VERSION_RE.sub("", text[last.end():]).strip()
        names = _NAME_RE.findall(message)
        name = names[-1] if names else "UNKNOWN_EXCEPTION"
        # Drop the trailing `. (NAME)` markers (repeated when nested); body() adds one back.
        message = re.sub(r"(\.? \(" + re.escape(name) + r"\))+\.?$", "", message).rstrip(". ")
        return cls(code, name, message)


_TAG_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
EXCEPTION_TAG_LENGTH = 16


def new_exception_tag() -> str:
    """A per-response tag like clickhouse-server's (16 random lower-case ASCII letters and digits)."""
    return "".join(secrets.choice(_TAG_ALPHABET) for _ in range(EXCEPTION_TAG_LENGTH))


def exception_frame(message: str, tag: str) -> bytes:
    """How clickhouse-server >= 25.11 writes an exception after the 200 header went out
    (WriteBufferFromHTTPServerResponse::cancelWithException); the connection is then broken:

        \\r\\n__exception__\\r\\n<tag>\\r\\n<message>\\n<length> <tag>\\r\\n__exception__\\r\\n

    <length> counts the message's bytes with its terminating newline. Kept with the front so a
    streaming answer would frame late errors the same way.
    """
    text = message.encode()
    if not text.endswith(b"\n"):
        text += b"\n"
    t = tag.encode()
    return b"\r\n__exception__\r\n" + t + b"\r\n" + text + str(len(text)).encode() + b" " + t + b"\r\n__exception__\r\n"


def _bad_request(message: str) -> ClickHouseError:
    return ClickHouseError(36, "BAD_ARGUMENTS", message)


# ---------------------------------------------------------------------------
# SQL scanning: just enough to split `INSERT ... FORMAT X <data>` and find FORMAT.

def _scan(sql: bytes):
    """Yields (kind, start, end) for top-level tokens: 'word', 'quoted', 'other'.

    Skips whitespace, comments and anything inside parentheses, so that FORMAT
    or VALUES inside a table function or a string literal is never matched.
    """
    i, n, depth = 0, len(sql), 0
    while i < n:
        c = sql[i]
        if c in b" \t\r\n\f\v":
            i += 1
        elif sql.startswith(b"--", i) or c == 0x23:  # -- or # comment
            j = sql.find(b"\n", i)
            i = n if j < 0 else j + 1
        elif sql.startswith(b"/*", i):
            j = sql.find(b"*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in b"'\"`":
            j = i + 1
            while j < n:
                if sql[j] == 0x5C:  # backslash escape
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            if depth == 0:
                yield "quoted", i, min(j + 1, n)
            i = j + 1
        elif c == 0x28:  # (
            depth += 1
            i += 1
        elif c == 0x29:  # )
            depth = max(0, depth - 1)
            i += 1
        elif (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A) or c == 0x5F:
            j = i + 1
            while j < n and ((0x30 <= sql[j] <= 0x39) or (0x41 <= sql[j] <= 0x5A) or (0x61 <= sql[j] <= 0x7A) or sql[j] == 0x5F):
                j += 1
            if depth == 0:
                yield "word", i, j
            i = j
        else:
            if depth == 0:
                yield "other", i, i + 1
            i += 1


def _unquote(tok: bytes) -> str:
    if tok[:1] in (b'"', b"`"):
        tok = tok[1:-1]
    return tok.decode("utf-8", "replace")


def first_keyword(sql: bytes) -> str:
    for kind, s, e in _scan(sql):
        return sql[s:e].decode("ascii", "replace").upper() if kind == "word" else ""
    return ""


def split_insert(sql: bytes):
    """For an INSERT, returns (statement, input_format, data_offset), or None when it carries no data.

    `statement` has the FORMAT/VALUES clause removed (what send_insert wants);
    data starts at data_offset. INSERT ... SELECT returns None.
    """
    tokens = _scan(sql)
    prev_word = None
    for kind, s, e in tokens:
        word = sql[s:e].upper() if kind == "word" else None
        if word == b"VALUES" and prev_word is not None:
            return sql[:s].decode("utf-8", "replace"), "Values", e
        if word in (b"SELECT", b"WITH") and prev_word is not None:
            return None
        if word == b"FORMAT" and prev_word is not None:
            nxt = next(tokens, None)
            if nxt is None or nxt[0] not in ("word", "quoted"):
                return None
            fmt = _unquote(sql[nxt[1]:nxt[2]])
            # Like ClickHouse: data starts after the newline following the format name, if any.
            p = nxt[2]
            while p < len(sql) and sql[p] in b" \t\r":
                p += 1
            if p < len(sql) and sql[p] == 0x0A:
                p += 1
            return sql[:s].decode("utf-8", "replace"), fmt, p
        if word is not None:
            prev_word = word
    return None


def output_format(sql: bytes):
    """The FORMAT named by a (non-INSERT) query, if any; it wins over default_format."""
    found = None
    tokens = _scan(sql)
    for kind, s, e in tokens:
        if kind == "word" and sql[s:e].upper() == b"FORMAT":
            nxt = next(tokens, None)
            if nxt is not None and nxt[0] in ("word", "quoted"):
                found = _unquote(sql[nxt[1]:nxt[2]])
    return found


# ---------------------------------------------------------------------------
# Request bodies: framing (Content-Length / chunked) and Content-Encoding.

class _Decoder:
    """Incremental Content-Encoding decoder."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        if encoding in ("", "identity"):
            self._obj = None
        elif encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._obj = zlib.decompressobj(zlib.MAX_WBITS)
        elif encoding == "xz":
            self._obj = lzma.LZMADecompressor()
        elif encoding == "bz2":
            self._obj = bz2.BZ2Decompressor()
        elif encoding == "lz4":
            try:
                import lz4.frame  # optional: present where clickhouse-connect is installed
            except ImportError:
                raise self._unsupported()
            self._obj = lz4.frame.LZ4FrameDecompressor()
        elif encoding == "zstd":
            try:
                from backports import zstd  # optional, as above
            except ImportError:
                try:
                    from compression import zstd  # Python >= 3.14
                except ImportError:
                    raise self._unsupported()
            self._obj = zstd.ZstdDecompressor()
        elif encoding == "br":
            try:
                import brotli
            except ImportError:
                raise self._unsupported()
            self._obj = brotli.Decompressor()
        else:
            raise self._unsupported()

    def _unsupported(self) -> ClickHouseError:
        return ClickHouseError(415, "UNSUPPORTED_MEDIA_TYPE", f"Unsupported Content-Encoding: {self.encoding}")

    def feed(self, data: bytes) -> bytes:
        if self._obj is None or not data:
            return data
        try:
            if self.encoding == "br":
                return self._obj.process(data)
            out = self._obj.decompress(data)
            # Concatenated gzip/zstd members: restart on the leftover bytes.
            while getattr(self._obj, "eof", False) and getattr(self._obj, "unused_data", b""):
                rest = self._obj.unused_data
                self.__init__(self.encoding)
                out += self._obj.decompress(rest)
            return out
        except ClickHouseError:
            raise
        except Exception as e:
            raise ClickHouseError(354, "ZLIB_INFLATE_FAILED" if self.encoding in ("gzip", "x-gzip", "deflate") else "CANNOT_DECOMPRESS",
                                  f"Cannot decode {self.encoding} request body: {e}")

    def finish(self) -> bytes:
        if self._obj is not None and hasattr(self._obj, "flush"):
            return self._obj.flush()
        return b""


class RequestBody:
    """Decoded request body, read lazily from the socket in pieces."""

    def __init__(self, rfile, headers):
        self._rfile = rfile
        te = (headers.get("Transfer-Encoding") or "").lower()
        self._chunked = "chunked" in te
        length = headers.get("Content-Length")
        if self._chunked:
            self._remaining = None
        elif length is not None:
            try:
                self._remaining = int(length)
            except ValueError:
                raise _bad_request("Invalid Content-Length")
        else:
            self._remaining = 0
        self._chunk_left = 0
        self._raw_done = self._remaining == 0 and not self._chunked
        self._decoder = _Decoder((headers.get("Content-Encoding") or "").strip().lower())
        self._pending = b""   # decoded bytes pushed back (e.g. after the INSERT head)
        self.complete = self._raw_done

    def _read_raw(self, limit: int) -> bytes:
        if self._raw_done:
            return b""
        if not self._chunked:
            data = self._rfile.read(min(limit, self._remaining))
            if not data:
                raise _bad_request("Request body ended before Content-Length bytes")
            self._remaining -= len(data)
            if self._remaining == 0:
                self._raw_done = True
            return data
        if self._chunk_left == 0:
            line = self._rfile.readline(1024)
            if not line:
                raise _bad_request("Chunked request body ended early")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _bad_request("Malformed chunk size in chunked request body")
            if size == 0:
                while True:  # trailers up to the blank line
                    trailer = self._rfile.readline(65536)
                    if trailer in (b"\r\n", b"\n", b""):
                        break
                self._raw_done = True
                return b""
            self._chunk_left = size
        data = self._rfile.read(min(limit, self._chunk_left))
        if not data:
            raise _bad_request("Chunked request body ended early")
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            self._rfile.readline(8)  # CRLF after the chunk data
        return data

    def read_piece(self) -> bytes:
        """Next decoded piece (any size); b'' at the end of the body."""
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        while not self._raw_done:
            out = self._decoder.feed(self._read_raw(_READ_PIECE))
            if out:
                return out
        if not self.complete:
            self.complete = True
            return self._decoder.finish()
        return b""

    def unread(self, data: bytes) -> None:
        self._pending = data + self._pending

    def read_all(self) -> bytes:
        parts = []
        while True:
            piece = self.read_piece()
            if not piece:
                return b"".join(parts)
            parts.append(piece)

    def read_head(self, limit: int) -> bytes:
        """At least `limit` decoded bytes (or the whole body when shorter)."""
        parts, size = [], 0
        while size < limit:
            piece = self.read_piece()
            if not piece:
                break
            parts.append(piece)
            size += len(piece)
        return b"".join(parts)


# ---------------------------------------------------------------------------
# Engine

class Engine:
    """One embedded ClickHouse engine bound to a data directory for the process life."""

    def __init__(self, data_dir: str):
        os.makedirs(data_dir, exist_ok=True)
        self._url = "file:" + os.path.abspath(data_dir)
        # Kept open so the engine is not shut down between requests.
        self._base = chdb_state.connect(self._url)

    def execute_admin(self, sql: str) -> None:
        self._base.query(sql, "TabSeparated")

    def connect(self):
        """A fresh connection: its own session, so per-request settings never leak."""
        return chdb_state.connect(self._url)

    def close(self) -> None:
        if self._base is not None:
            self._base.close()
            self._base = None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ---------------------------------------------------------------------------
# HTTP

# Requests slower than this get a "slow" log line naming their statement.
_SLOW_MS = 2000.0


class FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, engine: Engine, users: dict, display_name: str):
        self.engine = engine
        self.users = users
        self.display_name = display_name
        self.inflight = 0
        self.inflight_lock = threading.Condition()
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ClickHouse-dev-front"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are dropped after this

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # route http.server's own messages to our log
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_GET(self):
        self._handle(readonly_method=True)

    def do_POST(self):
        self._handle(readonly_method=False)

    # -- request handling ----------------------------------------------------

    def _handle(self, readonly_method: bool):
        server: FrontServer = self.server  # type: ignore[assignment]
        with server.inflight_lock:
            server.inflight += 1
        started = time.monotonic()
        query_id = ""
        user = "?"
        status = 200
        self._statement = ""
        try:
            url = urlsplit(self.path)
            params = parse_qsl(url.query, keep_blank_values=True)
            pmap = {}
            for k, v in params:
                pmap[k] = v
            query_id = pmap.get("query_id") or str(uuid.uuid4())
            if url.path in ("/ping", "/replicas_status"):
                self._drain_quietly()
                return self._reply(200, b"Ok.\n", "text/html; charset=UTF-8", query_id=None)
            if url.path != "/":
                self._drain_quietly()
                # clickhouse-server's NotFoundHandler: plain text, no exception code.
                status = 404
                return self._reply(404, f"There is no handle {url.path}\n\nUse / or /ping for health checks.\n"
                                   "Or /replicas_status for more sophisticated health checks.\n".encode(),
                                   "text/plain; charset=UTF-8", query_id=None)
            user = self._authenticate(pmap)
            status = self._run(pmap, params, query_id, readonly_method)
        except ClickHouseError as e:
            status = e.http_status
            self._error(e, query_id)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # keep serving; report as ClickHouse does for std exceptions
            log.exception("internal error")
            status = 500
            self._error(ClickHouseError(1001, "STD_EXCEPTION", f"{type(e).__name__}: {e}"), query_id)
        finally:
            elapsed_ms = (time.monotonic() - started) * 1000
            log.info("%s %s user=%s query_id=%s status=%d %.1fms", self.command, urlsplit(self.path).path,
                     user, query_id, status, elapsed_ms)
            if elapsed_ms >= _SLOW_MS and self._statement:
                # A slow-query line (clickhouse-server keeps these in system.query_log): the statement's
                # start only, never parameters or bodies.
                log.warning("slow query_id=%s %.1fms: %s", query_id, elapsed_ms, " ".join(self._statement.split())[:200])
            with server.inflight_lock:
                server.inflight -= 1
                server.inflight_lock.notify_all()

    def _authenticate(self, pmap) -> str:
        h = self.headers
        if h.get("X-ClickHouse-User") is not None or h.get("X-ClickHouse-Key") is not None:
            name, key = h.get("X-ClickHouse-User") or "default", h.get("X-ClickHouse-Key") or ""
        elif (h.get("Authorization") or "").lower().startswith("basic "):
            try:
                raw = base64.b64decode(h["Authorization"].split(None, 1)[1]).decode("utf-8")
            except Exception:
                raise _bad_request("Invalid Authorization header")
            name, _, key = raw.partition(":")
        else:
            name, key = pmap.get("user") or "default", pmap.get("password") or ""
        expected = self.server.users.get(name)  # type: ignore[attr-defined]
        if expected is None or expected != key:
            self.close_connection = True  # the body was not read
            raise ClickHouseError(516, "AUTHENTICATION_FAILED",
                                  f"{name}: Authentication failed: password is incorrect, or there is no user with such name")
        return name

    def _session_settings(self, pmap, readonly_method: bool):
        settings = [(k, v) for k, v in pmap.items() if k not in HANDLER_PARAMS and not k.startswith("param_")]
        for k, _ in settings:
            if not _SETTING_NAME_RE.match(k):
                raise ClickHouseError(115, "UNKNOWN_SETTING", f"Unknown setting '{k}'")
        if readonly_method:
            # GET requests are read-only in ClickHouse (readonly=2 still allows settings).
            ro = [v for k, v in settings if k == "readonly"]
            if not ro or ro[-1] in ("0", ""):
                settings = [(k, v) for k, v in settings if k != "readonly"] + [("readonly", "2")]
        # readonly last: once set to 1 no further setting may change.
        settings.sort(key=lambda kv: kv[0] == "readonly")
        return settings

    def _open_session(self, pmap, readonly_method: bool):
        if pmap.get("compress") == "1" or pmap.get("decompress") == "1":
            raise ClickHouseError(48, "NOT_IMPLEMENTED", "compress/decompress (native compression) is not supported by the dev front")
        conn = self.server.engine.connect()  # type: ignore[attr-defined]
        try:
            for k, v in self._session_settings(pmap, readonly_method):
                conn.query(f"SET {k} = {_quote(v)}", "TabSeparated")
            database = pmap.get("database") or self.headers.get("X-ClickHouse-Database")
            if database:
                conn.query(f"USE `{database.replace('`', '``')}`", "TabSeparated")
            return conn
        except Exception as e:
            conn.close()
            raise ClickHouseError.from_engine(e) if not isinstance(e, ClickHouseError) else e

    def _run(self, pmap, params, query_id, readonly_method) -> int:
        body = RequestBody(self.rfile, self.headers)
        qparam = pmap.get("query", "").encode("utf-8")
        engine_params = {k[6:]: v for k, v in pmap.items() if k.startswith("param_")}
        default_format = pmap.get("default_format") or "TabSeparated"

        if qparam.strip():
            head = qparam
            body_is_data = True
        else:
            # Whole statement (and maybe inline INSERT data) in the body.
            head = body.read_head(64 * 1024)
            body_is_data = False
            if not head.strip():
                # GET / is the server's static "Ok."; a POST without a query reaches the query handler.
                if self.command == "POST":
                    raise ClickHouseError(62, "SYNTAX_ERROR", "Empty query")
                return self._reply(200, b"Ok.\n", "text/html; charset=UTF-8", query_id=None)

        if first_keyword(head) == "INSERT":
            split = split_insert(head)
            if split is None and not body_is_data and not body.complete:
                # The FORMAT clause may lie beyond the first piece: read more.
                head += body.read_head(16 * 1024 * 1024)
                split = split_insert(head)
            if split is not None:
                statement, fmt, offset = split
                inline = head[offset:]
                if body_is_data:
                    if inline.strip():
                        body.unread(inline + b"\n")
                else:
                    body.unread(inline)
                return self._insert(pmap, statement, fmt, body, query_id, readonly_method)

        # Plain query: query param first, then the body, as ClickHouse does.
        rest = body.read_all()
        sql = head + (b"\n" + rest if body_is_data and rest else rest if not body_is_data else b"")
        return self._query(pmap, sql, engine_params, default_format, query_id, readonly_method)

    def _insert(self, pmap, statement, fmt, body: RequestBody, query_id, readonly_method) -> int:
        started = time.monotonic_ns()
        self._statement = f"{statement} FORMAT {fmt}"
        conn = self._open_session(pmap, readonly_method)
        try:
            try:
                inserter = conn.send_insert(statement, fmt)
            except Exception as e:
                if not body.complete:
                    self.close_connection = True
                raise ClickHouseError.from_engine(e)
            try:
                batch, size = [], 0
                while True:
                    piece = body.read_piece()
                    if piece:
                        batch.append(piece)
                        size += len(piece)
                    if size >= _APPEND_BATCH or (not piece and size):
                        inserter.append(b"".join(batch) if len(batch) > 1 else batch[0])
                        batch, size = [], 0
                    if not piece:
                        break
                result = inserter.finish()
            except ClickHouseError:
                self._cancel(inserter)
                self.close_connection = True
                raise
            except Exception as e:
                self._cancel(inserter)
                if not body.complete:
                    self.close_connection = True
                raise ClickHouseError.from_engine(e)
        finally:
            conn.close()
        summary = {
            "read_rows": "0", "read_bytes": "0",
            "written_rows": str(result.rows_written), "written_bytes": str(result.bytes_written),
            "total_rows_to_read": "0",
            "result_rows": str(result.rows_written), "result_bytes": str(result.bytes_written),
            "elapsed_ns": str(time.monotonic_ns() - started),
        }
        return self._reply(200, b"", "text/plain; charset=UTF-8", query_id=query_id, summary=summary,
                           fmt=pmap.get("default_format") or "TabSeparated")

    @staticmethod
    def _cancel(inserter):
        try:
            inserter.cancel()
        except Exception:
            pass

    def _query(self, pmap, sql: bytes, engine_params, default_format, query_id, readonly_method) -> int:
        started = time.monotonic_ns()
        text = sql.decode("utf-8", "surrogateescape")
        if not text.strip():
            raise ClickHouseError(62, "SYNTAX_ERROR", "Empty query")
        fmt = output_format(sql) or default_format
        self._statement = text[:400]
        conn = self._open_session(pmap, readonly_method)
        try:
            # The raw engine call hands back stats with the bytes; the FORMAT clause still wins.
            result = conn._conn.query(text, default_format, params=engine_params)
        except Exception as e:
            raise ClickHouseError.from_engine(e)
        finally:
            conn.close()
        data = result.bytes()
        summary = {
            "read_rows": str(result.storage_rows_read()), "read_bytes": str(result.storage_bytes_read()),
            "written_rows": str(result.rows_written()), "written_bytes": str(result.bytes_written()),
            "total_rows_to_read": "0",
            "result_rows": str(result.rows_read()), "result_bytes": str(len(data)),
            "elapsed_ns": str(time.monotonic_ns() - started),
        }
        ctype = _CONTENT_TYPES.get(fmt.lower(), "text/plain; charset=UTF-8")
        return self._reply(200, data, ctype, query_id=query_id, summary=summary, fmt=fmt,
                           compress=pmap.get("enable_http_compression") == "1",
                           level=pmap.get("http_zlib_compression_level"))

    # -- responses -----------------------------------------------------------

    def _drain_quietly(self):
        try:
            RequestBody(self.rfile, self.headers).read_all()
        except Exception:
            self.close_connection = True

    def _reply(self, status, data: bytes, ctype, query_id, summary=None, fmt=None, compress=False, level=None) -> int:
        encoding = None
        if compress and data:
            accept = (self.headers.get("Accept-Encoding") or "").lower()
            lvl = int(level) if level and level.isdigit() else 3
            if "gzip" in accept:
                encoding, data = "gzip", gzip.compress(data, compresslevel=max(1, min(9, lvl)))
            elif "deflate" in accept:
                encoding, data = "deflate", zlib.compress(data, max(1, min(9, lvl)))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if query_id:
            self.send_header("X-ClickHouse-Query-Id", query_id)
        if fmt:
            self.send_header("X-ClickHouse-Format", fmt)
        self.send_header("X-ClickHouse-Timezone", "UTC")
        self.send_header("X-ClickHouse-Server-Display-Name", self.server.display_name)  # type: ignore[attr-defined]
        self.send_header("X-ClickHouse-Exception-Tag", new_exception_tag())
        if summary is not None:
            self.send_header("X-ClickHouse-Summary", json.dumps(summary, separators=(",", ":")))
        self.send_header("Connection", "close" if self.close_connection else "Keep-Alive")
        if not self.close_connection:
            self.send_header("Keep-Alive", f"timeout={self.timeout}")
        self.end_headers()
        if data:
            self.wfile.write(data)
        return status

    def _error(self, err: ClickHouseError, query_id):
        try:
            self.send_response(err.http_status)
            body = err.body()
            self.send_header("Content-Type", "text/plain; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-ClickHouse-Exception-Code", str(err.code))
            if query_id:
                self.send_header("X-ClickHouse-Query-Id", query_id)
            self.send_header("X-ClickHouse-Timezone", "UTC")
            self.send_header("X-ClickHouse-Server-Display-Name", self.server.display_name)  # type: ignore[attr-defined]
            self.send_header("X-ClickHouse-Exception-Tag", new_exception_tag())
            self.send_header("Connection", "close" if self.close_connection else "Keep-Alive")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True


# ---------------------------------------------------------------------------

def _parse_user(spec: str):
    name, sep, password = spec.partition(":")
    if not name:
        raise argparse.ArgumentTypeError("--user wants NAME:PASSWORD")
    return name, password


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="ClickHouse HTTP front over chdb-core (dev/test only)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8123)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--user", action="append", type=_parse_user, default=[],
                    help="NAME:PASSWORD (repeatable; empty password allowed). Default: default with no password")
    ap.add_argument("--database", action="append", default=[], help="database to create at start (repeatable)")
    ap.add_argument("--log", help="log file (default: stderr)")
    args = ap.parse_args(argv)

    handler = logging.FileHandler(args.log) if args.log else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    users = dict(args.user) if args.user else {"default": ""}
    engine = Engine(args.data_dir)
    for db in args.database:
        engine.execute_admin(f"CREATE DATABASE IF NOT EXISTS `{db.replace('`', '``')}`")

    server = FrontServer((args.host, args.port), engine, users, socket.gethostname())

    def on_signal(signum, _frame):
        log.info("signal %d: shutting down", signum)
        # shutdown() waits for serve_forever() to return, so it cannot run on this (the serving) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    host, port = server.server_address[:2]
    log.info("listening on http://%s:%d data_dir=%s users=%s", host, port, args.data_dir, ",".join(sorted(users)))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        # Let requests already running finish before the engine goes away.
        deadline = time.monotonic() + 10
        with server.inflight_lock:
            while server.inflight and time.monotonic() < deadline:
                server.inflight_lock.wait(0.2)
        engine.close()
        log.info("stopped")
        logging.shutdown()
    # Idle keep-alive threads are daemons blocked in recv; skip interpreter teardown racing them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
