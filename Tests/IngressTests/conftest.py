"""Fixtures for the ingress tests: the official CloudEvents Python SDK (`cloudevents`, from PyPI)
posting to a real projection-ingest with PROJECTION_INGRESS=true, on each store.

Each store gets a fresh ClickHouse database / Postgres schema migrated by the real projection-migrate,
its own JetStream stream and subject prefix (so nothing else on the NATS server is touched), a
projection-ingest serving the ingress, and a projection-query to read the answers back.

Run after `swift build` with the dev stack up (dev/test.sh does both):
    INGRESS_BIN_DIR="$(swift build --show-bin-path)" .dev/venv/bin/python -m pytest Tests/IngressTests -q
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("INGRESS_BIN_DIR", REPO / ".build" / "debug"))
PG_DSN = os.environ.get("PROJECTION_POSTGRES_DSN", "postgresql://projection:projection@127.0.0.1:5432/projection")
CH_DSN = os.environ.get("PROJECTION_CLICKHOUSE_DSN", "http://projection:projection@127.0.0.1:8123/projection")
NATS_URL = os.environ.get("PROJECTION_NATS_URL", "nats://127.0.0.1:4222")
SERVICE = "orders.analytics.v1.OrdersAnalyticsQuery"
PLACED = "orders.order_placed.v1"
REFUNDED = "orders.order_refunded.v1"

# Producer tokens: one per tenant for both fact types, one that may only place orders for acme.
ACME_TOKEN = "acme-producer-token-0001"
GLOBEX_TOKEN = "globex-producer-token-001"
PLACED_ONLY_TOKEN = "acme-placed-only-token-01"
TOKENS = f"{ACME_TOKEN}=acme:*;{GLOBEX_TOKEN}=globex:{PLACED},{REFUNDED};{PLACED_ONLY_TOKEN}=acme:{PLACED}"
MAX_BODY = 64 * 1024
MAX_BATCH = 500
ADMIN_TOKEN = "admin-token-for-ingress-tests"
BODY_TIMEOUT_MS = 3000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ch(sql: str) -> str:
    u = urllib.parse.urlsplit(CH_DSN)
    req = urllib.request.Request(f"{u.scheme}://{u.hostname}:{u.port or 8123}/", data=sql.encode(), method="POST")
    auth = f"{urllib.parse.unquote(u.username or 'default')}:{urllib.parse.unquote(u.password or '')}"
    req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read().decode()


def _with_path(dsn: str, path: str, query: str = "") -> str:
    u = urllib.parse.urlsplit(dsn)
    q = "&".join(x for x in (u.query, query) if x)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, path, q, u.fragment))


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, what: str, deadline_s: float = 120) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        assert proc.poll() is None, f"{what} exited: {log.read_text()[-4000:]}"
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        assert time.monotonic() < deadline, f"{what} not ready: {log.read_text()[-4000:]}"
        time.sleep(0.2)


def stream_last_sequence(stream: str) -> int:
    """The stream's last sequence, straight from NATS (nats-py)."""
    import nats

    async def go():
        nc = await nats.connect(NATS_URL, connect_timeout=5, max_reconnect_attempts=1)
        try:
            info = await nc.jetstream().stream_info(stream)
            return info.state.last_seq
        finally:
            await nc.close()

    return asyncio.run(go())


@dataclass
class Projection:
    """A store with projection-ingest (ingress on) and projection-query over it."""

    store: str
    dsn: str
    name: str
    stream: str
    prefix: str
    tmp: Path
    ingest_port: int = field(default_factory=free_port)
    query_port: int = field(default_factory=free_port)
    ingest: subprocess.Popen | None = None
    query: subprocess.Popen | None = None
    starts: int = 0
    # Settings over the ingest's defaults here (e.g. a small in-flight budget).
    extra: dict = field(default_factory=dict)

    @property
    def ingress(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}/events"

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    def env(self, **extra) -> dict:
        kind = "clickhouse" if self.store == "clickhouse" else "postgres_table"
        return dict(os.environ, PROJECTION_STORE_KIND=kind, PROJECTION_STORE_DSN=self.dsn, PROJECTION_NATS_URL=NATS_URL,
                    PROJECTION_HTTP_HOST="127.0.0.1", **extra)

    def start_ingest(self) -> None:
        self.starts += 1
        log = self.tmp / f"ingest-{self.starts}.log"
        env = self.env(PORT_HTTP=str(self.ingest_port), PROJECTION_STREAM=self.stream, PROJECTION_SUBJECTS=f"{self.prefix}.>",
                       PROJECTION_DURABLE=f"d{self.name}", PROJECTION_TENANT_SUBJECT_TOKEN="2", PROJECTION_BATCH_LINGER_MS="20",
                       PROJECTION_INGRESS="true", PROJECTION_INGRESS_TOKENS=TOKENS,
                       PROJECTION_INGRESS_SUBJECT=f"{self.prefix}.{{tenant}}.{{type}}",
                       PROJECTION_INGRESS_MAX_BODY_BYTES=str(MAX_BODY), PROJECTION_INGRESS_MAX_BATCH=str(MAX_BATCH),
                       PROJECTION_INGRESS_PUBLISH_TIMEOUT_MS="3000", PROJECTION_INGRESS_BODY_TIMEOUT_MS=str(BODY_TIMEOUT_MS),
                       PROJECTION_ADMIN_TOKEN=ADMIN_TOKEN)
        env.update(self.extra)
        self.ingest = subprocess.Popen([str(BIN_DIR / "projection-ingest")], env=env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT)
        _wait_ready(self.ingest_url, self.ingest, log, "projection-ingest")

    def kill_ingest(self) -> None:
        """kill -9: no drain, no goodbye."""
        if self.ingest and self.ingest.poll() is None:
            self.ingest.send_signal(signal.SIGKILL)
            self.ingest.wait(timeout=30)

    def start_query(self) -> None:
        log = self.tmp / "query.log"
        env = self.env(PORT_HTTP=str(self.query_port))
        self.query = subprocess.Popen([str(BIN_DIR / "projection-query")], env=env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT)
        _wait_ready(f"http://127.0.0.1:{self.query_port}", self.query, log, "projection-query")

    def call(self, rpc: str, fields: dict, tenant: str = "acme") -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{self.query_port}/{SERVICE}/{rpc}", data=json.dumps(fields).encode(),
                                     headers={"content-type": "application/json", "x-tenant-id": tenant}, method="POST")
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def admin(self, operation: str) -> dict:
        # No form type (urllib's default with a body): admin changes refuse those (cross-site forms).
        req = urllib.request.Request(f"{self.ingest_url}/admin/{operation}", method="POST",
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def metric(self, name: str, **labels: str) -> float | None:
        """The first sample of a series on the ingest's /metrics with these labels (among others), or None."""
        with urllib.request.urlopen(self.ingest_url + "/metrics", timeout=30) as r:
            text = r.read().decode()
        for line in text.splitlines():
            if (line.startswith(name + "{") or line.startswith(name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        return None

    def checkpoint(self) -> int:
        with urllib.request.urlopen(self.ingest_url + "/admin/ingestion", timeout=10) as r:
            return json.loads(r.read())["checkpoint"]

    def stop(self) -> None:
        for proc in (self.ingest, self.query):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.store == "clickhouse":
            _ch(f"DROP DATABASE IF EXISTS {self.name}")
        else:
            import psycopg

            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")
        import nats

        async def drop():
            nc = await nats.connect(NATS_URL, connect_timeout=5, max_reconnect_attempts=1)
            try:
                await nc.jetstream().delete_stream(self.stream)
            except Exception:
                pass
            finally:
                await nc.close()

        try:
            asyncio.run(drop())
        except Exception:
            pass


def _migrate(kind: str, dsn: str) -> None:
    env = dict(os.environ, PROJECTION_STORE_KIND=kind, PROJECTION_STORE_DSN=dsn)
    r = subprocess.run([str(BIN_DIR / "projection-migrate"), "apply", "--sql-dir", str(REPO / "sql")],
                       env=env, cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, f"projection-migrate apply ({kind}) failed: {r.stdout}\n{r.stderr}"


def make_projection(store: str, tmp: Path, **extra: str) -> Projection:
    name = f"ingress_{uuid.uuid4().hex[:12]}"
    if store == "clickhouse":
        _ch(f"CREATE DATABASE {name}")
        dsn = _with_path(CH_DSN, "/" + name)
        _migrate("clickhouse", dsn)
    else:
        import psycopg

        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        dsn = _with_path(PG_DSN, urllib.parse.urlsplit(PG_DSN).path, f"options=-csearch_path%3D{name}")
        _migrate("postgres_table", dsn)
    suffix = name.split("_")[1]
    p = Projection(store=store, dsn=dsn, name=name, stream=f"INGRESS_{suffix}", prefix=f"ingress{suffix}", tmp=tmp, extra=extra)
    try:
        p.start_ingest()
        p.start_query()
    except BaseException:
        p.stop()
        raise
    return p


@pytest.fixture(scope="module", params=["clickhouse", "postgres"])
def projection(request, tmp_path_factory):
    p = make_projection(request.param, tmp_path_factory.mktemp(f"ingress-{request.param}"))
    yield p
    p.stop()
