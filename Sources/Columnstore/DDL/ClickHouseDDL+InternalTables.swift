extension ClickHouseDDL {
    /// Tables ingest needs: checkpoints with batch state, seen idempotency keys, quarantine.
    static let internalTables: [ClickHouseTableDefinition] = [
        ClickHouseTableDefinition(
            name: "_projection_checkpoints",
            columns: [
                .init(name: "projection", type: "String"),
                .init(name: "consumer", type: "String"),
                .init(name: "partition", type: "UInt32"),
                .init(name: "first_sequence", type: "UInt64"),
                .init(name: "last_sequence", type: "UInt64"),
                .init(name: "state", type: "Enum8('before' = 1, 'after' = 2)"),
                .init(name: "lease_epoch", type: "UInt64"),
                .init(name: "version", type: "UInt64"),
                .init(name: "updated_at", type: "DateTime64(3, 'UTC')"),
            ],
            engine: "ReplacingMergeTree",
            engineArguments: ["version"],
            orderBy: ["projection", "consumer", "partition"],
            shardingKey: ["projection", "consumer", "partition"]
        ),
        ClickHouseTableDefinition(
            name: "_projection_seen_keys",
            columns: [
                .init(name: "projection", type: "LowCardinality(String)"),
                .init(name: "fact_type", type: "LowCardinality(String)"),
                .init(name: "tenant_id", type: "String"),
                .init(name: "idempotency_key", type: "String"),
                .init(name: "stream_sequence", type: "UInt64"),
                .init(name: "seen_at", type: "DateTime64(3, 'UTC')"),
            ],
            engine: "MergeTree",
            orderBy: ["projection", "fact_type", "tenant_id", "idempotency_key"],
            ttl: "toDateTime(seen_at) + INTERVAL 90 DAY",
            shardingKey: ["projection", "fact_type", "tenant_id", "idempotency_key"]
        ),
        ClickHouseTableDefinition(
            name: "_projection_quarantine",
            columns: [
                .init(name: "projection", type: "LowCardinality(String)"),
                .init(name: "stream_sequence", type: "UInt64"),
                .init(name: "subject", type: "String"),
                .init(name: "fact_id", type: "String"),
                .init(name: "fact_type", type: "String"),
                .init(name: "tenant_id", type: "String"),
                .init(name: "reason", type: "String"),
                .init(name: "raw", type: "String"),
                .init(name: "headers", type: "String"),
                .init(name: "quarantined_at", type: "DateTime64(3, 'UTC')"),
            ],
            engine: "ReplacingMergeTree",
            orderBy: ["projection", "stream_sequence"],
            shardingKey: ["projection", "stream_sequence"]
        ),
    ]

    func internalTableStatements() -> [String] {
        Self.internalTables.flatMap { $0.createStatements(cluster: cluster) }
    }
}
