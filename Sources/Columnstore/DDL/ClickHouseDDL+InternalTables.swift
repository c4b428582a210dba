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
                // The batch's scope (the sequence space its range is in), recorded with its intent; empty
                // for rows of releases before internal tables version 3. Last, as the upgrade adds it.
                .init(name: "batch_scope", type: "String"),
                // An intent's stored SUM totals at risk (`SumGuard` in ClickHouseBackend), JSON or empty;
                // empty for rows of releases before internal tables version 5. Last, as the upgrade adds it.
                .init(name: "sum_guard", type: "String"),
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
                // The batch that recorded the key (scope and range) and its partition; empty and 0 for
                // rows of releases before internal tables version 3. Last, as the upgrade adds them.
                .init(name: "batch", type: "LowCardinality(String)"),
                .init(name: "partition", type: "UInt32"),
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
                // Last and without DEFAULT, as the version-2 upgrade leaves it: ClickHouse only lets a
                // newly added column into the sorting key, at its end, and not with a default expression
                // (UInt32's own default is 0 anyway).
                .init(name: "partition", type: "UInt32"),
                // The durable consumer whose batch recorded the entry (renamed with it at a cutover), and
                // that batch's scope (`ClickHouseBatchScope`, never renamed: it matches the scope in the
                // seen keys the batch recorded). Empty for entries before internal tables version 6. Last,
                // and the consumer at the end of the key, as the version-6 upgrade leaves them.
                .init(name: "consumer", type: "String"),
                .init(name: "batch_scope", type: "String"),
            ],
            engine: "ReplacingMergeTree",
            orderBy: ["projection", "stream_sequence", "partition", "consumer"],
            // Entries with equal keys still meet on one shard; the upgrade cannot re-shard a Distributed table.
            shardingKey: ["projection", "stream_sequence"]
        ),
    ]

    func internalTableStatements() -> [String] {
        Self.internalTables.flatMap { $0.createStatements(cluster: cluster) }
    }

    /// The DDL that takes the internal tables of an existing deployment through `upgrade`; idempotent,
    /// since a resumed ClickHouse migration may run a statement again.
    func internalTableStatements(for upgrade: InternalTablesUpgrade) -> [String] {
        switch upgrade.version {
        case 2:
            return addColumnsToSortKey("_projection_quarantine", "ADD COLUMN IF NOT EXISTS `partition` UInt32",
                                       "MODIFY ORDER BY (projection, stream_sequence, partition)")
        case 3:
            return addColumns([
                ("_projection_checkpoints", "ADD COLUMN IF NOT EXISTS `batch_scope` String"),
                ("_projection_seen_keys", "ADD COLUMN IF NOT EXISTS `batch` LowCardinality(String), ADD COLUMN IF NOT EXISTS `partition` UInt32"),
            ])
        case 5:
            return addColumns([("_projection_checkpoints", "ADD COLUMN IF NOT EXISTS `sum_guard` String")])
        case 6:
            return addColumnsToSortKey("_projection_quarantine", "ADD COLUMN IF NOT EXISTS `consumer` String, ADD COLUMN IF NOT EXISTS `batch_scope` String",
                                       "MODIFY ORDER BY (projection, stream_sequence, partition, consumer)")
        default:
            return []
        }
    }

    /// Columns added and appended to the sort key in one ALTER (ClickHouse lets only a column added by the
    /// same ALTER into the key). On a cluster the sort key lives on the replicated local table; the
    /// Distributed table only learns the columns.
    private func addColumnsToSortKey(_ table: String, _ addColumns: String, _ orderBy: String) -> [String] {
        guard let cluster else { return ["ALTER TABLE \(table) \(addColumns), \(orderBy);"] }
        return [
            "ALTER TABLE \(ClickHouseTableDefinition.localName(table)) ON CLUSTER \(cluster) \(addColumns), \(orderBy);",
            "ALTER TABLE \(table) ON CLUSTER \(cluster) \(addColumns);",
        ]
    }

    /// `ALTER TABLE <table> <clause>` for each table; on a cluster, the replicated local table first and
    /// then its Distributed table, both `ON CLUSTER`.
    private func addColumns(_ changes: [(table: String, clause: String)]) -> [String] {
        guard let cluster else { return changes.map { "ALTER TABLE \($0.table) \($0.clause);" } }
        return changes.flatMap { change in [
            "ALTER TABLE \(ClickHouseTableDefinition.localName(change.table)) ON CLUSTER \(cluster) \(change.clause);",
            "ALTER TABLE \(change.table) ON CLUSTER \(cluster) \(change.clause);",
        ] }
    }
}
