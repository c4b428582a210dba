"""Turns results.json into PNG charts and summary.md (used by bench/run.py; runnable on its own:
`.dev/venv/bin/python bench/report.py bench/results/<stamp>` re-renders a finished run)."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STORE_NAMES = {"clickhouse": "ClickHouse", "postgres": "Postgres"}
DRAIN_TARGETS = {"clickhouse": 100_000, "postgres": 60_000}


def fmt_rate(v):
    return "–" if v is None else f"{v:,.0f}"


def fmt_ms(v):
    return "–" if v is None else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")


def verdict(ok):
    return "" if ok is None else (" ✅" if ok else " ❌")


def query_overhead(q):
    """Per method: API p50 ÷ direct p50 and API p99 ÷ direct p99."""
    api, direct = q.get("api"), q.get("direct")
    if not api or not direct:
        return {}
    out = {}
    for method, a in api["methods"].items():
        d = direct["methods"].get(method)
        if d and d.get("p50_ms") and d.get("p99_ms"):
            out[method] = (a["p50_ms"] / d["p50_ms"], a["p99_ms"] / d["p99_ms"])
    return out


def fresh_at(fresh, rate):
    for f in fresh or []:
        if f["target_rate"] == rate:
            return f
    return None


# ---------------------------------------------------------------------- charts

def chart_drain(results, out):
    sc = results["scenarios"]
    stores = [s for s in results["setup"]["stores"] if s in sc.get("drain", {})]
    if not stores:
        return None
    series = [
        ("projection-ingest", lambda s: sc["drain"][s]["facts_per_second"], "#1f77b4"),
        ("raw JetStream fetch+ack", lambda s: sc["raw_nats"]["facts_per_second"], "#aaaaaa"),
        ("raw store insert", lambda s: sc.get("raw_insert", {}).get(s, {}).get("facts_per_second"), "#777777"),
        ("baseline (Python, 1 by 1)", lambda s: sc.get("baseline", {}).get(s, {}).get("facts_per_second"), "#d62728"),
    ]
    fig, ax = plt.subplots(figsize=(9, 4.8))
    width = 0.2
    for i, (label, get, color) in enumerate(series):
        xs, ys = [], []
        for j, s in enumerate(stores):
            v = get(s)
            if v:
                xs.append(j + (i - 1.5) * width)
                ys.append(v)
        bars = ax.bar(xs, ys, width, label=label, color=color)
        for bar, v in zip(bars, ys):
            ax.annotate(f"{v:,.0f}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=7)
    for j, s in enumerate(stores):
        ax.hlines(DRAIN_TARGETS[s], j - 0.45, j + 0.45, colors="green", linestyles="dashed")
        ax.annotate(f"target {DRAIN_TARGETS[s]:,}", (j - 0.45, DRAIN_TARGETS[s]), fontsize=7, color="green", ha="left", va="bottom")
    ax.set_yscale("log")
    ax.set_xticks(range(len(stores)), [STORE_NAMES[s] for s in stores])
    ax.set_ylabel("facts per second (log scale)")
    ax.set_title(f"Backlog drain of {results['setup']['facts']:,} facts ({results['setup']['build']} build)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False)
    fig.tight_layout()
    fig.savefig(out / "drain.png", dpi=110)
    plt.close(fig)
    return "drain.png"


def chart_freshness(results, out):
    fresh = results["scenarios"].get("freshness", {})
    stores = [s for s in results["setup"]["stores"] if fresh.get(s)]
    if not stores:
        return None
    fig, axes = plt.subplots(1, len(stores), figsize=(5 * len(stores), 4.2), squeeze=False)
    for ax, s in zip(axes[0], stores):
        runs = fresh[s]
        labels = [f"{r['target_rate']:,}/s\n(got {r['achieved_rate']:,.0f})" for r in runs]
        p50 = [r["latency"].get("p50_ms", 0) for r in runs]
        p99 = [r["latency"].get("p99_ms", 0) for r in runs]
        x = range(len(runs))
        ax.bar([i - 0.2 for i in x], p50, 0.4, label="p50", color="#1f77b4")
        ax.bar([i + 0.2 for i in x], p99, 0.4, label="p99", color="#ff7f0e")
        for i, (a, b) in enumerate(zip(p50, p99)):
            ax.annotate(f"{a:.0f}", (i - 0.2, a), ha="center", va="bottom", fontsize=7)
            ax.annotate(f"{b:.0f}", (i + 0.2, b), ha="center", va="bottom", fontsize=7)
        ax.axhline(500, color="green", linestyle="dashed", linewidth=1)
        ax.annotate("target p99 < 500 ms at 10k/s", (len(runs) - 0.5, 500), fontsize=7, color="green", ha="right", va="bottom")
        ax.set_xticks(list(x), labels, fontsize=8)
        ax.set_yscale("log")  # latencies span 10 ms to tens of seconds once ingest falls behind
        ax.set_ylabel("publish → visible via query API (ms, log scale)")
        ax.set_title(STORE_NAMES[s])
        ax.legend(fontsize=8)
    fig.suptitle("Live freshness at steady publish rates")
    fig.tight_layout()
    fig.savefig(out / "freshness.png", dpi=110)
    plt.close(fig)
    return "freshness.png"


def chart_queries(results, out):
    queries = results["scenarios"].get("query", {})
    stores = [s for s in results["setup"]["stores"] if queries.get(s)]
    if not stores:
        return None
    fig, axes = plt.subplots(1, len(stores), figsize=(5.5 * len(stores), 4.2), squeeze=False)
    for ax, s in zip(axes[0], stores):
        modes = [m for m in ("api", "direct") if m in queries[s]]
        methods = list(queries[s][modes[0]]["methods"].keys())
        for k, mode in enumerate(modes):
            ms = queries[s][mode]["methods"]
            p50 = [ms[m].get("p50_ms", 0) for m in methods]
            p99 = [ms[m].get("p99_ms", 0) for m in methods]
            xs = [i + (k - 0.5) * 0.38 for i in range(len(methods))]
            color = "#1f77b4" if mode == "api" else "#7f7f7f"
            ax.bar(xs, p50, 0.36, color=color, label=f"{'query API' if mode == 'api' else 'direct SQL'} p50")
            ax.scatter(xs, p99, marker="_", s=300, color="black", zorder=3, label="p99" if k == 0 else None)
            for x, v in zip(xs, p50):
                ax.annotate(fmt_ms(v), (x, v), ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(methods)), methods, fontsize=8)
        ax.set_ylabel("latency (ms)")
        ax.set_title(STORE_NAMES[s])
        ax.legend(fontsize=8)
    fig.suptitle("Query latency: query API vs the same SQL sent straight to the store")
    fig.tight_layout()
    fig.savefig(out / "queries.png", dpi=110)
    plt.close(fig)
    return "queries.png"


# ---------------------------------------------------------------------- summary

def summary(results, charts):
    setup, sc = results["setup"], results["scenarios"]
    stores = setup["stores"]
    m = setup["machine"]
    s = setup["ingest_settings"]
    lines = [
        f"# projection benchmarks — {setup['date']} ({setup['mode']} run)",
        "",
        f"- **Machine**: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, Linux {m['kernel']}; all servers on the same machine.",
        f"- **Servers**: {setup['servers']}.",
        f"- **Build**: `{setup['build']}`" + (" (debug: smoke numbers only, not representative)" if setup["build"] == "debug" else "") + f"; commit `{setup['commit']}`.",
        f"- **Ingest settings**: batch {s['PROJECTION_BATCH_MAX_FACTS']} facts, linger {s['PROJECTION_BATCH_LINGER_MS']} ms, "
        f"fetch {s['PROJECTION_FETCH_BATCH']}, max ack pending {s['PROJECTION_MAX_ACK_PENDING']}.",
        f"- **Facts**: {setup['facts']:,} orders-analytics CloudEvents (JSON, avg {setup.get('avg_fact_bytes', '?')} bytes; "
        f"4 of 5 `order_placed`, 1 of 5 `order_refunded`), {setup['tenants']} tenants.",
        f"- **Stores**: {', '.join(STORE_NAMES[x] for x in stores)} (exactly-once on Postgres, effectively-once on ClickHouse).",
        "",
        "## Headline",
        "",
        "| Measure | Target | " + " | ".join(STORE_NAMES[x] for x in stores) + " |",
        "| --- | --- | " + " | ".join("---" for _ in stores) + " |",
    ]

    def row(label, target, cells):
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")

    drain = sc.get("drain", {})
    row("Backlog drain (facts/s)", "≥ 100,000 CH / ≥ 60,000 PG",
        [fmt_rate(drain[x]["facts_per_second"]) + verdict(drain[x]["facts_per_second"] >= DRAIN_TARGETS[x]) if x in drain else "–" for x in stores])
    row("Drain ÷ min(raw limits)", "≥ 0.7",
        [f"{drain[x]['ratio_to_raw_limit']:.2f}" + verdict(drain[x]["ratio_to_raw_limit"] >= 0.7) if x in drain else "–" for x in stores])
    cells = []
    for x in stores:
        f = fresh_at(sc.get("freshness", {}).get(x), 10_000) or fresh_at(sc.get("freshness", {}).get(x), 1_000)
        if f and "p99_ms" in f["latency"]:
            cells.append(f"{fmt_ms(f['latency']['p99_ms'])} ms at {f['target_rate']:,}/s" + verdict(f["latency"]["p99_ms"] < 500 if f["target_rate"] == 10_000 else None))
        else:
            cells.append("–")
    row("Freshness p99", "< 500 ms at 10,000/s", cells)
    cells = []
    for x in stores:
        o = query_overhead(sc.get("query", {}).get(x, {}))
        if o:
            worst = max(v[0] for v in o.values())
            cells.append(f"{worst:.2f}× (worst p50 ratio)" + verdict(worst <= 1.2))
        else:
            cells.append("–")
    row("Query API overhead", "≤ 1.2× direct", cells)
    row("Ingest peak RSS", "≤ 150 MB",
        [f"{drain[x]['peak_rss_bytes'] / 2**20:.0f} MB" + verdict(drain[x]["peak_rss_bytes"] <= 150 * 2**20) if x in drain else "–" for x in stores])
    row("Ingest CPU per million facts", "–", [f"{drain[x]['cpu_seconds_per_million_facts']:.1f} s" if x in drain else "–" for x in stores])
    if "raw_nats_c" in sc:
        row("Ingest CPU per fact", "≤ 3 µs",
            [f"{drain[x]['ingest_cpu_us_per_fact']:.1f} µs" + verdict(drain[x]["ingest_cpu_us_per_fact"] <= 3) if "ingest_cpu_us_per_fact" in drain.get(x, {}) else "–" for x in stores])
        row("Drain ÷ bare C libnats fetch+ack", "≥ 0.5 (PG)",
            [f"{drain[x]['ratio_to_c_floor']:.2f}" if "ratio_to_c_floor" in drain.get(x, {}) else "–" for x in stores])
    base = sc.get("baseline", {})
    row("Ingest ÷ baseline projector", "–", [f"{base[x]['ingest_ratio']:.0f}×" if base.get(x, {}).get("ingest_ratio") else "–" for x in stores])

    lines += ["", "## 1. Backlog drain", "",
              f"{setup['facts']:,} facts published first ({fmt_rate(sc.get('publish', {}).get('facts_per_second'))} facts/s publish rate), "
              "then `projection-ingest` started on an empty, migrated database; time from process start until `/admin/ingestion` "
              "`checkpoint` equals the stream's last sequence. Raw limits in the same run: `projection-bench raw-nats` (fetch 500, "
              "then one ack for the fetch on an ack-all durable of its own, as the ingest acks; no decoding, no store) and `projection-bench raw-insert` (the same rows, no NATS: ClickHouse RowBinary INSERT per table per "
              "5,000-fact batch; Postgres one transaction per batch with the store's `INSERT … SELECT FROM unnest(…) ON CONFLICT` statements; "
              "neither writes idempotency keys or checkpoints)."
              + (f" For context, not a limit: acking every message on its own (explicit acks), the bare fetch reaches "
                 f"{fmt_rate(sc['raw_nats_ack_each']['facts_per_second'])} facts/s." if "raw_nats_ack_each" in sc else ""), "",
              "| Store | Ingest facts/s | Raw JetStream facts/s | Raw insert facts/s | Ingest ÷ min(raw) | Drain time |",
              "| --- | --- | --- | --- | --- | --- |"]
    for x in stores:
        if x in drain:
            d = drain[x]
            lines.append(f"| {STORE_NAMES[x]} | {fmt_rate(d['facts_per_second'])} | {fmt_rate(sc['raw_nats']['facts_per_second'])} | "
                         f"{fmt_rate(sc.get('raw_insert', {}).get(x, {}).get('facts_per_second'))} | {d['ratio_to_raw_limit']:.2f} | {d['seconds']:.1f} s |")

    floor = sc.get("raw_nats_c")
    if floor:
        lines += ["", "### Against the floor", "",
                  f"The floor is a bare C libnats client (`bench/c/raw_nats_fetch.c`, built by the bench): fetch {floor['fetch_batch']} "
                  f"and ack each message, no decoding, no store, on a durable of its own over the same stream in this run: "
                  f"{fmt_rate(floor['facts_per_second'])} msg/s, {floor['cpu_us_per_message']:.2f} µs of client CPU"
                  + (f" and {floor['nats_server_cpu_us_per_message']:.2f} µs of nats-server CPU" if "nats_server_cpu_us_per_message" in floor else "")
                  + " per message. CPU per fact of each process during the drain:", "",
                  "| Store | Drain ÷ floor | ingest µs/fact | nats-server µs/fact (÷ under the floor) | store µs/fact |",
                  "| --- | --- | --- | --- | --- |"]
        for x in stores:
            d = drain.get(x, {})
            if "ratio_to_c_floor" not in d:
                continue
            nats = d.get("nats_server_cpu_us_per_fact")
            nats_text = "–" if nats is None else f"{nats:.2f}" + (f" ({nats / floor['nats_server_cpu_us_per_message']:.2f}×)" if floor.get("nats_server_cpu_us_per_message") else "")
            store_cpu = d.get("store_cpu_us_per_fact")
            lines.append(f"| {STORE_NAMES[x]} | {d['ratio_to_c_floor']:.2f} | {d['ingest_cpu_us_per_fact']:.2f} | {nats_text} | "
                         + ("–" if store_cpu is None else f"{store_cpu:.2f}") + " |")

    cg = sc.get("decode_callgrind")
    if cg:
        lines += ["", "### Decode, map and encode in instructions", "",
                  "`projection-decode-bench` under `valgrind --tool=callgrind` (deterministic whatever else runs): instructions per "
                  "fact, (3 rounds − 1 round) ÷ 4,000 over 2,000 orders-mix facts; encode = what a store's batch write builds "
                  "before its round trips (seen keys, rows folded per key, RowBinary or Postgres array literals).", "",
                  "| decode + map | + ClickHouse encode | + Postgres encode |", "| --- | --- | --- |",
                  "| " + " | ".join(f"{cg[k]:,.0f}" if k in cg else "–" for k in ("decode_map", "decode_map_encode_clickhouse", "decode_map_encode_postgres")) + " |"]

    lines += ["", "## 2. Live freshness", "",
              "Orders published at a steady rate while ingest runs caught up; every 100 ms one is a probe. A single poller calls "
              "`GetOrder` through the query API for the oldest unseen probe until it is visible; latency = visible − the instant before "
              "the probe was handed to the NATS client. Resolution: one poll round trip (below) plus a 1 ms pause; the rates are "
              "what the Swift publisher achieved while sharing the 2 cores with ingest, the servers and the poller.", "",
              "| Store | Target rate | Achieved | p50 | p99 | max | Probes | Poll round trip p50 |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for x in stores:
        for f in sc.get("freshness", {}).get(x, []):
            lat = f["latency"]
            lines.append(f"| {STORE_NAMES[x]} | {f['target_rate']:,}/s | {f['achieved_rate']:,.0f}/s | {fmt_ms(lat.get('p50_ms'))} ms | "
                         f"{fmt_ms(lat.get('p99_ms'))} ms | {fmt_ms(lat.get('max_ms'))} ms | {lat['count']} (+{f['probes_not_seen']} unseen) | "
                         f"{fmt_ms(f['poll_rtt'].get('p50_ms'))} ms |")

    lines += ["", "## 3. Query API", "",
              "The three orders-analytics RPCs over the drained backlog, through `projection-query` (HTTP/1.1 keep-alive, JSON) and "
              "the same SQL from `sql/<store>/queries/` sent straight to the store with the same parameters (ClickHouse: same settings "
              f"and `FORMAT JSONCompact`; Postgres: `$n` parameters). {results['setup']['profile']['requests']} requests per RPC, "
              f"{results['setup']['profile']['concurrency']} connections, after a warm-up.", "",
              "| Store | RPC | API p50 | API p99 | API req/s | Direct p50 | Direct p99 | Direct req/s | Overhead p50 / p99 |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for x in stores:
        q = sc.get("query", {}).get(x, {})
        o = query_overhead(q)
        direct = q.get("direct", {}).get("methods", {})
        api = q.get("api", {}).get("methods", {})
        for method in sorted(set(direct) | set(api)):
            a, d = api.get(method, {}), direct.get(method, {})
            ov = o.get(method)
            lines.append(f"| {STORE_NAMES[x]} | {method} | {fmt_ms(a.get('p50_ms'))} ms | {fmt_ms(a.get('p99_ms'))} ms | {fmt_rate(a.get('requests_per_second'))} | "
                         f"{fmt_ms(d.get('p50_ms'))} ms | {fmt_ms(d.get('p99_ms'))} ms | {fmt_rate(d.get('requests_per_second'))} | "
                         + (f"{ov[0]:.2f}× / {ov[1]:.2f}×" if ov else "–") + " |")

    codec_rows = []
    for x in stores:
        q = sc.get("query", {}).get(x, {})
        api, proto = q.get("api", {}).get("methods", {}), q.get("api_proto", {}).get("methods", {})
        for method in sorted(set(api) & set(proto)):
            a, p = api[method], proto[method]
            ratio = (p["p50_ms"] / a["p50_ms"]) if a.get("p50_ms") else None
            codec_rows.append(f"| {STORE_NAMES[x]} | {method} | {fmt_ms(a.get('p50_ms'))} ms | {fmt_ms(a.get('p99_ms'))} ms | "
                              f"{fmt_ms(p.get('p50_ms'))} ms | {fmt_ms(p.get('p99_ms'))} ms | " + (f"{ratio:.2f}×" if ratio else "–") + " |")
    if codec_rows:
        lines += ["", "### Connect codecs: JSON vs binary protobuf", "",
                  "The same requests through `projection-query` with `application/json` and `application/proto` (no compression). "
                  "Numbers only; nothing about them is asserted.", "",
                  "| Store | RPC | JSON p50 | JSON p99 | proto p50 | proto p99 | proto ÷ JSON p50 |", "| --- | --- | --- | --- | --- | --- | --- |"]
        lines += codec_rows

    lines += ["", "## 4. Rebuild", "",
              "Replay of the whole backlog stream from sequence 1 into a new, empty database with a new durable: "
              "migrations applied, then `projection-ingest` until caught up.", "",
              "| Store | Facts | Migrate | Replay | Total | Replay facts/s |", "| --- | --- | --- | --- | --- | --- |"]
    for x in stores:
        r = sc.get("rebuild", {}).get(x)
        if r:
            lines.append(f"| {STORE_NAMES[x]} | {r['facts']:,} | {r['migrate_seconds']:.1f} s | {r['seconds']:.1f} s | {r['total_seconds']:.1f} s | {fmt_rate(r['facts_per_second'])} |")

    lines += ["", "## 5. Resources (ingest process, backlog drain)", "",
              "From `/proc/<pid>/status` VmHWM and `/proc/<pid>/stat` utime+stime, read when the checkpoint reached the end.", "",
              "| Store | Peak RSS | CPU seconds | CPU s per million facts |", "| --- | --- | --- | --- |"]
    for x in stores:
        if x in drain:
            d = drain[x]
            lines.append(f"| {STORE_NAMES[x]} | {d['peak_rss_bytes'] / 2**20:.1f} MB | {d['cpu_seconds']:.1f} | {d['cpu_seconds_per_million_facts']:.1f} |")

    budget = [x for x in stores if drain.get(x, {}).get("server_cpu_seconds")]
    if budget:
        cores = setup["machine"]["nproc"]
        lines += ["", "### Where the CPU goes (backlog drain)", "",
                  "CPU seconds per million facts of every process involved, read from `/proc` before and after the drain "
                  "(Postgres: the postmaster, its reaped children and its live backends). All of them share the "
                  f"{cores} cores, so {cores} ÷ the total is the drain rate the machine could reach if no process ever "
                  "waited for another; the drain's share of that ceiling shows how much is lost to waiting.", "",
                  "| Store | projection-ingest | nats-server | store server | Total | Ceiling (facts/s) | Drain ÷ ceiling |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for x in budget:
            d = drain[x]
            per_m = lambda seconds: seconds / d["facts"] * 1e6
            servers = d["server_cpu_seconds"]
            store_cpu = servers.get("clickhouse" if x == "clickhouse" else "postgres", 0.0)
            total = d["cpu_seconds"] + servers.get("nats", 0.0) + store_cpu
            ceiling = cores / (total / d["facts"]) if total > 0 else None
            lines.append(f"| {STORE_NAMES[x]} | {per_m(d['cpu_seconds']):.1f} s | {per_m(servers.get('nats', 0.0)):.1f} s | "
                         f"{per_m(store_cpu):.1f} s | {per_m(total):.1f} s | {fmt_rate(ceiling)} | "
                         f"{d['facts_per_second'] / ceiling:.2f} |" if ceiling else f"| {STORE_NAMES[x]} | – | – | – | – | – | – |")

    lines += ["", "## 6. Baseline", "",
              "`bench/baseline/projector.py`: nats-py + psycopg / clickhouse-connect, one fact at a time with single-row writes and a "
              f"checkpoint per message, then ack. Time-boxed to {results['setup']['profile']['baseline_seconds']} s on the same stream "
              "(its rate is steady; the whole backlog would take hours).", "",
              "| Store | Baseline facts/s | projection-ingest facts/s | Ratio |", "| --- | --- | --- | --- |"]
    for x in stores:
        b = base.get(x)
        if b and x in drain:
            lines.append(f"| {STORE_NAMES[x]} | {fmt_rate(b['facts_per_second'])} | {fmt_rate(drain[x]['facts_per_second'])} | "
                         + (f"{b['ingest_ratio']:.0f}×" if b.get("ingest_ratio") else "–") + " |")

    takeover = sc.get("takeover", {})
    if takeover:
        lines += ["", "## 7. Takeover (fault matrix)", "",
                  "Two replicas share two partitions through leases while facts keep arriving on both (bench/takeover.py). "
                  "One replica is frozen with SIGSTOP (on Postgres inside an open batch transaction, seen in `pg_stat_activity`) "
                  "for 5 lease TTLs (3 in quick mode), later the other is killed with SIGKILL. Takeover = signal → the new owner's fence "
                  "(a higher `lease_epoch` on the partition's checkpoint row) is in the store. The bound in docs/SCALING.md "
                  "is 2 TTLs + 2 s. Reported, never asserted.", "",
                  "| Store | Lease TTL | After a freeze | Frozen mid-transaction | After kill -9 | Bound |", "| --- | --- | --- | --- | --- | --- |"]
        secs = lambda v: f"{v:.2f} s" if v is not None else "not measured"
        for x in stores:
            t = takeover.get(x)
            if t:
                mid = t.get("freeze", {}).get("mid_transaction")
                lines.append(f"| {STORE_NAMES[x]} | {t['ttl_seconds']:.0f} s | {secs(t.get('freeze', {}).get('seconds'))} | "
                             f"{'–' if mid is None else ('yes' if mid else 'no')} | {secs(t.get('kill', {}).get('seconds'))} | {t['bound_seconds']:.0f} s |")
    ingress = sc.get("ingress", {})
    if ingress:
        lines += ["", "## 8. HTTP push ingress", "",
                  "`POST /events` of projection-ingest with `PROJECTION_INGRESS=true` (docs/INGRESS.md), on a stream of "
                  "its own per store; every answer 2xx, i.e. after the PubAck. `projection-bench ingress-load`: single structured events back to "
                  "back on one keep-alive connection; batches of 500 on one connection; and 1,000 events/s in 10 ms ticks (one batch "
                  "request per tick) with a probe order every 100 ms, latency = visible through `GetOrder` on the query API − the "
                  "instant before its POST. Batches are measured with the store consumer of the same process running (the "
                  "target's column) and again with it paused (the ingress alone, without the consumer competing for the cores). "
                  "CPU per event (ingest, nats-server) is in results.json.", "",
                  "| Store | Single events/s (target ≥ 5,000) | Single events/s, consumer paused | Batch events/s (target ≥ 50,000) | Batch events/s, consumer paused | POST→visible p50 | p95 at 1,000/s (target < 1 s) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for x in stores:
            r = ingress.get(x)
            if not r:
                continue
            single, batch, alone, fresh = r.get("single"), r.get("batch"), r.get("batch_alone"), r.get("freshness")
            single_alone = r.get("single_alone")
            lat = fresh["latency"] if fresh else {}
            lines.append(f"| {STORE_NAMES[x]} | "
                         + (fmt_rate(single["events_per_second"]) + verdict(single["events_per_second"] >= 5_000) if single else "–") + " | "
                         + (fmt_rate(single_alone["events_per_second"]) if single_alone else "–") + " | "
                         + (fmt_rate(batch["events_per_second"]) + verdict(batch["events_per_second"] >= 50_000) if batch else "–") + " | "
                         + (fmt_rate(alone["events_per_second"]) if alone else "–") + " | "
                         + (f"{fmt_ms(lat['p50_ms'])} ms" if "p50_ms" in lat else "–") + " | "
                         + (f"{fmt_ms(fresh['p95_ms'])} ms" + verdict(fresh["p95_ms"] < 1000) if fresh and fresh.get("p95_ms", -1) >= 0 else "–") + " |")
        floors = [x for x in stores if ingress.get(x, {}).get("floor_single")]
        if floors:
            lines += ["", "Against the floor measured in the same round: a bare C libnats producer (`bench/c/raw_nats_publish.c`) "
                      "publishing to a file-backed stream of its own with a `Nats-Msg-Id` per message and every PubAck awaited, "
                      "no HTTP: one synchronous publish at a time (single), or 500 asynchronous publishes and then their PubAcks "
                      "(batch). CPU in µs per event.", "",
                      "| Store | Floor single events/s | ingress ÷ floor (single) | Floor CPU single: client / nats-server | Ingress CPU single: ingest / nats-server / client | Floor batch events/s | ingress ÷ floor (batch) | Floor CPU batch: client / nats-server |",
                      "| --- | --- | --- | --- | --- | --- | --- | --- |"]
            one = lambda v: f"{v:.1f}" if v is not None else "–"
            for x in floors:
                r = ingress[x]
                fs, fb, single, batch = r["floor_single"], r["floor_batch"], r.get("single", {}), r.get("batch", {})
                lines.append(f"| {STORE_NAMES[x]} | {fmt_rate(fs['events_per_second'])} | "
                             f"{single.get('ratio_to_c_floor', 0):.2f} | {one(fs.get('cpu_us_per_message'))} / {one(fs.get('nats_server_cpu_us_per_event'))} | "
                             f"{one(single.get('ingest_cpu_us_per_event'))} / {one(single.get('nats_server_cpu_us_per_event'))} / {one(single.get('client_cpu_us_per_event'))} | "
                             f"{fmt_rate(fb['events_per_second'])} | {batch.get('ratio_to_c_floor', 0):.2f} | "
                             f"{one(fb.get('cpu_us_per_message'))} / {one(fb.get('nats_server_cpu_us_per_event'))} |")

    if charts:
        lines += ["", "## Charts", ""] + [f"![{c}]({c})" for c in charts]
    failed = [c for c in results["checks"] if not c["ok"]]
    lines += ["", "## Checks", "",
              f"{len(results['checks']) - len(failed)} of {len(results['checks'])} checks passed (totals in every store equal the corpus; "
              "every request answered; freshness latencies measured at every rate). Nothing about timing is asserted."]
    for c in failed:
        lines.append(f"- ❌ {c['check']}: {c['detail']}")
    lines += ["", f"Total run time {results.get('total_seconds', 0):.0f} s. Raw data: `results.json`.", ""]
    return "\n".join(lines)


def write(results, out):
    out = Path(out)
    charts = [c for c in (chart_drain(results, out), chart_freshness(results, out), chart_queries(results, out)) if c]
    (out / "summary.md").write_text(summary(results, charts))


if __name__ == "__main__":
    directory = Path(sys.argv[1])
    write(json.loads((directory / "results.json").read_text()), directory)
