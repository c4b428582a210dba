"""Scenario 7: partition takeover after a replica is frozen (SIGSTOP) or killed (kill -9).

Two `projection-ingest` replicas share two partitions (one each) through leases, with a lease TTL of
TTL_MS, while facts keep arriving on both partitions' streams (a paced publisher). Then:

- freeze: the replica owning one partition is SIGSTOPped (on Postgres: once pg_stat_activity shows one of
  its backends inside an open transaction, i.e. mid-batch; up to a few tries) and kept frozen for
  FREEZE_TTLS lease TTLs (3 in quick mode), then thawed;
- kill: the replica owning the other partition is killed with SIGKILL.

The takeover time runs from the signal to the moment the store holds the new owner's fence (a higher
lease_epoch on that partition's checkpoint row): the partition can move on from there. Reported, never
asserted; docs/SCALING.md states the bound it is compared with (2 TTLs + 2 s).
"""
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

TTL_MS = 3000
FREEZE_TTLS = 5      # quick mode: 3, enough to see the takeover (about one TTL) happen while frozen
CHUNK = 250          # facts per partition per publish
PAUSE = 0.25         # seconds between publishes
PARTITION_OFFSET = 10_000_000  # partition p publishes corpus facts from p * PARTITION_OFFSET


class Publisher(threading.Thread):
    """Publishes CHUNK facts to each partition's stream every PAUSE seconds until stopped."""

    def __init__(self, bench, streams, prefixes):
        super().__init__(daemon=True)
        self.bench, self.streams, self.prefixes = bench, streams, prefixes
        self.stop_event = threading.Event()
        self.published = [0] * len(streams)

    def publish_once(self):
        for p, (stream, prefix) in enumerate(zip(self.streams, self.prefixes)):
            # Not bench.bench(): its progress lines would flood the log four times a second.
            args = ["publish", *self.bench.stream_args(stream, prefix), "--facts", CHUNK,
                    "--tenants", self.bench.args.tenants, "--from", p * PARTITION_OFFSET + self.published[p]]
            proc = subprocess.run([str(self.bench.bin / "projection-bench"), *map(str, args)], cwd=self.bench.bin,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if proc.returncode != 0:
                raise RuntimeError(f"projection-bench publish failed with status {proc.returncode}")
            self.published[p] += CHUNK

    def run(self):
        while not self.stop_event.is_set():
            try:
                self.publish_once()
            except RuntimeError:
                pass
            self.stop_event.wait(PAUSE)


class StoreProbe:
    """Reads the partitions' lease epochs (and, on Postgres, open transactions) from the store."""

    def __init__(self, store, dsn, database):
        self.store = store
        if store == "postgres":
            import psycopg
            self.conn = psycopg.connect(dsn, autocommit=True)
        else:
            import clickhouse_connect
            url = urlparse(dsn)
            self.client = clickhouse_connect.get_client(host=url.hostname, port=url.port or 8123, username=url.username,
                                                        password=url.password or "", database=database)

    def epochs(self):
        if self.store == "postgres":
            rows = self.conn.execute("SELECT partition, lease_epoch FROM _projection_checkpoints WHERE projection = 'orders-analytics'").fetchall()
        else:
            rows = self.client.query("SELECT partition, max(lease_epoch) FROM _projection_checkpoints WHERE projection = 'orders-analytics' GROUP BY partition").result_rows
        return {int(p): int(e) for p, e in rows}

    def open_transaction(self, application):
        if self.store != "postgres":
            return None
        row = self.conn.execute(
            "SELECT pid::text || '@' || xact_start::text FROM pg_stat_activity WHERE application_name = %s "
            "AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction') ORDER BY pid LIMIT 1", (application,)).fetchone()
        return row[0] if row else None

    def close(self):
        if self.store == "postgres":
            self.conn.close()
        else:
            self.client.close()


def held(bench, port):
    try:
        return [int(p["partition"]) for p in bench.get_json(f"http://127.0.0.1:{port}/admin/ingestion").get("partitions", [])]
    except (OSError, ValueError):
        return []


def wait_split(bench, ports, seconds=60):
    """Waits until every replica in `ports` holds exactly one partition; replica index → partition."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        holding = [held(bench, port) for port in ports]
        if all(len(h) == 1 for h in holding) and len({h[0] for h in holding}) == len(ports):
            return [h[0] for h in holding]
        time.sleep(0.1)
    raise RuntimeError(f"the replicas did not split the partitions: {[held(bench, p) for p in ports]}")


def wait_fence(probe, partition, epoch, seconds):
    """Seconds until the partition's lease epoch in the store rises above `epoch`, or None."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if probe.epochs().get(partition, 0) > epoch:
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def measure(bench, store):
    st = store[:2]
    name = f"{bench.tag}_tk_{st}"
    bench.prepare(store, name)
    dsn = bench.isolated_dsn(store, name)
    streams = [f"{bench.stream}_TK{st.upper()}_P{p}" for p in range(2)]
    prefixes = [f"{bench.prefix}tk{st}p{p}" for p in range(2)]
    bench.fresh_streams += streams
    publisher = Publisher(bench, streams, prefixes)
    publisher.publish_once()  # the streams exist before the replicas start
    application = f"{bench.tag}tk{st}"
    ttl = TTL_MS / 1000
    freeze_ttls = 3 if bench.args.quick else FREEZE_TTLS
    ports, procs = [], []
    for i in range(2):
        port = bench.free_port()
        replica_dsn = dsn + f"&application_name={application}r{i}" if store == "postgres" else dsn
        env = dict(bench.ingest_env(store, name, f"tk_{bench.tag}_{st}_p{{partition}}", port),
                   PROJECTION_STORE_DSN=replica_dsn, PROJECTION_PARTITIONS="2",
                   PROJECTION_STREAM=f"{bench.stream}_TK{st.upper()}_P{{partition}}", PROJECTION_SUBJECTS=f"{bench.prefix}tk{st}p{{partition}}.>",
                   PROJECTION_LEASE_BUCKET=f"tk_{bench.tag}_{st}", PROJECTION_LEASE_TTL_MS=str(TTL_MS),
                   PROJECTION_REPLICA_ID=f"replica-{i}", PROJECTION_RETRY_MAX_MS="1000")
        ports.append(port)
        procs.append(bench.start("projection-ingest", env, f"ingest-takeover-{store}-{i}"))
    probe = StoreProbe(store, dsn, name)
    result = {"ttl_seconds": ttl, "freeze_seconds": freeze_ttls * ttl, "bound_seconds": 2 * ttl + 2, "replicas": 2, "partitions": 2}
    publisher.start()
    try:
        owners = wait_split(bench, ports)
        # Freeze replica 0; on Postgres only with one of its backends inside an open transaction that is
        # still the same one after the SIGSTOP (else thaw and try again, for up to a minute).
        victim, partition = procs[0], owners[0]
        attempts, mid, deadline = 0, False, time.monotonic() + 60
        while True:
            before = probe.open_transaction(f"{application}r0")
            if store == "postgres" and before is None and time.monotonic() < deadline:
                time.sleep(0.005)
                continue
            attempts += 1
            victim.send_signal(signal.SIGSTOP)
            frozen_at = time.monotonic()
            epoch = probe.epochs().get(partition, 0)
            mid = before is not None and probe.open_transaction(f"{application}r0") == before
            if mid or store != "postgres" or time.monotonic() >= deadline:
                break
            victim.send_signal(signal.SIGCONT)
            time.sleep(0.02)
        took = wait_fence(probe, partition, epoch, freeze_ttls * ttl)
        frozen_for = time.monotonic() - frozen_at
        if frozen_for < freeze_ttls * ttl:
            time.sleep(freeze_ttls * ttl - frozen_for)
        victim.send_signal(signal.SIGCONT)
        result["freeze"] = {"seconds": took, "mid_transaction": mid if store == "postgres" else None, "attempts": attempts}
        bench.check(f"takeover {store}: partition moved during a {freeze_ttls * ttl:.0f}s freeze", took is not None,
                    f"{took:.2f}s" if took is not None else "not while frozen")
        # The woken replica rejoins; kill -9 whichever replica then owns the other partition.
        owners = wait_split(bench, ports)
        killed = owners.index(1 - partition) if (1 - partition) in owners else 1
        other = owners[killed]
        epoch = probe.epochs().get(other, 0)
        procs[killed].kill()
        took = wait_fence(probe, other, epoch, 60)
        procs[killed].wait()
        result["kill"] = {"seconds": took}
        bench.check(f"takeover {store}: partition moved after kill -9", took is not None, f"{took:.2f}s" if took is not None else "not within 60s")
    finally:
        publisher.stop_event.set()
        publisher.join(timeout=30)
        probe.close()
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
            bench.stop(proc)
        bench.prepare(store, name, drop=True)
    f, k = result.get("freeze", {}).get("seconds"), result.get("kill", {}).get("seconds")
    print(f"[takeover {store}] TTL {ttl:.0f}s: after a freeze {f if f is None else round(f, 2)}s, after kill -9 {k if k is None else round(k, 2)}s", file=sys.stderr, flush=True)
    return result
