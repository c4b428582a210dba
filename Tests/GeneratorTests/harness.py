"""Runs one generated projection through the real executables on ClickHouse and Postgres and checks
the outcome against genproj.Model. Every check appends a line to `Run.failures`; nothing stops at the
first difference, so one run reports everything it found."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import genproj
import querycheck

REPO = Path(__file__).resolve().parents[2]
NATS_URL = os.environ.get("PROJECTION_NATS_URL", "nats://127.0.0.1:4222")
PG_DSN = os.environ.get("PROJECTION_POSTGRES_DSN", "postgresql://projection:projection@127.0.0.1:5432/projection")
CH_DSN = os.environ.get("PROJECTION_CLICKHOUSE_DSN", "http://projection:projection@127.0.0.1:8123/projection")
STALL_SECONDS = float(os.environ.get("GENERATOR_STALL_SECONDS", "120"))


def dev_dir() -> Path:
    if os.environ.get("PROJECTION_DEV_DIR"):
        return Path(os.environ["PROJECTION_DEV_DIR"])
    return Path(os.environ.get("GENERATOR_DEV_DIR", REPO / ".dev"))


def pg_socket_dir() -> str:
    """Where dev/stack's Postgres listens on a unix socket (superuser, peer auth)."""
    if os.environ.get("GENERATOR_PG_SOCKET"):
        return os.environ["GENERATOR_PG_SOCKET"]
    state = dev_dir().resolve()
    record = state / "postgres-root"
    root = record.read_text().strip() if record.exists() else str(state / "postgres")
    sock = f"{root}/sock"
    if len(sock) > 80:
        import hashlib
        sock = f"/tmp/projection-dev-{hashlib.sha256(str(state).encode()).hexdigest()[:12]}-pg"
    return sock


def pg_admin(sql: str):
    # The socket's name carries the server's port: take it from the stack's DSN (dev/stack env), as PG_PORT moves it.
    port = str(urllib.parse.urlsplit(PG_DSN).port or 5432)
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg_socket_dir(), "-p", port, "-d", "postgres", "-c", sql]
    psql = "/usr/lib/postgresql/15/bin/psql"
    cmd[0] = psql if os.path.exists(psql) else "psql"
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + cmd
    r = subprocess.run(cmd, cwd="/", capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"psql as postgres over {pg_socket_dir()} failed (set PROJECTION_DEV_DIR or GENERATOR_PG_SOCKET "
                           f"to the dev stack's state): {r.stderr.strip()}")


def with_database(dsn: str, db: str) -> str:
    u = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + db, u.query, u.fragment))


def ch_query(sql: str, db: str | None = None, settings: dict | None = None) -> str:
    u = urllib.parse.urlsplit(CH_DSN)
    params = dict(settings or {})
    if db:
        params["database"] = db
    url = f"{u.scheme}://{u.hostname}:{u.port or 8123}/?" + urllib.parse.urlencode(params)
    req = urllib.request.Request(url, data=sql.encode(), method="POST")
    import base64
    req.add_header("Authorization", "Basic " + base64.b64encode(f"{urllib.parse.unquote(u.username or 'default')}:{urllib.parse.unquote(u.password or '')}".encode()).decode())
    with urllib.request.urlopen(req, timeout=300) as r:
        return r.read().decode()


_handed_out: list = []


def free_port() -> int:
    """A free port in 19100-19999 not handed out recently (a child may not have bound it yet). Ports are
    reused once 600 others have been handed out since: long sessions (hundreds of seeds) ran out before."""
    start = os.getpid() % 900
    for i in range(900):
        port = 19100 + (start + i) % 900
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.append(port)
        del _handed_out[:-600]
        return port
    raise RuntimeError("no free port in 19100-19999")


def bin_dir() -> Path:
    if os.environ.get("GENERATOR_BIN_DIR"):
        return Path(os.environ["GENERATOR_BIN_DIR"])
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


# ----------------------------------------------------------------------------- reading back

def negative_zero(v: float):
    """-0.0 == 0.0 in Python: keep a stored negative zero visible (the spec stores 0.0)."""
    import math
    return "-0.0 (negative zero)" if v == 0 and math.copysign(1.0, v) < 0 else v


def canon_pg(value, t: genproj.CType):
    if value is None:
        return None
    n = t.name
    if n == "date":
        return (value - genproj.EPOCH).days
    if n == "timestamp":
        delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000
    if n == "decimal":
        return Decimal(value)
    if n == "float64":
        return negative_zero(float(value))
    return value


def canon_ch(text, t: genproj.CType):
    """Values come as toString() text: exact for every type."""
    if text is None:
        return None
    n = t.name
    if n == "string":
        return text
    if n in ("int32", "int64", "uint64"):
        return int(text)
    if n == "float64":
        return negative_zero(float(text))
    if n == "bool":
        return {"true": True, "false": False}[text]
    if n == "date":
        return (dt.date.fromisoformat(text) - genproj.EPOCH).days
    if n == "timestamp":
        day, clock = text.split(" ")
        h, m, s = clock.split(":")
        sec, _, frac = s.partition(".")
        days = (dt.date.fromisoformat(day) - genproj.EPOCH).days
        return days * 86_400_000 + ((int(h) * 60 + int(m)) * 60 + int(sec)) * 1000 + int((frac + "000")[:3])
    if n == "decimal":
        return Decimal(text)
    raise AssertionError(n)


def read_ch(db: str, table: genproj.Table):
    cols = table.columns
    if table.kind == "aggregate":
        keys = set(table.primary_key)
        sel = [f"toString({c.name})" if c.name in keys else f"toString({c.aggregate}({c.name}))" for c in cols]
        sql = f"SELECT {', '.join(sel)} FROM {table.name} GROUP BY {', '.join(table.primary_key)} FORMAT JSONCompact"
    else:
        sel = [f"toString({c.name})" for c in cols]
        final = " FINAL" if table.kind == "latest" else ""
        sql = f"SELECT {', '.join(sel)} FROM {table.name}{final} FORMAT JSONCompact"
    data = json.loads(ch_query(sql, db, {"do_not_merge_across_partitions_select_final": "0"}))["data"]
    return [tuple(canon_ch(v, c.type) for v, c in zip(row, cols)) for row in data]


def read_pg(conn, table: genproj.Table):
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name}")
        return [tuple(canon_pg(v, c.type) for v, c in zip(row, table.columns)) for row in cur.fetchall()]


def short(text: str) -> str:
    import re
    return re.sub(r"(.)\1{19,}", lambda m: f"{m.group(1)}<x{len(m.group(0))}>", text)


def sort_key(row):
    return tuple((v is None, str(type(v)), repr(v)) for v in row)


def diff_rows(expected, actual, columns, limit=4):
    """Human-readable multiset difference, or '' when equal."""
    from collections import Counter
    e, a = Counter(expected), Counter(actual)
    missing = sorted((e - a).elements(), key=sort_key)
    extra = sorted((a - e).elements(), key=sort_key)
    if not missing and not extra:
        return ""
    names = [c.name for c in columns]
    out = [f"{len(expected)} rows expected, {len(actual)} read; {len(missing)} missing, {len(extra)} unexpected"]
    # pair rows sharing a key prefix to show column-level differences
    for row in missing[:limit]:
        twin = next((x for x in extra if x[:2] == row[:2]), None)
        if twin is not None:
            cols = [f"{n}: expected {v!r} read {w!r}" for n, v, w in zip(names, row, twin) if v != w or type(v) is not type(w) and (v is None or w is None)]
            out.append(f"  key {row[:2]!r}: " + "; ".join(cols))
        else:
            out.append(f"  missing {dict(zip(names, row))}")
    for row in extra[:limit]:
        if not any(row[:2] == m[:2] for m in missing[:limit]):
            out.append(f"  unexpected {dict(zip(names, row))}")
    return short("\n".join(out))


# ----------------------------------------------------------------------------- one run

class Run:
    def __init__(self, seed: int, features: set, facts: int, workdir: Path, binaries: Path):
        self.seed, self.features, self.n_facts = seed, features, facts
        self.dir = workdir
        self.bin = binaries
        self.failures: list[str] = []
        self.notes: list[str] = []
        tag = f"{seed:x}"
        self.db = f"gen_{tag}_{os.getpid()}"
        self.stream = f"GEN_{tag}_{os.getpid()}"
        self.prefix = f"gen{tag}p{os.getpid()}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}

    def fail(self, check: str, detail: str):
        self.failures.append(f"[{check}] {detail}")

    # -------------------------------------------------------------- setup
    def generate(self):
        supported = "idempotency_key_parts" in (REPO / "proto/projection/v1/annotations.proto").read_text()
        if "composite" in self.features and not supported:
            self.notes.append("composite keys: proto/projection/v1/annotations.proto has no idempotency_key_parts; generated without them")
        self.proj = genproj.generate(self.seed, self.features, supported)
        self.facts = genproj.make_facts(self.proj, self.n_facts, self.seed, self.prefix)
        (self.dir / "gen").mkdir(parents=True, exist_ok=True)
        (self.dir / "gen/projection.proto").write_text(self.proj.proto())
        with open(self.dir / "facts.jsonl", "wb") as f:
            for fact in self.facts:
                f.write(fact.nats_subject.encode() + b" " + fact.body + b"\n")
        self.descriptor = self.dir / "projection.binpb"
        r = subprocess.run(["protoc", "-I", str(self.dir), "-I", str(REPO / "proto"), "-I", "/usr/include",
                            "--include_imports", "--include_source_info", f"--descriptor_set_out={self.descriptor}",
                            "gen/projection.proto"], capture_output=True, text=True)
        if r.returncode:
            raise AssertionError(f"protoc rejected the generated proto (generator bug):\n{r.stderr}")
        self.model = genproj.Model(self.proj)
        self.model.apply(self.facts)
        if self.proj.queries:
            for store in ("clickhouse", "postgres"):
                (self.dir / "sql" / store / "queries").mkdir(parents=True, exist_ok=True)
                for name, text in self.proj.query_sql(store).items():
                    (self.dir / "sql" / store / "queries" / name).write_text(text)

    def env(self, store: str) -> dict:
        e = dict(os.environ)
        e.update({
            "PROJECTION_DESCRIPTOR_SET": str(self.descriptor),
            "PROJECTION_NAME": self.proj.name,
            "PROJECTION_STORE_KIND": "clickhouse" if store == "clickhouse" else "postgres_table",
            "PROJECTION_STORE_DSN": with_database(CH_DSN if store == "clickhouse" else PG_DSN, self.db),
            "PROJECTION_NATS_URL": NATS_URL,
        })
        return e

    def migrate(self):
        r = subprocess.run([str(self.bin / "projection-migrate"), "generate", "--descriptor-set", str(self.descriptor),
                            "--out", str(self.dir / "sql"), "--store", "all"], capture_output=True, text=True)
        if r.returncode:
            raise AssertionError(f"projection-migrate generate rejected the generated projection "
                                 f"(generator bug, or a validator rule the generator does not know):\n{r.stdout}{r.stderr}")
        ch_query(f"CREATE DATABASE {self.db}")
        pg_admin(f"CREATE DATABASE {self.db} OWNER projection")
        self.created = True
        for store in ("clickhouse", "postgres"):
            r = subprocess.run([str(self.bin / "projection-migrate"), "apply", "--sql-dir", str(self.dir / "sql")],
                               env=self.env(store), capture_output=True, text=True)
            if r.returncode:
                raise AssertionError(f"projection-migrate apply on {store} failed:\n{r.stdout}{r.stderr}")

    async def _publish(self):
        import nats
        nc = await nats.connect(NATS_URL)
        js = nc.jetstream()
        await js.add_stream(name=self.stream, subjects=[f"{self.prefix}.>"])
        last = 0
        for i in range(0, len(self.facts), 200):
            acks = await asyncio.gather(*[js.publish(f.nats_subject, f.body, headers={"Nats-Msg-Id": f"{self.prefix}-{i + j}"})
                                          for j, f in enumerate(self.facts[i:i + 200])])
            last = max(last, *[a.seq for a in acks])
        await nc.close()
        return last

    def publish(self):
        self.last_seq = asyncio.run(self._publish())
        if self.last_seq != len(self.facts):
            raise AssertionError(f"stream {self.stream} holds {self.last_seq} messages for {len(self.facts)} published")

    # -------------------------------------------------------------- ingest
    def start_ingest(self, store: str, attempt: int):
        rng = self.proj_rng
        port = self.ports.setdefault(store, free_port())
        env = self.env(store)
        env.update({
            "PROJECTION_STREAM": self.stream, "PROJECTION_SUBJECTS": f"{self.prefix}.>",
            "PROJECTION_DURABLE": f"gen-{store}-{self.seed:x}", "PORT_HTTP": str(port),
            "PROJECTION_BATCH_MAX_FACTS": str(self.batch[store]), "PROJECTION_FETCH_BATCH": str(max(1, self.batch[store] // 2)),
            "PROJECTION_BATCH_LINGER_MS": "20", "PROJECTION_RETRY_MAX_MS": "1000",
        })
        log = open(self.dir / f"ingest-{store}-{attempt}.log", "wb")
        self.procs[store] = subprocess.Popen([str(self.bin / "projection-ingest")], env=env, stdout=log, stderr=subprocess.STDOUT)

    def lost_port(self, store: str, attempt: int) -> bool:
        """The ingest exited because its HTTP port was bound by someone else (sessions running side by side)."""
        log = (self.dir / f"ingest-{store}-{attempt}.log").read_text(errors="replace")
        return "Address already in use" in log and attempt < 5

    def status(self, store: str):
        # Only once this attempt's process says it listens: before, another session's process on the port could answer.
        logs = sorted(self.dir.glob(f"ingest-{store}-*.log"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
        if not logs or f"listening on 0.0.0.0:{self.ports.get(store)}" not in logs[-1].read_text(errors="replace"):
            return None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[store]}/admin/ingestion", timeout=10) as r:
                return json.loads(r.read())
        except Exception:
            return None

    def stop(self, store: str, sig=signal.SIGTERM):
        p = self.procs.pop(store, None)
        if p and p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def ingest(self):
        import random
        self.proj_rng = random.Random(self.seed * 31 + 5)
        rng = self.proj_rng
        self.batch = {s: rng.choice([7, 20, 50, 400]) for s in ("clickhouse", "postgres")}
        kill = {s: "kill" in self.features and rng.random() < 0.35 for s in ("clickhouse", "postgres")}
        self.notes.append(f"batch sizes {self.batch}; kill -9 {[s for s, k in kill.items() if k] or 'none'}")
        attempts = {s: 1 for s in self.batch}
        for s in self.batch:
            self.start_ingest(s, 1)
        progress = {s: (0, time.monotonic()) for s in self.batch}
        done = set()
        while len(done) < len(self.batch):
            time.sleep(0.3)
            for s in self.batch:
                if s in done:
                    continue
                st = self.status(s)
                p = self.procs.get(s)
                if p is not None and p.poll() is not None and self.lost_port(s, attempts[s]):
                    # Another session's child took the port between free_port() and the bind: a new port.
                    self.notes.append(f"{s}: port {self.ports.pop(s)} was taken; restarted on another")
                    attempts[s] += 1
                    self.start_ingest(s, attempts[s])
                    continue
                if p is not None and p.poll() is not None:
                    self.fail("no stall", f"{s}: projection-ingest exited with {p.returncode} (log {self.dir}/ingest-{s}-{attempts[s]}.log)")
                    done.add(s)
                    continue
                cp = st["checkpoint"] if st else progress[s][0]
                if kill[s] and attempts[s] == 1 and st and (cp > 0 or time.monotonic() - progress[s][1] > 5):
                    self.procs[s].kill()  # kill -9, mid-way when the checkpoint has moved
                    self.procs[s].wait()
                    self.notes.append(f"{s}: kill -9 at checkpoint {cp} of {self.last_seq}")
                    attempts[s] += 1
                    self.start_ingest(s, attempts[s])
                    progress[s] = (cp, time.monotonic())
                    continue
                if cp != progress[s][0]:
                    progress[s] = (cp, time.monotonic())
                if cp >= self.last_seq:
                    done.add(s)
                elif time.monotonic() - progress[s][1] > STALL_SECONDS:
                    err = (st or {}).get("last_error")
                    pend = (st or {}).get("pending_batch")
                    self.fail("no stall", f"{s}: checkpoint stuck at {cp} of {self.last_seq} for {STALL_SECONDS:.0f}s; "
                                          f"pending batch {pend}; last_error: {err}")
                    done.add(s)
        for s in list(self.procs):
            self.stop(s)

    # -------------------------------------------------------------- checks
    def check(self):
        import psycopg
        conn = psycopg.connect(with_database(PG_DSN, self.db), autocommit=True)
        conn.execute("SET TIME ZONE 'UTC'")
        self.check_quarantine(conn)
        self.check_tables(conn, "")
        self.check_hash("")
        querycheck.check_queries(self)  # before OPTIMIZE: ClickHouse answers from unmerged parts
        if "optimize" in self.features:
            for t in self.proj.tables:
                ch_query(f"OPTIMIZE TABLE {t.name} FINAL", self.db)
            self.check_tables(conn, " after OPTIMIZE FINAL")
            self.check_hash(" after OPTIMIZE FINAL")
        conn.close()

    def check_tables(self, conn, when):
        for t in self.proj.tables:
            expected = self.model.table_rows(t)
            for store, reader in (("clickhouse", lambda: read_ch(self.db, t)), ("postgres", lambda: read_pg(conn, t))):
                try:
                    actual = reader()
                except Exception as e:  # noqa: BLE001 - reported as a check failure
                    self.fail(f"model = {store}", f"table {t.name}{when}: read failed: {e}")
                    continue
                d = diff_rows(expected, actual, t.columns)
                if d:
                    self.fail(f"model = {store}", f"table {t.name} ({t.kind}){when}: {d}")

    def check_quarantine(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT stream_sequence, reason FROM _projection_quarantine WHERE projection = %s", (self.proj.name,))
            pg = {int(s): r for s, r in cur.fetchall()}
        rows = json.loads(ch_query(f"SELECT stream_sequence, any(reason) FROM _projection_quarantine WHERE projection = '{self.proj.name}' "
                                   "GROUP BY stream_sequence FORMAT JSONCompact", self.db,
                                   {"output_format_json_quote_64bit_integers": "0"}))["data"]
        ch = {int(s): r for s, r in rows}
        expected = self.model.quarantined
        for store, got in (("clickhouse", ch), ("postgres", pg)):
            missing = sorted(set(expected) - set(got))
            extra = sorted(set(got) - set(expected))
            if missing:
                self.fail(f"quarantine {store}", f"{len(missing)} facts applied (or dropped) that the model quarantines: "
                          + "; ".join(f"seq {s} (expected a reason naming {expected[s]}): {self.describe(s)}" for s in missing[:4]))
            if extra:
                self.fail(f"quarantine {store}", f"{len(extra)} facts quarantined that the model applies: "
                          + "; ".join(f"seq {s}: {got[s]!r}: {self.describe(s)}" for s in extra[:4]))
            unnamed = [s for s in set(expected) & set(got) if not any(f in got[s] for f in expected[s])]
            if unnamed:
                self.fail(f"quarantine reason {store}", f"{len(unnamed)} reasons do not name the field: "
                          + "; ".join(f"seq {s}: {got[s]!r} (expected one of {expected[s]})" for s in sorted(unnamed)[:4]))

    def describe(self, seq):
        f = self.facts[seq - 1]
        body = short(f.body.decode(errors="replace"))
        return body if len(body) < 700 else body[:700] + "..."

    def check_hash(self, when):
        out = {}
        for store in ("clickhouse", "postgres"):
            r = subprocess.run([str(self.bin / "projection-migrate"), "hash", "--descriptor-set", str(self.descriptor), "--json"],
                               env=self.env(store), capture_output=True, text=True)
            if r.returncode:
                self.fail("state hash", f"{store}{when}: projection-migrate hash failed: {r.stderr.strip()[:500]}")
                return
            out[store] = json.loads(r.stdout)
        (self.dir / f"hash{when.replace(' ', '_')}.json").write_text(json.dumps(out, indent=1))
        a, b = out["clickhouse"].get("tables"), out["postgres"].get("tables")
        if a != b:
            bad = []
            for ta, tb in zip(a or [], b or []):
                if ta != tb:
                    bad.append(ta.get("table", "?"))
            self.fail("state hash", f"ClickHouse and Postgres hashes differ{when} (tables {bad or 'layout'}; both in {self.dir}/hash*.json)")

    # -------------------------------------------------------------- cleanup
    def cleanup(self):
        for s in list(self.procs):
            self.stop(s, signal.SIGKILL)
        try:
            ch_query(f"DROP DATABASE IF EXISTS {self.db}")
        except Exception:
            pass
        try:
            pg_admin(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        except Exception:
            pass

        async def drop():
            import nats
            nc = await nats.connect(NATS_URL)
            try:
                await nc.jetstream().delete_stream(self.stream)
            except Exception:
                pass
            await nc.close()
        try:
            asyncio.run(drop())
        except Exception:
            pass

    def summary(self):
        kinds = ", ".join(f"{t.name}" for t in self.proj.tables)
        return (f"seed {self.seed}: projection {self.proj.name} ({len(self.proj.bindings)} fact types; tables {kinds}); "
                f"{len(self.facts)} facts: model applies {len(self.model.applied)}, quarantines {len(self.model.quarantined)}, "
                f"drops {len(self.model.duplicates)} duplicates")
