"""Benchmark orchestrator: runs scenarios 1-7 against the dev stack and writes the results.

Run it through bench/run.sh, which builds the binaries and brings up the stack. The heavy lifting
(publishing, raw limits, query load, freshness probes) is done by the Swift `projection-bench`
binary so that Python never bounds a number; this file only starts processes, reads
/admin/ingestion and /proc, checks totals, and writes results.json, charts and summary.md.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PYTHON = sys.executable

# Ingest settings used in every run (the product's defaults); stated in the summary.
INGEST_SETTINGS = {
    "PROJECTION_BATCH_MAX_FACTS": "5000",
    "PROJECTION_BATCH_LINGER_MS": "100",
    "PROJECTION_FETCH_BATCH": "500",
    "PROJECTION_MAX_ACK_PENDING": "20000",
}

PROFILES = {
    "quick": dict(facts=20_000, rates=[1_000], fresh_seconds=4, requests=100, concurrency=2, baseline_seconds=4,
                  ingress_single=500, ingress_batch=5_000, ingress_seconds=3),
    "full": dict(facts=1_000_000, rates=[1_000, 10_000, 50_000], fresh_seconds=15, requests=1_000, concurrency=2,
                 ingress_single=20_000, ingress_batch=200_000, ingress_seconds=15,
                 baseline_seconds=30),
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def redact(dsn):
    """The DSN with its password replaced, for anything printed or stored."""
    url = urlparse(dsn)
    if url.password:
        netloc = f"{url.username}:***@{url.hostname}" + (f":{url.port}" if url.port else "")
        return urlunparse(url._replace(netloc=netloc))
    return dsn


class Bench:
    def __init__(self, args):
        self.args = args
        self.profile = dict(PROFILES["quick" if args.quick else "full"])
        if args.facts:
            self.profile["facts"] = args.facts
        self.bin = REPO / ".build" / args.build
        self.tag = "b" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.stream = f"BENCH_{self.tag}"
        self.prefix = f"bench{self.tag}"
        self.nats = os.environ.get("PROJECTION_NATS_URL", "nats://127.0.0.1:4222")
        self.dsn = {
            "clickhouse": os.environ.get("PROJECTION_CLICKHOUSE_DSN", "http://projection:projection@127.0.0.1:8123/projection"),
            "postgres": os.environ.get("PROJECTION_POSTGRES_DSN", "postgresql://projection:projection@127.0.0.1:5432/projection"),
        }
        self.stores = [s for s in args.stores.split(",") if s]
        self.results = {"scenarios": {}, "checks": []}
        self.children = []
        self.fresh_streams = []

    # ------------------------------------------------------------------ helpers

    def isolated_dsn(self, store, name):
        base = self.dsn[store]
        if store == "clickhouse":
            return urlunparse(urlparse(base)._replace(path=f"/{name}"))
        return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{name}"

    def bench(self, *args, env=None):
        """Runs projection-bench; its progress goes to our stderr, its JSON result is returned."""
        cmd = [str(self.bin / "projection-bench"), *map(str, args)]
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run(cmd, cwd=REPO, env=full_env, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"projection-bench {args[0]} failed with status {proc.returncode}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def stream_args(self, stream=None, prefix=None):
        return ["--nats", self.nats, "--stream", stream or self.stream, "--prefix", prefix or self.prefix]

    def corpus_args(self):
        return ["--facts", self.profile["facts"], "--tenants", self.args.tenants]

    def prepare(self, store, name, drop=False):
        return self.bench("prepare-store", "--store", store, "--dsn", self.dsn[store], "--name", name,
                          *(["--drop"] if drop else []))

    def check(self, what, ok, detail=""):
        self.results["checks"].append({"check": what, "ok": bool(ok), "detail": detail})
        log(f"  {'ok  ' if ok else 'FAIL'} {what} {detail}")

    @staticmethod
    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    @staticmethod
    def get_json(url, timeout=2):
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())

    def start(self, product, env, logname):
        logfile = open(self.out / f"{logname}.log", "w")
        proc = subprocess.Popen([str(self.bin / product)], cwd=REPO, env=dict(os.environ, **env),
                                stdout=logfile, stderr=subprocess.STDOUT)
        self.children.append(proc)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.children:
            self.children.remove(proc)

    @staticmethod
    def server_cpu():
        """CPU seconds used so far by the dev stack's servers, by service; {} for an external stack.

        Postgres counts the postmaster, its reaped children (cutime) and its live backends; the others
        are one process each (all threads)."""
        if os.environ.get("BENCH_STACK", "dev") != "dev":
            return {}
        run = Path(os.environ.get("PROJECTION_DEV_DIR", REPO / ".dev")) / "run"
        ticks = os.sysconf("SC_CLK_TCK")

        def stat(pid):
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()

        usage = {}
        for service in ("nats", "clickhouse", "postgres"):
            try:
                pid = int((run / f"{service}.pid").read_text().strip())
                fields = stat(pid)
                seconds = int(fields[11]) + int(fields[12])
                if service == "postgres":
                    seconds += int(fields[13]) + int(fields[14])
                    for entry in os.listdir("/proc"):
                        if entry.isdigit():
                            try:
                                child = stat(entry)
                            except OSError:
                                continue
                            if int(child[1]) == pid:
                                seconds += int(child[11]) + int(child[12])
                usage[service] = seconds / ticks
            except (OSError, ValueError):
                continue
        return usage

    @staticmethod
    def proc_usage(pid):
        """Peak RSS (VmHWM, bytes) and CPU seconds (utime+stime) of a live process."""
        hwm = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return hwm, (int(fields[11]) + int(fields[12])) / ticks

    @staticmethod
    def thread_switches(pid):
        """Context switches (voluntary + involuntary) summed over a live process's threads; threads that
        ended in between are not counted, so this is a lower bound of the switches between two reads."""
        total = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                            total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return total

    # ------------------------------------------------------------------ ingest

    def ingest_env(self, store, name, durable, port, stream=None, prefix=None):
        return dict(INGEST_SETTINGS, PROJECTION_STORE_KIND="postgres_table" if store == "postgres" else "clickhouse",
                    PROJECTION_STORE_DSN=self.isolated_dsn(store, name), PROJECTION_NATS_URL=self.nats,
                    PROJECTION_STREAM=stream or self.stream, PROJECTION_SUBJECTS=f"{prefix or self.prefix}.>",
                    PROJECTION_DURABLE=durable, PORT_HTTP=str(port))

    def progress(self, label, done, total, start, final=False):
        """A self-overwriting progress line on a terminal; plain lines (every few seconds) in CI logs."""
        elapsed = max(time.monotonic() - start, 1e-9)
        rate = done / elapsed
        eta = f"ETA {(total - done) / rate:.0f}s" if rate > 0 else "ETA ?"
        text = f"[{label}] {done:,}/{total:,} facts  {rate:,.0f}/s  " + (f"in {elapsed:.1f}s" if final else eta)
        if sys.stderr.isatty():
            print(f"\r{text}        ", end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    def drain(self, store, name, durable, label, target):
        """Starts projection-ingest and waits until its checkpoint reaches `target`."""
        port = self.free_port()
        servers_before = self.server_cpu()
        start = time.monotonic()
        proc = self.start("projection-ingest", self.ingest_env(store, name, durable, port), f"ingest-{label}")
        admin = f"http://127.0.0.1:{port}/admin/ingestion"
        checkpoint, last_print, first_progress = 0, 0.0, None
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"projection-ingest exited with {proc.returncode} (log: {self.out}/ingest-{label}.log)")
            try:
                checkpoint = int(self.get_json(admin).get("checkpoint") or 0)
            except OSError:
                pass
            now = time.monotonic()
            if checkpoint > 0 and first_progress is None:
                first_progress = now
            if checkpoint >= target:
                break
            if now - last_print >= (1 if sys.stderr.isatty() else 5):
                self.progress(label, checkpoint, target, start)
                last_print = now
            if now - start > self.args.drain_timeout:
                raise RuntimeError(f"{label}: not caught up after {self.args.drain_timeout}s (checkpoint {checkpoint}/{target})")
            time.sleep(0.05)
        seconds = time.monotonic() - start
        hwm, cpu = self.proc_usage(proc.pid)
        servers_after = self.server_cpu()
        self.progress(label, target, target, start, final=True)
        # Where the CPU went during the drain: the servers share the machine with ingest. (The dev stack's
        # other users, e.g. background merges of earlier runs, are included: the stack is reset first.)
        servers = {k: servers_after[k] - servers_before[k] for k in servers_after if k in servers_before}
        return proc, port, {
            "facts": target, "seconds": seconds, "facts_per_second": target / seconds,
            "seconds_from_first_checkpoint": now - first_progress if first_progress else None,
            "peak_rss_bytes": hwm, "cpu_seconds": cpu, "cpu_seconds_per_million_facts": cpu / target * 1e6,
            "server_cpu_seconds": servers,
        }

    def store_totals(self, store, name):
        """(orders, gross, refunds) as the store holds them."""
        dsn = self.isolated_dsn(store, name)
        if store == "postgres":
            import psycopg
            with psycopg.connect(dsn) as conn:
                orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
                gross, refunds, counted = conn.execute(
                    "SELECT coalesce(sum(gross_cents),0), coalesce(sum(refund_cents),0), coalesce(sum(order_count),0) FROM daily_sales").fetchone()
        else:
            import clickhouse_connect
            url = urlparse(dsn)
            client = clickhouse_connect.get_client(host=url.hostname, port=url.port or 8123, username=url.username,
                                                   password=url.password or "", database=name)
            orders = client.query("SELECT count() FROM orders FINAL").result_rows[0][0]
            gross, refunds, counted = client.query(
                "SELECT sum(gross_cents), sum(refund_cents), sum(order_count) FROM daily_sales").result_rows[0]
            client.close()
        return {"orders": int(orders), "gross_cents": int(gross), "refund_cents": int(refunds), "order_count": int(counted)}

    def verify(self, what, store, name, expected):
        got = self.store_totals(store, name)
        ok = (got["orders"] == expected["orders"] and got["order_count"] == expected["orders"]
              and got["gross_cents"] == expected["gross_cents"] and got["refund_cents"] == expected["refund_cents"])
        self.check(f"{what}: totals match the corpus", ok, "" if ok else f"expected {expected}, store has {got}")
        return ok

    # ------------------------------------------------------------------ scenarios

    def run(self):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.out = Path(self.args.results_dir or BENCH / "results") / stamp
        self.out.mkdir(parents=True, exist_ok=True)
        self.results["setup"] = self.setup()
        started = time.monotonic()
        sc = self.results["scenarios"]
        facts = self.profile["facts"]
        try:
            if self.args.only == "ingress":
                self.run_ingress_only()
                return self.finish(started)
            if self.args.only == "query":
                self.run_query_only()
                return self.finish(started)
            if self.args.only == "drain":
                self.run_drain_only()
                return self.finish(started)
            log(f"== scenario 1: backlog drain, {facts:,} facts (stream {self.stream})")
            published = self.bench("publish", *self.stream_args(), *self.corpus_args(), "--totals")
            self.results["setup"]["avg_fact_bytes"] = round(published["avg_fact_bytes"], 1)
            expected = published["expected"]
            last_seq = published["last_sequence"]
            self.check("publish: every fact stored", published["stream_messages"] == facts, f"{published['stream_messages']}/{facts}")
            sc["publish"] = published
            raw_nats = self.bench("raw-nats", *self.stream_args(), "--durable", f"raw_{self.tag}", "--expect", facts,
                                  "--fetch-batch", INGEST_SETTINGS["PROJECTION_FETCH_BATCH"])
            self.check("raw-nats: every message fetched and acked", raw_nats["messages"] == facts)
            sc["raw_nats"] = raw_nats
            # The floor: a bare C libnats client (bench/c/raw_nats_fetch.c) fetching and acking each message,
            # with the nats-server CPU it causes, measured in this same run.
            sc["raw_nats_c"] = self.raw_nats_c(facts)
            # For context only (not the limit): what acking every message on its own costs.
            raw_each = self.bench("raw-nats", *self.stream_args(), "--durable", f"raw_each_{self.tag}", "--expect", facts,
                                  "--fetch-batch", INGEST_SETTINGS["PROJECTION_FETCH_BATCH"], "--ack-each")
            self.check("raw-nats --ack-each: every message fetched and acked", raw_each["messages"] == facts)
            sc["raw_nats_ack_each"] = raw_each
            for store in self.stores:
                self.run_store(store, expected, last_seq)
            if not self.args.quick:
                sc["decode_callgrind"] = self.decode_callgrind()
        finally:
            for proc in list(self.children):
                self.stop(proc)
            if not self.args.keep:
                self.cleanup()
        return self.finish(started)

    def finish(self, started):
        self.results["total_seconds"] = time.monotonic() - started
        (self.out / "results.json").write_text(json.dumps(self.results, indent=2, sort_keys=True) + "\n")
        import report
        report.write(self.results, self.out)
        summary = (self.out / "summary.md").read_text()
        if not self.args.quick and not self.args.no_latest and not self.args.only:
            # LATEST.md and its charts are committed; results/ is not.
            charts = BENCH / "charts"
            charts.mkdir(exist_ok=True)
            for png in self.out.glob("*.png"):
                shutil.copy(png, charts / png.name)
                summary = summary.replace(f"]({png.name})", f"](charts/{png.name})")
            (BENCH / "LATEST.md").write_text(summary)
        log(f"results: {self.out}/results.json, summary: {self.out}/summary.md ({self.results['total_seconds']:.0f}s)")
        failed = [c for c in self.results["checks"] if not c["ok"]]
        for c in failed:
            log(f"FAILED: {c['check']} {c['detail']}")
        return 1 if failed else 0

    def raw_nats_c(self, facts):
        """Builds and runs the bare C fetch + ack client; its JSON plus the nats-server CPU per message."""
        result = self.run_floor("raw_nats_fetch", ["--stream", self.stream, "--subject", f"{self.prefix}.>",
                                                   "--durable", f"raw_c_{self.tag}", "--expect", facts,
                                                   "--fetch-batch", INGEST_SETTINGS["PROJECTION_FETCH_BATCH"]],
                                facts, "nats_server_cpu_us_per_message")
        self.check("raw C libnats: every message fetched and acked", result["messages"] == facts)
        return result

    def run_floor(self, program, args, count, cpu_key):
        """Builds bench/c/<program>.c once per run and runs it against this run's NATS; its JSON line, with
        the nats-server CPU it caused per message (of `count`) under `cpu_key`."""
        binary = self.out / program
        if not binary.exists():
            subprocess.run(["cc", "-O2", "-o", str(binary), str(BENCH / "c" / f"{program}.c"), "-lnats"], check=True)
        before = self.server_cpu()
        proc = subprocess.run([str(binary), "--nats", self.nats, *map(str, args)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{program} failed with status {proc.returncode}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        after = self.server_cpu()
        if "nats" in before and "nats" in after:
            result[cpu_key] = (after["nats"] - before["nats"]) / count * 1e6
        return result

    def run_store(self, store, expected, last_seq):
        sc = self.results["scenarios"]
        facts = self.profile["facts"]
        log(f"== {store}")
        # Scenario 1: the store-side raw limit.
        raw_name = f"{self.tag}_raw_{store[:2]}"
        self.prepare(store, raw_name)
        raw = self.bench("raw-insert", "--store", store, "--dsn", self.dsn[store], "--name", raw_name, *self.corpus_args(),
                         "--batch", INGEST_SETTINGS["PROJECTION_BATCH_MAX_FACTS"])
        self.verify(f"raw-insert {store}", store, raw_name, expected)
        sc.setdefault("raw_insert", {})[store] = raw
        self.prepare(store, raw_name, drop=True)

        # Scenario 1 and 5: drain the backlog with the real projection-ingest.
        name = f"{self.tag}_{store[:2]}"
        self.prepare(store, name)
        ingest, _, drain = self.drain(store, name, f"drain_{self.tag}_{store[:2]}", f"drain {store}", last_seq)
        # Queries are measured without ingest competing for the 2 cores.
        self.stop(ingest)
        raw_min = min(sc["raw_nats"]["facts_per_second"], raw["facts_per_second"])
        # Against the floor: the bare C client's rate, and the CPU per fact of each process.
        floor = sc.get("raw_nats_c", {})
        if floor:
            drain["ratio_to_c_floor"] = drain["facts_per_second"] / floor["facts_per_second"]
            drain["ingest_cpu_us_per_fact"] = drain["cpu_seconds"] / drain["facts"] * 1e6
            if "nats" in drain["server_cpu_seconds"]:
                drain["nats_server_cpu_us_per_fact"] = drain["server_cpu_seconds"]["nats"] / drain["facts"] * 1e6
            store_key = "clickhouse" if store == "clickhouse" else "postgres"
            if store_key in drain["server_cpu_seconds"]:
                drain["store_cpu_us_per_fact"] = drain["server_cpu_seconds"][store_key] / drain["facts"] * 1e6
        drain["raw_limit_facts_per_second"] = raw_min
        drain["ratio_to_raw_limit"] = drain["facts_per_second"] / raw_min
        sc.setdefault("drain", {})[store] = drain
        self.verify(f"drain {store}", store, name, expected)

        # Scenario 3: query API vs direct, over the drained backlog.
        query_port = self.free_port()
        query = self.start("projection-query", {
            "PROJECTION_STORE_KIND": "postgres_table" if store == "postgres" else "clickhouse",
            "PROJECTION_STORE_DSN": self.isolated_dsn(store, name), "PORT_HTTP": str(query_port),
            "PROJECTION_HTTP_HOST": "127.0.0.1", "PROJECTION_SQL_DIR": str(REPO / "sql"),
        }, f"query-{store}")
        api_ready = self.wait_ready(query, query_port)
        self.check(f"query API {store}: ready", api_ready, "" if api_ready else f"see {self.out}/query-{store}.log")
        load = ["--requests", self.profile["requests"], "--concurrency", self.profile["concurrency"], *self.corpus_args()]
        direct_env = {"PROJECTION_STORE_DSN": self.isolated_dsn(store, name)}
        queries = {}
        try:
            queries["direct"] = self.bench("query-load", "--mode", "direct", "--store", store, "--sql-dir", REPO / "sql", *load, env=direct_env)
            if api_ready:
                queries["api"] = self.bench("query-load", "--mode", "api", "--api-port", query_port, *load)
                # The same requests in Connect's binary protobuf codec (numbers only, never asserted).
                queries["api_proto"] = self.bench("query-load", "--mode", "api", "--codec", "proto", "--api-port", query_port, *load)
        except RuntimeError as error:
            self.check(f"query load {store}", False, str(error))
        self.check_answered(store, queries)
        sc.setdefault("query", {})[store] = queries

        # Scenario 2: freshness through the query API (direct to the store if the API is not up), on a
        # stream of its own so the backlog stays the same for every store and for the rebuild.
        fresh_stream, fresh_prefix = f"{self.stream}_FRESH_{store[:2].upper()}", f"{self.prefix}fresh{store[:2]}"
        self.fresh_streams.append(fresh_stream)
        self.bench("publish", *self.stream_args(fresh_stream, fresh_prefix), "--facts", 0)
        ingest_port = self.free_port()
        ingest = self.start("projection-ingest", self.ingest_env(store, name, f"fresh_{self.tag}_{store[:2]}", ingest_port,
                                                                 fresh_stream, fresh_prefix), f"ingest-fresh-{store}")
        self.check(f"freshness ingest {store}: ready", self.wait_ready(ingest, ingest_port))
        fresh = []
        for rate in self.profile["rates"]:
            via = ["--mode", "api", "--api-port", query_port] if api_ready else ["--mode", "direct", "--store", store, "--sql-dir", REPO / "sql"]
            try:
                result = self.bench("freshness", *self.stream_args(fresh_stream, fresh_prefix), *via, "--rate", rate,
                                    "--duration", self.profile["fresh_seconds"], "--tag", f"{self.tag}{store[:2]}{rate}", env=direct_env)
                fresh.append(result)
                # Probes not seen within the settle time are a result (reported), not a failure.
                self.check(f"freshness {store} {rate}/s: latencies measured", result["latency"]["count"] > 0,
                           f"{result['latency']['count']} probes seen, {result['probes_not_seen']} not")
            except RuntimeError as error:
                self.check(f"freshness {store} {rate}/s", False, str(error))
        sc.setdefault("freshness", {})[store] = fresh
        self.stop(ingest)
        # Scenario 8: the HTTP push ingress (docs/INGRESS.md), on a stream of its own.
        self.run_ingress(store, name, query_port if api_ready else None)
        self.stop(query)

        # Scenario 4: rebuild = empty tables + replay of the whole stream from sequence 1.
        rebuild_name = f"{self.tag}_rb_{store[:2]}"
        target = last_seq
        start = time.monotonic()
        self.prepare(store, rebuild_name)
        prepared = time.monotonic() - start
        proc, _, replay = self.drain(store, rebuild_name, f"rebuild_{self.tag}_{store[:2]}", f"rebuild {store}", target)
        self.stop(proc)
        replay["migrate_seconds"] = prepared
        replay["total_seconds"] = prepared + replay["seconds"]
        sc.setdefault("rebuild", {})[store] = replay
        self.prepare(store, rebuild_name, drop=True)

        # Scenario 6: the baseline projector, time-boxed, on the same stream.
        baseline_name = f"{self.tag}_bl_{store[:2]}"
        self.prepare(store, baseline_name)
        proc = subprocess.run([PYTHON, str(BENCH / "baseline" / "projector.py"), "--store", store,
                               "--dsn", self.isolated_dsn(store, baseline_name), "--nats", self.nats, "--stream", self.stream,
                               "--subjects", f"{self.prefix}.>", "--durable", f"baseline_{self.tag}_{store[:2]}",
                               "--seconds", str(self.profile["baseline_seconds"])], cwd=REPO, stdout=subprocess.PIPE, text=True)
        if proc.returncode == 0:
            baseline = json.loads(proc.stdout.strip().splitlines()[-1])
            baseline["ingest_ratio"] = drain["facts_per_second"] / baseline["facts_per_second"] if baseline["facts_per_second"] else None
            sc.setdefault("baseline", {})[store] = baseline
            self.check(f"baseline {store}: applied facts", baseline["facts"] > 0, f"{baseline['facts']} facts")
            log(f"[baseline {store}] {baseline['facts_per_second']:,.0f} facts/s ({baseline['facts']} in {baseline['seconds']:.1f}s)")
        else:
            self.check(f"baseline {store}", False, f"projector.py exited with {proc.returncode}")
        self.prepare(store, baseline_name, drop=True)

        # Scenario 7: partition takeover after a replica is frozen (SIGSTOP) or killed (kill -9).
        import takeover
        try:
            sc.setdefault("takeover", {})[store] = takeover.measure(self, store)
        except RuntimeError as error:
            self.check(f"takeover {store}", False, str(error))
        if not self.args.keep:
            self.prepare(store, name, drop=True)

    INGRESS_TOKEN = "bench-ingress-token-0123456789"
    INGRESS_ADMIN_TOKEN = "bench-admin-token-0123456789"

    def admin_post(self, port, path):
        """POST to an ingest's token-protected admin endpoint; raises RuntimeError unless it answers 2xx."""
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST",
                                         headers={"Authorization": f"Bearer {self.INGRESS_ADMIN_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except (OSError, ValueError) as error:
            raise RuntimeError(f"POST {path}: {error}") from error

    def run_ingress(self, store, name, query_port, binary=None, round_tag=""):
        """Scenario 8: POST /events of projection-ingest with PROJECTION_INGRESS on. Single events back to back
        on one connection, batches (500 events) on one connection, and POST→visible through GetOrder at
        1,000 events/s (10 ms ticks, one batch request each). Every answer must be 2xx; speed is only reported."""
        stream, prefix = f"{self.stream}_INGRESS_{store[:2].upper()}{round_tag.upper()}", f"{self.prefix}ingress{store[:2]}{round_tag}"
        self.fresh_streams.append(stream)
        self.bench("publish", *self.stream_args(stream, prefix), "--facts", 0)
        port = self.free_port()
        env = dict(self.ingest_env(store, name, f"ingress_{self.tag}_{store[:2]}{round_tag}", port, stream, prefix),
                   PROJECTION_INGRESS="true", PROJECTION_INGRESS_TOKENS=f"{self.INGRESS_TOKEN}=ingress:*",
                   PROJECTION_INGRESS_SUBJECT=f"{prefix}.{{tenant}}.{{type}}", PROJECTION_INGRESS_MAX_BODY_BYTES=str(4 << 20),
                   PROJECTION_ADMIN_TOKEN=self.INGRESS_ADMIN_TOKEN)
        default_bin = self.bin
        self.bin = Path(binary).parent if binary else self.bin
        try:
            ingest = self.start("projection-ingest", env, f"ingest-ingress-{store}{round_tag}")
        finally:
            self.bin = default_bin
        ready = self.wait_ready(ingest, port)
        self.check(f"ingress ingest {store}: ready", ready)
        results = {}
        token_env = {"INGRESS_TOKEN": self.INGRESS_TOKEN}
        tag = f"{self.tag}{store[:2]}{round_tag}"
        try:
            # The floor, in this same round: a bare C libnats producer (bench/c/raw_nats_publish.c) with the
            # ingress's guarantees (message ids, every PubAck awaited) and no HTTP, on a stream of its own.
            results["floor_single"] = self.raw_nats_publish("single", self.profile["ingress_single"], f"{tag}fs")
            results["floor_batch"] = self.raw_nats_publish("batch", self.profile["ingress_batch"], f"{tag}fb")
            results["single"] = self.ingress_cpu(ingest, lambda: self.bench(
                "ingress-load", "--scenario", "single", "--ingest-port", port,
                "--events", self.profile["ingress_single"], "--tag", f"{tag}s", env=token_env))
            results["batch"] = self.ingress_cpu(ingest, lambda: self.bench(
                "ingress-load", "--scenario", "batch", "--ingest-port", port, "--batch-size", 500,
                "--events", self.profile["ingress_batch"], "--tag", f"{tag}b", env=token_env))
            # The same batches with the consumer paused: the ingress alone (POST→PubAck), without the store
            # consumer of the same process competing for this machine's two cores. Reported beside, not instead.
            self.admin_post(port, "/admin/pause")
            try:
                results["single_alone"] = self.ingress_cpu(ingest, lambda: self.bench(
                    "ingress-load", "--scenario", "single", "--ingest-port", port,
                    "--events", self.profile["ingress_single"], "--tag", f"{tag}t", env=token_env))
                results["batch_alone"] = self.ingress_cpu(ingest, lambda: self.bench(
                    "ingress-load", "--scenario", "batch", "--ingest-port", port, "--batch-size", 500,
                    "--events", self.profile["ingress_batch"], "--tag", f"{tag}a", env=token_env))
            finally:
                self.admin_post(port, "/admin/resume")
            for mode in ("floor_single", "floor_batch"):
                r = results[mode]
                log(f"  C floor {mode[6:]}: {r['events_per_second']:,.0f} events/s, CPU µs/event: nats-server "
                    f"{r.get('nats_server_cpu_us_per_event', -1):.1f}, client {r['cpu_us_per_message']:.1f}")
            for mode in ("single", "batch", "single_alone", "batch_alone"):
                r = results[mode]
                r["ratio_to_c_floor"] = r["events_per_second"] / results["floor_" + mode.split("_")[0]]["events_per_second"]
                log(f"  ingress {store} {mode} ({binary or 'this build'}): {r['events_per_second']:,.0f} events/s, "
                    f"CPU µs/event: ingest {r.get('ingest_cpu_us_per_event', -1):.1f}, nats-server {r.get('nats_server_cpu_us_per_event', -1):.1f}, "
                    f"client {r['client_cpu_us_per_event']:.1f}; ingest thread switches/event {r.get('ingest_thread_switches_per_event', -1):.1f}; load {r['load_average'][0]:.1f}")
            if query_port:
                # Freshness is a steady-state number: start once the consumer has applied the single and
                # batch loads (a faster ingress can leave it a backlog, which every probe would wait behind).
                self.check(f"ingress {store}: consumer caught up before freshness", self.wait_applied(port, stream))
                fresh = self.bench("ingress-load", "--scenario", "freshness", "--ingest-port", port, "--mode", "api",
                                   "--api-port", query_port, "--rate", 1_000, "--duration", self.profile["ingress_seconds"],
                                   "--tag", f"{tag}f", env=token_env)
                results["freshness"] = fresh
                self.check(f"ingress freshness {store}: latencies measured", fresh["latency"]["count"] > 0,
                           f"{fresh['latency']['count']} probes seen, {fresh['probes_not_seen']} not")
            sent = (results["single"]["events"] + results["batch"]["events"] + results["single_alone"]["events"] + results["batch_alone"]["events"]
                    + results.get("freshness", {}).get("published", 0))
            stored = self.stream_messages(stream)
            self.check(f"ingress {store}: every acknowledged event is in the stream", stored == sent, f"{stored} stored, {sent} acknowledged")
        except RuntimeError as error:
            self.check(f"ingress {store}", False, str(error))
        self.stop(ingest)
        if binary:
            results["binary"] = binary
            self.results["scenarios"].setdefault("ingress_rounds", {}).setdefault(store, []).append(results)
        self.results["scenarios"].setdefault("ingress", {})[store] = results

    def raw_nats_publish(self, mode, events, tag):
        """Builds and runs the bare C publish floor; its JSON plus the nats-server CPU per event."""
        result = self.run_floor("raw_nats_publish", ["--stream", f"{self.stream}_RAWPUB_{tag}".upper(),
                                                     "--subject", f"{self.prefix}rawpub{tag}.x", "--count", events,
                                                     "--mode", mode, "--batch", 500, "--tag", tag],
                                events, "nats_server_cpu_us_per_event")
        self.check(f"raw C publish {mode}: every message acknowledged", result["messages"] == events)
        return result

    def ingress_cpu(self, ingest, load):
        """Runs an ingress load and adds the CPU per event of ingest (which also consumes the events) and nats-server."""
        _, ingest_before = self.proc_usage(ingest.pid)
        switches_before = self.thread_switches(ingest.pid)
        servers_before = self.server_cpu()
        result = load()
        _, ingest_after = self.proc_usage(ingest.pid)
        switches_after = self.thread_switches(ingest.pid)
        servers_after = self.server_cpu()
        events = max(result["events"], 1)
        result["ingest_cpu_us_per_event"] = (ingest_after - ingest_before) / events * 1e6
        result["ingest_thread_switches_per_event"] = (switches_after - switches_before) / events
        if "nats" in servers_before and "nats" in servers_after:
            result["nats_server_cpu_us_per_event"] = (servers_after["nats"] - servers_before["nats"]) / events * 1e6
        result["load_average"] = os.getloadavg()
        return result

    def wait_applied(self, port, stream, seconds=600):
        """Polls /admin/ingestion until the checkpoint reaches the stream's last sequence."""
        import asyncio

        import nats

        async def last_sequence():
            nc = await nats.connect(self.nats)
            try:
                return (await nc.jetstream().stream_info(stream)).state.last_seq
            finally:
                await nc.close()
        target = asyncio.run(last_sequence())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if int(self.get_json(f"http://127.0.0.1:{port}/admin/ingestion").get("checkpoint") or 0) >= target:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def stream_messages(self, stream):
        import asyncio

        import nats

        async def count():
            nc = await nats.connect(self.nats)
            try:
                return (await nc.jetstream().stream_info(stream)).state.messages
            finally:
                await nc.close()
        return asyncio.run(count())

    def run_ingress_only(self):
        """`--only ingress`: scenario 7 alone, on fresh databases (no backlog, no other scenario). Each round of
        `--ingest-binaries` gets its own database: every round's stream numbers from 1, and ClickHouse's insert
        deduplication tokens (`<projection>:<table>:<first>-<last>`) name no stream, so a round whose batch
        ranges repeat an earlier round's (regular freshness ticks do) had its inserts dropped as duplicates."""
        binaries = (self.args.ingest_binaries or "").split(",") if self.args.ingest_binaries else [None]
        for store in self.stores:
            for index, binary in enumerate(binaries):
                name = f"{self.tag}_in_{store[:2]}" + (f"{index}" if binary else "")
                self.prepare(store, name)
                query_port = self.free_port()
                query = self.start("projection-query", {
                    "PROJECTION_STORE_KIND": "postgres_table" if store == "postgres" else "clickhouse",
                    "PROJECTION_STORE_DSN": self.isolated_dsn(store, name), "PORT_HTTP": str(query_port),
                    "PROJECTION_HTTP_HOST": "127.0.0.1", "PROJECTION_SQL_DIR": str(REPO / "sql"),
                }, f"query-{store}" + (f"-r{index}" if binary else ""))
                api_ready = self.wait_ready(query, query_port)
                self.check(f"query API {store}: ready", api_ready)
                self.run_ingress(store, name, query_port if api_ready else None, binary, f"r{index}" if binary else "")
                self.stop(query)
                if not self.args.keep:
                    self.prepare(store, name, drop=True)

    def run_query_only(self):
        """`--only query`: scenario 3 alone. The corpus goes into fresh databases with `raw-insert` (the
        rows the ingest would write, without NATS), then the API and the store are queried as in a full run.
        With `--query-binaries A,B,…` each projection-query executable serves a round in turn on the same
        database (an A/B of two builds), and each round records the server's CPU per request."""
        sc = self.results["scenarios"]
        binaries = self.args.query_binaries.split(",") if self.args.query_binaries else [None]
        for store in self.stores:
            name = f"{self.tag}_q_{store[:2]}"
            self.prepare(store, name)
            raw = self.bench("raw-insert", "--store", store, "--dsn", self.dsn[store], "--name", name, *self.corpus_args(),
                             "--batch", INGEST_SETTINGS["PROJECTION_BATCH_MAX_FACTS"])
            self.check(f"raw-insert {store}: every fact written", raw["facts"] == self.profile["facts"])
            for index, binary in enumerate(binaries):
                queries = self.query_round(store, name, binary)
                if binary:
                    queries["binary"] = binary
                    sc.setdefault("query_rounds", {}).setdefault(store, []).append(queries)
                sc.setdefault("query", {})[store] = queries
            if not self.args.keep:
                self.prepare(store, name, drop=True)

    def query_round(self, store, name, binary=None):
        """One projection-query (this build's, or `binary`) on database `name`: direct, API JSON, API proto,
        direct again (and direct prepared on Postgres), interleaved so a change in the machine's load shows."""
        query_port = self.free_port()
        default_bin = self.bin
        self.bin = Path(binary).parent if binary else self.bin
        try:
            query = self.start("projection-query", {
                "PROJECTION_STORE_KIND": "postgres_table" if store == "postgres" else "clickhouse",
                "PROJECTION_STORE_DSN": self.isolated_dsn(store, name), "PORT_HTTP": str(query_port),
                "PROJECTION_HTTP_HOST": "127.0.0.1", "PROJECTION_SQL_DIR": str(REPO / "sql"),
            }, f"query-{store}")
        finally:
            self.bin = default_bin
        api_ready = self.wait_ready(query, query_port)
        self.check(f"query API {store}: ready", api_ready, "" if api_ready else f"see {self.out}/query-{store}.log")
        load = ["--requests", self.args.requests or self.profile["requests"], "--concurrency", self.profile["concurrency"],
                *self.corpus_args()]
        direct_env = {"PROJECTION_STORE_DSN": self.isolated_dsn(store, name)}
        queries = {}
        try:
            queries["direct"] = self.bench("query-load", "--mode", "direct", "--store", store, "--sql-dir", REPO / "sql", *load,
                                           env=direct_env)
            if api_ready:
                for mode, codec in (("api", []), ("api_proto", ["--codec", "proto"])):
                    _, cpu_before = self.proc_usage(query.pid)
                    switches_before = self.thread_switches(query.pid)
                    queries[mode] = self.bench("query-load", "--mode", "api", *codec, "--api-port", query_port, *load)
                    _, cpu_after = self.proc_usage(query.pid)
                    switches_after = self.thread_switches(query.pid)
                    # Every request the server saw, warm-up included (query-load's default 20 per method).
                    served = sum(m["count"] + 20 for m in queries[mode]["methods"].values())
                    queries[mode]["server_cpu_us_per_request"] = (cpu_after - cpu_before) / served * 1e6
                    queries[mode]["server_thread_switches_per_request"] = (switches_after - switches_before) / served
                    queries[mode]["load_average"] = os.getloadavg()
            queries["direct_after"] = self.bench("query-load", "--mode", "direct", "--store", store, "--sql-dir", REPO / "sql",
                                                 *load, env=direct_env)
            if store == "postgres":
                # The same with each statement prepared once per connection, as the API does.
                queries["direct_prepared"] = self.bench("query-load", "--mode", "direct", "--prepared", "--store", store,
                                                        "--sql-dir", REPO / "sql", *load, env=direct_env)
        except RuntimeError as error:
            self.check(f"query load {store}", False, str(error))
        self.check_answered(store, queries)
        for mode in ("api", "api_proto"):
            if mode in queries:
                p50 = {method: round(m["p50_ms"], 2) for method, m in queries[mode]["methods"].items()}
                log(f"  query {store} {mode} ({binary or 'this build'}): server CPU {queries[mode]['server_cpu_us_per_request']:.0f} µs/request, "
                    f"thread switches {queries[mode].get('server_thread_switches_per_request', -1):.1f}/request, "
                    f"p50 ms {p50}, load {queries[mode]['load_average'][0]:.1f}")
        self.stop(query)
        return queries

    def run_drain_only(self):
        """`--only drain`: the C floor, then the backlog drained by each ingest binary into each store, with the
        CPU per fact of ingest, nats-server and the store (issue #16's measure; rounds alternate binaries)."""
        facts = self.profile["facts"]
        published = self.bench("publish", *self.stream_args(), *self.corpus_args(), "--totals")
        expected, last_seq = published["expected"], published["last_sequence"]
        self.check("publish: every fact stored", published["stream_messages"] == facts)
        sc = self.results["scenarios"]
        traffic = self.nats_traffic()
        sc["decode_callgrind"] = self.decode_callgrind()
        sc["raw_nats_c"] = self.raw_nats_c(facts)
        floor = sc["raw_nats_c"]
        floor["nats_traffic_per_fact"] = self.traffic_per_fact(traffic, self.nats_traffic(), facts)
        log(f"  C floor: {floor['facts_per_second']:,.0f} msg/s, nats-server {floor.get('nats_server_cpu_us_per_message', 0):.2f} µs/msg")
        binaries = [Path(b) for b in (self.args.ingest_binaries or str(self.bin / "projection-ingest")).split(",")]
        default_bin = self.bin
        for store in self.stores:
            for index, binary in enumerate(binaries):
                name = f"{self.tag}_d{index}_{store[:2]}"
                self.prepare(store, name)
                self.bin = binary.parent
                traffic = self.nats_traffic()
                try:
                    proc, _, drain = self.drain(store, name, f"drain_{self.tag}_{index}_{store[:2]}", f"drain {store} #{index}", last_seq)
                finally:
                    self.bin = default_bin
                self.stop(proc)
                drain["binary"] = str(binary)
                drain["ingest_cpu_us_per_fact"] = drain["cpu_seconds"] / facts * 1e6
                drain["ratio_to_c_floor"] = drain["facts_per_second"] / floor["facts_per_second"]
                servers = drain["server_cpu_seconds"]
                drain["nats_server_cpu_us_per_fact"] = servers.get("nats", 0) / facts * 1e6
                drain["store_cpu_us_per_fact"] = servers.get(store, 0) / facts * 1e6
                drain["load_average"] = os.getloadavg()
                drain["nats_traffic_per_fact"] = self.traffic_per_fact(traffic, self.nats_traffic(), facts)
                sc.setdefault("drain_only", {}).setdefault(store, []).append(drain)
                self.verify(f"drain {store} #{index}", store, name, expected)
                log(f"  {store} #{index} {binary}: {drain['facts_per_second']:,.0f} facts/s, ingest {drain['ingest_cpu_us_per_fact']:.2f} µs/fact, "
                    f"nats-server {drain['nats_server_cpu_us_per_fact']:.2f}, store {drain['store_cpu_us_per_fact']:.2f}, "
                    f"load {drain['load_average'][0]:.1f}, nats traffic per fact {drain['nats_traffic_per_fact']}")
                self.prepare(store, name, drop=True)

    def check_answered(self, store, queries):
        """Every query-load request in every mode got its answer."""
        for mode, result in queries.items():
            for method, m in result["methods"].items():
                self.check(f"query {mode} {store} {method}: every request answered", m["answered"] == m["count"],
                           f"{m['answered']}/{m['count']}")

    def decode_callgrind(self):
        """Instructions per fact for decode + map, and + each store's batch encoding, counted by callgrind
        (deterministic on a loaded machine): (Ir of 3 rounds − Ir of 1 round) / (2 × facts) over the same
        2,000 facts, which removes setup and process start. {} without valgrind or the executable."""
        binary = self.bin / "projection-decode-bench"
        if not binary.exists() or not shutil.which("valgrind"):
            log("  decode callgrind: skipped (no valgrind or no projection-decode-bench)")
            return {}
        facts, result = 2000, {}
        for mode in ("none", "clickhouse", "postgres"):
            counts = []
            for rounds in (1, 3):
                out = self.out / f"callgrind-{mode}-{rounds}.out"
                proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary), str(facts),
                                       str(rounds), mode], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                collected = [line for line in proc.stderr.splitlines() if "Collected" in line]
                if proc.returncode != 0 or not collected:
                    log(f"  decode callgrind {mode}: valgrind failed ({proc.returncode})")
                    return result
                counts.append(int(collected[-1].split()[-1]))
            key = "decode_map" if mode == "none" else f"decode_map_encode_{mode}"
            result[key] = (counts[1] - counts[0]) / (2 * facts)
            log(f"  callgrind {key}: {result[key]:,.0f} instructions per fact")
        return result

    def nats_traffic(self):
        """nats-server's message and byte counters (/varz on the dev stack's monitor port), or {}."""
        try:
            varz = self.get_json(f"http://127.0.0.1:{os.environ.get('NATS_MONITOR_PORT', '8222')}/varz")
            return {k: varz[k] for k in ("in_msgs", "out_msgs", "in_bytes", "out_bytes")}
        except (OSError, KeyError, ValueError):
            return {}

    @staticmethod
    def traffic_per_fact(before, after, facts):
        """What clients sent the server (in: pulls, acks, API requests) and got (out) per fact in between."""
        return {k: round((after[k] - before[k]) / facts, 3) for k in before if k in after}

    def wait_ready(self, proc, port, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def cleanup(self):
        try:
            import asyncio

            import nats

            async def delete():
                nc = await nats.connect(self.nats)
                for stream in [self.stream, *self.fresh_streams]:
                    try:
                        await nc.jetstream().delete_stream(stream)
                    except Exception:
                        pass
                await nc.close()
            asyncio.run(delete())
        except Exception as error:  # cleanup must never hide the results
            log(f"cleanup: could not delete stream {self.stream}: {error}")

    def setup(self):
        cpu = "unknown"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
        return {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "mode": "quick" if self.args.quick else "full",
            "machine": {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
                        "kernel": platform.release()},
            "build": self.args.build,
            "ingest_settings": INGEST_SETTINGS,
            "facts": self.profile["facts"],
            "tenants": self.args.tenants,
            "stores": self.stores,
            "profile": self.profile,
            "servers": "dev stack: nats-server (JetStream, file storage), PostgreSQL 15, ClickHouse = chdb-core behind dev/clickhouse/front.py; all on 127.0.0.1",
            "dsns": {k: redact(v) for k, v in self.dsn.items()},
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, stdout=subprocess.PIPE, text=True).stdout.strip(),
        }


def main():
    parser = argparse.ArgumentParser(description="projection benchmarks (use bench/run.sh)")
    parser.add_argument("--quick", action="store_true", help="CI smoke run: small corpus, one freshness rate")
    parser.add_argument("--build", default="release", choices=["release", "debug"], help="which .build/<mode> binaries to run")
    parser.add_argument("--release", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--facts", type=int, help="backlog size (default 1,000,000; quick 20,000)")
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--stores", default="clickhouse,postgres")
    parser.add_argument("--drain-timeout", type=float, default=3600)
    parser.add_argument("--results-dir", help="where <timestamp>/ goes (default bench/results)")
    parser.add_argument("--keep", action="store_true", help="keep the stream and the drained databases")
    parser.add_argument("--no-latest", action="store_true", help="do not overwrite bench/LATEST.md (quick runs never do)")
    parser.add_argument("--only", choices=["ingress", "query", "drain"], help="run one scenario alone (never writes LATEST.md)")
    parser.add_argument("--requests", type=int, help="query-load: measured requests per method (default: the profile's)")
    parser.add_argument("--ingest-binaries", help="--only drain: comma-separated projection-ingest executables drained in turn "
                        "on the same backlog (A/B of two builds; default: the build's own); --only ingress: each one loaded in turn")
    parser.add_argument("--query-binaries", help="--only query: comma-separated projection-query executables, each serving "
                        "a round in turn on the same database (A/B of two builds; default: the build's own)")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
