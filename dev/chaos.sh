#!/usr/bin/env bash
# Reproduces the exactly-once proof: ≥100,000 orders-analytics facts over 3 tenants, with producer
# duplicates and poison facts, into each store, while the real projection-ingest process is kill -9'd at
# random moments (10 times), the store is stopped for 30 s, and nats-server is restarted. The totals must
# equal those computed independently from the published facts, and the quarantine must hold exactly the
# poison facts. It stops shared dev-stack servers, so nothing else should use the stack meanwhile.
# Then 3 replicas share 6 partitions through leases over 1,000,000 facts while replicas are kill -9'd
# and frozen (SIGSTOP) past their lease, and a replica frozen mid-transaction must lose its partition
# within two lease TTLs + 2 s (FrozenReplicaTakeoverTests). Then a scratch three-node JetStream cluster's
# node faults and rolling restart, single consumer and replica mode (ClusterFaultTests,
# ClusterReplicaFaultTests), and the fault matrix's other rows (FaultMatrixTests). Every fault test writes
# its cell to .dev/fault-matrix/; dev/fault-matrix.py renders them into docs/RELIABILITY.md.
# Env: PROJECTION_CHAOS_ORDERS (default 80000 orders ≈ 101,600 facts), PROJECTION_SCALEOUT_FACTS (1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
dev/stack up
eval "$(dev/stack env)"
swift build --build-tests
PROJECTION_CHAOS=1 swift test --skip-build --filter IngestChaosTests "$@"
PROJECTION_CHAOS=1 swift test --skip-build --filter ReplicaScaleOutTests "$@"
PROJECTION_CHAOS=1 swift test --skip-build --filter FrozenReplicaTakeoverTests "$@"
PROJECTION_CHAOS=1 PROJECTION_CLUSTER_FAULTS="${PROJECTION_CLUSTER_FAULTS:-all}" swift test --skip-build --filter ClusterFaultTests "$@"
PROJECTION_CHAOS=1 swift test --skip-build --filter ClusterReplicaFaultTests "$@"
PROJECTION_CHAOS=1 swift test --skip-build --filter FaultMatrixTests "$@"
