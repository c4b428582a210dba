"""Issue 13's generator test: random annotated projections x random facts (edge and hostile values,
duplicates, version ties), through the real projection-migrate / projection-ingest on ClickHouse AND
Postgres, checked against an independent model (genproj.Model) and against each other (state hash);
then each table's generated query RPC through projection-query on both stores (querycheck.py).

    GENERATOR_RUNS=8          projections per session (CI default)
    GENERATOR_SEED=1000       first seed; run i uses seed+i (print shows each seed: rerun one with
                              GENERATOR_SEED=<seed> GENERATOR_RUNS=1); without it, the regression
                              seeds (REGRESSION_SEEDS) run too
    GENERATOR_FACTS=300       facts per projection
    GENERATOR_FEATURES=all    or a list: "all,-decimal,-ties" / "hostile,kill" (see genproj.ALL_FEATURES)
    GENERATOR_STALL_SECONDS=120   fail when a checkpoint has not moved this long (stall detection only)
    GENERATOR_KEEP=1          keep databases and stream of failing runs (default: dropped)
    GENERATOR_BIN_DIR         executables (default: `swift build --show-bin-path`)

On failure the run's folder (proto, descriptor set, facts.jsonl, ingest logs, hashes) is printed and kept.
"""
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import genproj
import harness

RUNS = int(os.environ.get("GENERATOR_RUNS", "8"))
SEED = int(os.environ.get("GENERATOR_SEED", "1000"))
# Seeds that once found a defect, run as well by default (all features): 8004, 8094 and 8109 made a
# sum-only aggregate row whose sums were all zero, which ClickHouse's SummingMergeTree merged away
# while Postgres kept it (fixed by the `_projection_facts` count, docs/ANNOTATIONS.md "Aggregates").
REGRESSION_SEEDS = [] if "GENERATOR_SEED" in os.environ else [8004, 8094, 8109]
# Features added after those seeds were recorded: left out of their runs, so they make the very
# projections and facts that found the defect (new features draw from dice of their own, but they do
# change what a projection holds).
LATER_FEATURES = {"append_sort", "sum_mixed", "float_keys", "number_strings", "sum_overflow", "key_notation", "ts_forms", "key_types", "data_message", "tenant_edges", "encoding"}
FACTS = int(os.environ.get("GENERATOR_FACTS", "300"))


def features():
    chosen = set()
    for word in os.environ.get("GENERATOR_FEATURES", "all").split(","):
        word = word.strip()
        if not word:
            continue
        if word == "all":
            chosen |= genproj.ALL_FEATURES
        elif word.startswith("-"):
            chosen.discard(word[1:])
        elif word in genproj.ALL_FEATURES:
            chosen.add(word)
        else:
            raise ValueError(f"GENERATOR_FEATURES: unknown feature {word!r} (known: {sorted(genproj.ALL_FEATURES)})")
    return chosen


@pytest.fixture(scope="session")
def binaries():
    return harness.bin_dir()


@pytest.mark.parametrize("seed", [SEED + i for i in range(RUNS)] + REGRESSION_SEEDS)
def test_generated_projection(seed, binaries):
    feats = features() - (LATER_FEATURES if seed in REGRESSION_SEEDS else set())
    workdir = Path(tempfile.mkdtemp(prefix=f"generator-{seed}-"))
    run = harness.Run(seed, feats, FACTS, workdir, binaries)
    print(f"\n== generator seed {seed} (features {','.join(sorted(feats))}); files in {workdir}")
    ok = False
    try:
        run.generate()
        print(run.summary())
        run.migrate()
        run.publish()
        run.ingest()
        run.check()
        for note in run.notes:
            print("  note:", note)
        ok = not run.failures
        assert ok, (f"seed {seed}: {len(run.failures)} check(s) failed; proto, facts and logs in {workdir}\n"
                    + "\n".join(run.failures))
    finally:
        if ok or not os.environ.get("GENERATOR_KEEP"):
            run.cleanup()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"seed {seed}: kept {workdir} (projection.proto in gen/, facts.jsonl, ingest logs)")
