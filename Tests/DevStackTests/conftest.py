"""Fixtures for the dev-stack tests: a real ClickHouse front (chdb-core) on a free port.

Run with the dev venv's python, which has chdb-core:
    .dev/venv/bin/python -m pytest Tests/DevStackTests -q
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FRONT = REPO / "dev" / "clickhouse" / "front.py"
USERS = {"default": "", "projection": "projection"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str):
        return self.headers.get(name.lower())


@dataclass
class FrontProcess:
    """One front.py process; the same data dir can be restarted."""

    data_dir: Path
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FrontProcess":
        args = [sys.executable, str(FRONT), "--host", "127.0.0.1", "--port", str(self.port),
                "--data-dir", str(self.data_dir), "--database", "projection", "--log", str(self.log)]
        for name, password in USERS.items():
            args += ["--user", f"{name}:{password}"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"front exited early: {self.proc.stderr.read().decode()}")
            try:
                if self.request("GET", "/ping").body == b"Ok.\n":
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("front did not answer /ping")

    def terminate(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    # -- HTTP helpers (stdlib only, so the tests see exactly what goes over the wire) --

    def request(self, method: str, path: str = "/", body: bytes | None = None, headers: dict | None = None,
                conn: http.client.HTTPConnection | None = None) -> Response:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            if own:
                conn.close()

    def query(self, sql: str | None = None, body: bytes | str | None = None, method: str | None = None,
              user: str = "default", password: str = "", headers: dict | None = None, **params) -> Response:
        """Runs SQL: `sql` goes to ?query=, `body` to the POST body, `params` become URL parameters."""
        q = dict(params)
        if sql is not None:
            q["query"] = sql
        path = "/?" + urllib.parse.urlencode(q) if q else "/"
        h = dict(headers or {})
        if user != "default" or password:
            h.setdefault("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
        if isinstance(body, str):
            body = body.encode()
        return self.request(method or ("POST" if body is not None else "GET"), path, body, h)

    def ok(self, sql: str | None = None, body=None, **kw) -> str:
        r = self.query(sql, body, **kw)
        assert r.status == 200, r.text
        return r.text

    def summary(self, r: Response) -> dict:
        return json.loads(r.header("X-ClickHouse-Summary"))


@pytest.fixture(scope="session")
def front(tmp_path_factory) -> FrontProcess:
    base = tmp_path_factory.mktemp("front")
    f = FrontProcess(base / "data", base / "front.log").start()
    yield f
    f.kill()


@pytest.fixture
def table(front, request) -> str:
    """A fresh MergeTree table name in database projection, dropped afterwards."""
    name = "projection.t_" + request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    front.ok(body=f"DROP TABLE IF EXISTS {name}")
    front.ok(body=f"CREATE TABLE {name} (id UInt64, name String) ENGINE = MergeTree ORDER BY id "
                  "SETTINGS non_replicated_deduplication_window = 100")
    yield name
    front.query(body=f"DROP TABLE IF EXISTS {name}")
