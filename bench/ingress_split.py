#!/usr/bin/env python3
"""Splits a single ingress event's cost between the ingress request path and the store consumer, both in
projection-ingest (docs/INGRESS.md, "Single-event cost"): the bench's single-event load runs once with the
consumer paused (POST /admin/pause: the ingress alone) and once with it running, on a fresh stream and
database. Prints, per phase, the rate, ingest CPU and thread switches per event (by thread name), nats-server
CPU per event, and each NATS connection's messages per event from nats-server's /connz (the consumer's `in`
is its pull requests and acks). Speed is only reported. Needs the dev stack (`eval "$(dev/stack env)"`,
NATS_MONITOR_PORT) and release binaries; `--perf FILE` records the paused phase with `perf record -g`.

usage: .dev/venv/bin/python3 bench/ingress_split.py [--binary DIR/projection-ingest] [--events 5000] [--store postgres]
"""
import argparse
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as R  # noqa: E402

ADMIN = "bench-admin-token-0123456789"


def threads(pid):
    """{tid: (name, cpu seconds, context switches)} of a live process."""
    out, ticks = {}, os.sysconf("SC_CLK_TCK")
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            status = open(f"/proc/{pid}/task/{tid}/status").read().split("\n")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        switches = sum(int(line.split()[1]) for line in status if line.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")))
        out[tid] = (stat[stat.index("(") + 1:stat.rindex(")")], (int(fields[11]) + int(fields[12])) / ticks, switches)
    return out


def connz(monitor):
    data = json.loads(urllib.request.urlopen(f"{monitor}/connz?limit=1000").read())
    return {f"{c.get('name', '')}#{c['cid']}": (c["in_msgs"], c["out_msgs"]) for c in data["connections"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", help="projection-ingest to measure (default: .build/release's)")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--store", default="postgres", choices=["postgres", "clickhouse"])
    parser.add_argument("--perf", help="perf record -g the paused phase into this file")
    args = parser.parse_args()
    bench = R.Bench(argparse.Namespace(quick=True, facts=None, build="release", stores=args.store, tenants=10))
    bench.out = Path("/tmp") / f"ingress-split-{bench.tag}"
    bench.out.mkdir(parents=True, exist_ok=True)
    monitor = f"http://127.0.0.1:{os.environ.get('NATS_MONITOR_PORT', '8222')}"
    store, name = args.store, f"{bench.tag}_split"
    bench.prepare(store, name)
    stream, prefix = f"{bench.stream}_SPLIT", f"{bench.prefix}split"
    bench.bench("publish", *bench.stream_args(stream, prefix), "--facts", 0)
    port = bench.free_port()
    env = dict(bench.ingest_env(store, name, f"split_{bench.tag}", port, stream, prefix), PROJECTION_INGRESS="true",
               PROJECTION_INGRESS_TOKENS=f"{bench.INGRESS_TOKEN}=ingress:*", PROJECTION_INGRESS_SUBJECT=f"{prefix}.{{tenant}}.{{type}}",
               PROJECTION_ADMIN_TOKEN=ADMIN)
    default_bin = bench.bin
    bench.bin = Path(args.binary).parent if args.binary else bench.bin
    ingest = bench.start("projection-ingest", env, "ingest-split")
    bench.bin = default_bin

    def admin(path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST", headers={"Authorization": f"Bearer {ADMIN}"})
        urllib.request.urlopen(request).read()

    def phase(label, tag):
        t0, c0, s0 = threads(ingest.pid), connz(monitor), bench.server_cpu()
        result = bench.bench("ingress-load", "--scenario", "single", "--ingest-port", port, "--events", args.events, "--tag", tag,
                             env={"INGRESS_TOKEN": bench.INGRESS_TOKEN})
        t1, c1, s1 = threads(ingest.pid), connz(monitor), bench.server_cpu()
        n = max(result["events"], 1)
        by_name = {}
        for tid, (name_, cpu, switches) in t1.items():
            before = t0.get(tid, (name_, 0, 0))
            entry = by_name.setdefault(name_, [0.0, 0, 0])
            entry[0] += cpu - before[1]
            entry[1] += switches - before[2]
            entry[2] += 1
        cpu = sum(v[0] for v in by_name.values())
        switches = sum(v[1] for v in by_name.values())
        print(f"== {label}: {result['events_per_second']:.0f} events/s, ingest {cpu / n * 1e6:.0f} µs/event in {switches / n:.1f} switches, "
              f"nats-server {(s1.get('nats', 0) - s0.get('nats', 0)) / n * 1e6:.0f} µs/event, client {result['client_cpu_us_per_event']:.0f} µs/event, "
              f"load {os.getloadavg()[0]:.1f}")
        for thread, (cpu, switches, count) in sorted(by_name.items(), key=lambda item: -item[1][0]):
            if cpu > 0 or switches > 0:
                print(f"   thread {thread:24s} x{count:<3d} {cpu / n * 1e6:6.0f} µs/event {switches / n:5.1f} switches/event")
        for connection in sorted(c1):
            before = c0.get(connection, (0, 0))
            delta = (c1[connection][0] - before[0], c1[connection][1] - before[1])
            if any(delta):
                print(f"   connection {connection:42s} in {delta[0] / n:.2f}/event out {delta[1] / n:.2f}/event")

    try:
        if not bench.wait_ready(ingest, port):
            raise RuntimeError("projection-ingest did not become ready")
        admin("/admin/pause")
        perf = subprocess.Popen(["perf", "record", "-g", "-F", "2000", "-o", args.perf, "-p", str(ingest.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if args.perf else None
        phase("consumer paused (the ingress alone)", f"{bench.tag}p")
        if perf:
            perf.send_signal(2)
            perf.wait()
        admin("/admin/resume")
        if not bench.wait_applied(port, stream, 300):
            raise RuntimeError("the consumer did not catch up")
        phase("consumer running", f"{bench.tag}r")
    finally:
        bench.stop(ingest)
        bench.prepare(store, name, drop=True)


if __name__ == "__main__":
    main()
