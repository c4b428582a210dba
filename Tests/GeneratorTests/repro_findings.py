"""Minimal reproductions of the generator test's findings (issue 13), through the same harness: real executables,
both stores, the same model. Run from the repo root with the dev venv and `dev/stack env` exported:

    .dev/venv/bin/python Tests/GeneratorTests/repro_findings.py int bool dec exc tie parts zero
"""
import sys, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import genproj, harness
from genproj import Projection, Binding, Table, Column, Source, CType, Fact, Num, to_json

BIN = harness.bin_dir()


def run(name, seed, tables, datas, batch=400, bindings=None, times=None, optimize=False):
    feats = set(genproj.ALL_FEATURES) - {"kill"} - (set() if optimize else {"optimize"})
    r = harness.Run(seed, feats, len(datas), Path(tempfile.mkdtemp(prefix=f"repro-{name}-")), BIN)
    proj = Projection(seed, f"repro-{name}", f"repro.s{seed}.v1", bindings or [Binding("f1", f"repro.{name}.v1", key_path="id")], tables, feats)
    def gen():
        r.proj = proj
        r.facts = []
        for i, d in enumerate(datas):
            f = Fact("f1", proj.bindings[0].type, "t1", f"ev-{i}", "/src", (times or {}).get(i, "2024-03-01T00:00:00Z"), None, d)
            f.nats_subject = f"{r.prefix}.t1.f1"
            ev = {"specversion": "1.0", "id": f.id, "source": f.source, "type": f.type, "time": f.time, "tenantid": "t1", "data": d}
            f.body = to_json(ev).encode()
            r.facts.append(f)
        (r.dir / "gen").mkdir(parents=True, exist_ok=True)
        (r.dir / "gen/projection.proto").write_text(proj.proto())
        import subprocess
        r.descriptor = r.dir / "projection.binpb"
        subprocess.run(["protoc", "-I", str(r.dir), "-I", str(harness.REPO / "proto"), "-I", "/usr/include", "--include_imports",
                        "--include_source_info", f"--descriptor_set_out={r.descriptor}", "gen/projection.proto"], check=True)
        r.model = genproj.Model(proj)
        r.model.apply(r.facts)
    r.generate = gen
    import random
    try:
        r.generate(); r.migrate(); r.publish()
        r.proj_rng = random.Random(1)
        orig = r.ingest
        # fixed batch size
        def ingest():
            import time
            r.batch = {"clickhouse": batch, "postgres": batch}
            for s in r.batch: r.start_ingest(s, 1)
            t0 = time.monotonic()
            while time.monotonic() - t0 < 20:
                sts = [r.status(s) for s in r.batch]
                if all(st and st["checkpoint"] >= r.last_seq for st in sts): break
                time.sleep(0.3)
            for s in r.batch:
                st = r.status(s)
                if not st or st["checkpoint"] < r.last_seq:
                    r.fail("no stall", f"{s}: checkpoint {st and st['checkpoint']} of {r.last_seq}; last_error {st and st.get('last_error')}")
            for s in list(r.procs): r.stop(s)
        r.proj_rng = random.Random(1)
        ingest()
        r.check()
    finally:
        r.cleanup()
    print(f"===== {name}: {len(r.failures)} failures ({r.dir})")
    for f in r.failures:
        print("  ", harness.short(f)[:900])


T = lambda: Column("tenant_id", CType("string"), sources={"f1": Source("f1", "envelope", "tenant")})
SEQ = lambda: Column("seq", CType("uint64"), sources={"f1": Source("f1", "envelope", "stream_sequence")}, proto_field="uint64")
which = sys.argv[1:]

if "int" in which:
    run("int", 9001, [Table("t", "append", [T(), SEQ(), Column("v", CType("int64"), proto_field="int64", sources={"f1": Source("f1", "data", "v")})], ["tenant_id", "seq"])],
        [{"id": "a", "v": Num("9.2e18")}, {"id": "b", "v": Num("790702970447414258.000")}, {"id": "c", "v": Num("1e400")}, {"id": "d", "v": Num("42")}])
if "bool" in which:
    run("boolconst", 9002, [Table("t", "append", [T(), SEQ(), Column("b", CType("bool"), proto_field="bool", sources={"f1": Source("f1", "constant", "true")})], ["tenant_id", "seq"])],
        [{"id": "a"}])
if "dec" in which:
    run("dec", 9003, [Table("t", "append", [T(), SEQ(), Column("d", CType("decimal", 9, 2), sources={"f1": Source("f1", "data", "d")})], ["tenant_id", "seq"])],
        [{"id": "a", "d": ".5"}, {"id": "b", "d": "1."}, {"id": "c", "d": "1.50"}])
if "exc" in which:
    run("exc", 9004, [Table("t", "append", [T(), SEQ()], ["tenant_id", "seq"])],
        [{"id": "Code: 1. DB::Exception: x"}, {"id": "Code: 1. DB::Exception: x"}, {"id": "ok"}], batch=1)
if "tie" in which:
    run("tie", 9005, [Table("t", "latest", [T(), Column("k", CType("string"), sources={"f1": Source("f1", "data", "k")}),
                                             Column("ver", CType("uint64"), proto_field="uint64", sources={"f1": Source("f1", "data", "ver")}),
                                             Column("day", CType("date"), sources={"f1": Source("f1", "data", "day")})],
                             ["tenant_id", "k"], version="ver", partition=("day", "MONTH"))],
        [{"id": "a", "k": "x", "ver": 1, "day": "2024-05-01"}, {"id": "b", "k": "x", "ver": 1, "day": "2024-01-01"}], batch=1)
if "parts" in which:
    run("parts", 9006, [Table("t", "append", [T(), SEQ(), Column("day", CType("date"), sources={"f1": Source("f1", "data", "day")})], ["tenant_id", "seq"], partition=("day", "MONTH"))],
        [{"id": f"a{i}", "day": f"{2000 + i // 12}-{i % 12 + 1:02d}-01"} for i in range(101)])
if "zero" in which:
    # A sum-only aggregate row whose sum comes back to zero, in two parts that OPTIMIZE FINAL merges: a
    # SummingMergeTree deleted it while Postgres kept it (generator seeds 8004, 8094, 8109), until
    # `_projection_facts` counted the facts applied to each row.
    run("zero", 9007, [Table("t", "aggregate", [T(), Column("k", CType("string"), sources={"f1": Source("f1", "data", "k")}),
                                                 Column("m", CType("int64"), proto_field="int64", aggregate="sum",
                                                        sources={"f1": Source("f1", "data", "m")})],
                             ["tenant_id", "k"])],
        [{"id": "a", "k": "x", "m": 5}, {"id": "b", "k": "x", "m": -5}, {"id": "c", "k": "y", "m": 0}], batch=1, optimize=True)
