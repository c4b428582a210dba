/// One step in the layout of the internal `_projection_*` tables.
///
/// A migration folder records the layout version its migrations created (`schema.lock.json`). Applied
/// migration files are checksummed by the ledger, so a layout change cannot edit them: a folder at an
/// older version gets the missing steps at the top of its next generated migration, while a first
/// generation creates the current layout directly. Each step's DDL (`PostgresDDL`, `ClickHouseDDL`) is
/// frozen once released, like an applied migration.
public struct InternalTablesUpgrade: Sendable, Hashable, CustomStringConvertible {
    /// The layout version this step produces.
    public var version: Int
    /// File-name part of a migration that holds only this step.
    public var slug: String
    /// The summary line of the migration.
    public var description: String
    /// Whether Postgres tables change too (a ClickHouse-only step only moves a Postgres folder's lock).
    public var changesPostgres: Bool = true
    /// Whether ClickHouse tables change too (a Postgres-only step only moves a ClickHouse folder's lock).
    public var changesClickHouse: Bool = true

    /// Every step, oldest first. Version 1 is the layout before the first step.
    public static let all: [InternalTablesUpgrade] = [
        // With a stream per partition, sequences repeat across partitions: the quarantine needs the
        // partition in its key (issue #7).
        InternalTablesUpgrade(
            version: 2, slug: "internal_quarantine_partition",
            description: "internal table _projection_quarantine: add column partition, key (projection, stream_sequence, partition)"
        ),
        // ClickHouse batches name the sequence space of their range (consumer and partition) in their
        // deduplication tokens and seen keys, recorded with the intent (2026-12-06). Postgres: no change.
        InternalTablesUpgrade(
            version: 3, slug: "internal_batch_scope",
            description: "ClickHouse internal tables: _projection_checkpoints add column batch_scope, _projection_seen_keys add columns batch and partition",
            changesPostgres: false
        ),
        // Postgres seen keys are keyed tenant and key first: every insert's B-tree comparisons then
        // decide on the first two columns instead of walking four text columns: 2.3 µs less server
        // CPU per fact in a drain A/B (docs/BENCHMARKS.md). ClickHouse: no change.
        InternalTablesUpgrade(
            version: 4, slug: "internal_seen_keys_key_order",
            description: "Postgres internal table _projection_seen_keys: key (tenant_id, idempotency_key, fact_type, projection)",
            changesClickHouse: false
        ),
        // A ClickHouse batch records the stored SUM totals it may push out of their domain with its
        // intent, so every attempt of the batch refuses the same facts (2026-12-06). Postgres: no change.
        InternalTablesUpgrade(
            version: 5, slug: "internal_sum_guard",
            description: "ClickHouse internal table _projection_checkpoints: add column sum_guard",
            changesPostgres: false
        ),
        // Another durable on another stream may write the same tables: its sequences repeat, so the
        // quarantine needs the consumer in its key; ClickHouse entries also record their batch's scope,
        // which the seen-key rules match (2026-12-07).
        InternalTablesUpgrade(
            version: 6, slug: "internal_quarantine_consumer",
            description: "internal table _projection_quarantine: add column consumer (ClickHouse also batch_scope), key (projection, stream_sequence, partition, consumer)"
        ),
        // Postgres keys of text compare by bytes whatever the database's collation: under a default
        // locale (en_US in the official image, RDS, Cloud SQL) every B-tree comparison went through
        // the locale's collation, ~1.5x the seen key's insert cost (docs/BENCHMARKS.md, 2026-12-07).
        // Equality, and so what conflicts, is unchanged. ClickHouse compares bytes already.
        InternalTablesUpgrade(
            version: 7, slug: "internal_text_keys_collate_c",
            description: "Postgres internal tables: text key columns in the \"C\" collation",
            changesClickHouse: false
        ),
    ]

    /// The layout a first generation creates.
    public static var currentVersion: Int { all.last?.version ?? 1 }

    /// The steps a folder whose migrations created `version` still needs, oldest first.
    public static func steps(after version: Int) -> [InternalTablesUpgrade] {
        all.filter { $0.version > version }
    }
}
