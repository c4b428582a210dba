import ClickHouseHTTP
import Foundation
import Logging
import Synchronization
import Columnstore

/// The effectively-once backend. ClickHouse has no multi-statement transactions, so a batch is made
/// safe to repeat instead (see docs/DESIGN.md):
/// 1. `persistIntent`: a checkpoint row with state BEFORE and the batch's range;
/// 2. `insertRows`: seen keys, quarantine and table rows, each insert with
///    `insert_deduplication_token = <projection>:<table>:<scope>:<first>-<last>`, so a repeat is dropped
///    (the scope, `ClickHouseBatchScope`, names the consumer and partition the range belongs to);
/// 3. `persistCheckpoint`: the row with state AFTER, which is the checkpoint.
public final class ClickHouseProjectionStore: ProjectionStore {
    public typealias Guarantee = EffectivelyOnce

    let client: ClickHouseClient
    let schema: ProjectionSchema
    let clock: @Sendable () -> Date

    static let seenKeysTable = "_projection_seen_keys"
    static let quarantineTable = "_projection_quarantine"
    static let checkpointsTable = "_projection_checkpoints"

    /// The generation of the projected tables: the UUID the Atomic database gave the first table. The
    /// internal tables are shared by every generation (live, rebuild, previous), and their deduplication
    /// tokens would otherwise repeat after a cutover or rollback re-uses batch ranges, making ClickHouse
    /// drop those inserts. Read with the checkpoint, so a reload after a cutover picks up the new one.
    private let generation = Mutex<String>("")

    /// The pending batch of each consumer loaded here, with the scope its intent recorded: that batch is
    /// re-formed under it (an intent of an earlier release has the legacy scope). Others use the current one.
    private let pendingScopes = Mutex<[ConsumerID: (range: SequenceRange, scope: ClickHouseBatchScope)]>([:])

    /// The sum guard of each consumer's batch in flight (`SumGuard`): read before its intent, or loaded
    /// with a pending intent, and kept until its checkpoint, so every attempt checks the same totals.
    let sumGuards = Mutex<[ConsumerID: (range: SequenceRange, guard: SumGuard)]>([:])

    public init(client: ClickHouseClient, schema: ProjectionSchema, clock: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.schema = schema
        self.clock = clock
    }

    public func loadCheckpoint(_ consumer: ConsumerID) async throws -> StoredCheckpoint {
        try await loadGeneration()
        // A cutover or rollback stopped part-way may have moved some of the namespace's rows and not
        // others: loading now would resume from a checkpoint without its seen keys (ClickHouseSwapJournal).
        if let journal = try await ClickHouseRebuilder.journal(of: consumer.projection, client: client), !journal.isDone {
            throw StoreError(code: .cutoverUnfinished, detail: """
                an interrupted \(journal.kind) of this projection is unfinished: run `projection-migrate \(journal.rerun)` again to finish it
                """)
        }
        let newest = try await newestCheckpointRow(consumer)
        pendingScopes.withLock { $0[consumer] = nil }
        sumGuards.withLock { $0[consumer] = nil }
        guard let row = newest else { return .empty }
        if row.after { return StoredCheckpoint(committed: row.last) }
        let pending = SequenceRange(first: row.first, last: row.last)
        let recorded = try SumGuard(encoded: row.sumGuard)
        pendingScopes.withLock { $0[consumer] = (pending, row.scope) }
        sumGuards.withLock { $0[consumer] = (pending, recorded) }
        return StoredCheckpoint(committed: row.first - 1, pending: pending)
    }

    /// The consumer's newest checkpoint row (highest version, then epoch), or nil before its first batch.
    func newestCheckpointRow(_ consumer: ConsumerID) async throws -> ClickHouseCheckpointRow? {
        let response = try await client.query(
            """
            SELECT \(ClickHouseCheckpointRow.columns) FROM _projection_checkpoints
            WHERE projection = {p:String} AND consumer = {c:String} AND partition = {n:UInt32}
            ORDER BY version DESC, lease_epoch DESC LIMIT 1 FORMAT JSONCompactEachRow
            """,
            parameters: ["p": consumer.projection, "c": consumer.consumer, "n": String(consumer.partition)],
            settings: ["output_format_json_quote_64bit_integers": "1"])
        guard let line = response.body.split(separator: UInt8(ascii: "\n")).first, !line.isEmpty else { return nil }
        return try ClickHouseCheckpointRow.parse(line, consumer: consumer)
    }

    /// The scope `payload` is written under: the one its intent recorded when it is the pending batch
    /// loaded by `loadCheckpoint`, else the consumer's current scope.
    func scope(of payload: BatchPayload) -> ClickHouseBatchScope {
        let pending = pendingScopes.withLock { $0[payload.consumer] }
        if let pending, pending.range == payload.range { return pending.scope }
        return .current(for: payload.consumer)
    }

    public func run(_ step: BatchStep, _ payload: BatchPayload) async throws -> BatchOutcome? {
        switch step {
        case .persistIntent:
            // The totals a SUM measure starts from, read before any row of the batch can have landed
            // and recorded in the intent (SumGuard).
            _ = try await sumGuard(for: payload)
            if payload.leaseEpoch != nil {
                try await writeIntentUnlessFenced(payload)
            } else {
                try await writeCheckpointRow(payload, after: false)
            }
            return nil
        case .insertRows:
            try await checkFence(payload)
            do {
                return try await insertRows(payload)
            } catch let error as ClickHouseError {
                throw Self.classified(error)
            }
        case .persistCheckpoint:
            try await writeCheckpointRow(payload, after: true)
            pendingScopes.withLock { if $0[payload.consumer]?.range == payload.range { $0[payload.consumer] = nil } }
            sumGuards.withLock { if let known = $0[payload.consumer]?.range, known.first <= payload.range.first, payload.range.last <= known.last {
                $0[payload.consumer] = nil
            } }
            return nil
        case .commitTransaction:
            preconditionFailure("ClickHouse has no multi-statement transactions")
        }
    }

    public func checkWritable() async throws {
        // The newest internal-table layouts (batch scopes, version 3; sum guards, version 5; quarantine
        // consumers, version 6): an unmigrated store is not writable.
        try await client.query("SELECT batch, partition FROM _projection_seen_keys LIMIT 0")
        try await client.query("SELECT batch_scope FROM _projection_checkpoints LIMIT 0")
        try await client.query("SELECT sum_guard FROM _projection_checkpoints LIMIT 0")
        try await client.query("SELECT consumer, batch_scope FROM _projection_quarantine LIMIT 0")
    }

    private func loadGeneration() async throws {
        guard let first = schema.tables.first else { return }
        let response = try await client.query(
            "SELECT toString(uuid) FROM system.tables WHERE database = currentDatabase() AND name = {t:String} FORMAT TabSeparated",
            parameters: ["t": first.name])
        let uuid = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        generation.withLock { $0 = uuid == "00000000-0000-0000-0000-000000000000" ? "" : uuid }
    }

    /// Token for an internal (shared) table: the batch's token plus the tables' generation.
    private func internalToken(_ payload: BatchPayload, table: String, scope: ClickHouseBatchScope) -> String {
        let suffix = generation.withLock { $0 }
        let token = payload.deduplicationToken(table: table, scope: scope.name)
        return suffix.isEmpty ? token : token + "@" + suffix
    }

    // MARK: - Steps

    /// Checkpoint rows replace each other by `version`, which grows with the range: BEFORE of a batch
    /// is `2*last`, AFTER is `2*last+1`, so the newest state always wins without a clock.
    private func writeCheckpointRow(_ payload: BatchPayload, after: Bool) async throws {
        try await insertCheckpointRow(payload.consumer, first: payload.range.first, last: payload.range.last, after: after,
                                      epoch: payload.leaseEpoch ?? 0, version: payload.range.last * 2 + (after ? 1 : 0),
                                      scope: scope(of: payload), sumGuard: after ? "" : (recordedSumGuard(payload) ?? .none).encoded)
    }

    /// One row of `_projection_checkpoints` (state `after` or `before`), never deduplicated. `sumGuard`:
    /// an intent's recorded totals (`SumGuard.encoded`), empty otherwise.
    func insertCheckpointRow(
        _ consumer: ConsumerID, first: UInt64, last: UInt64, after: Bool, epoch: UInt64, version: UInt64, scope: ClickHouseBatchScope,
        sumGuard: String = ""
    ) async throws {
        var w = RowBinaryWriter(reservingCapacity: 128)
        w.writeString(consumer.projection)
        w.writeString(consumer.consumer)
        w.writeUInt32(UInt32(consumer.partition))
        w.writeUInt64(first)
        w.writeUInt64(last)
        w.writeInt8(after ? 2 : 1)
        w.writeUInt64(epoch)
        w.writeUInt64(version)
        w.writeDateTime64(ticks: Int64(clock().timeIntervalSince1970 * 1000))
        w.writeString(scope.name)
        w.writeString(sumGuard)
        try await client.insert(
            into: Self.checkpointsTable,
            columns: ["projection", "consumer", "partition", "first_sequence", "last_sequence", "state", "lease_epoch", "version", "updated_at",
                      "batch_scope", "sum_guard"],
            body: .bytes(w.take()),
            settings: ["insert_deduplicate": "0"])
    }

    private func insertRows(_ payload: BatchPayload) async throws -> BatchOutcome {
        let (facts, inBatchDuplicates) = payload.withoutInBatchDuplicates()
        let projection = payload.consumer.projection
        let scope = scope(of: payload)

        // Keys first: the batch's keys are recorded under its own identity, then the keys recorded by ANY
        // OTHER batch are the duplicates. That answer does not change when this step is repeated (one
        // writer per consumer), so a repeat forms exactly the same rows (and tokens drop them).
        if !facts.isEmpty {
            let now = Int64(clock().timeIntervalSince1970 * 1000)
            try await client.insert(
                into: Self.seenKeysTable,
                columns: Self.seenKeysColumns,
                body: .bytes(Self.seenKeysRowBinary(facts, projection: projection, seenAtMillis: now,
                                                    batch: scope.batchID(payload.range), partition: payload.consumer.partition)),
                settings: ["insert_deduplication_token": internalToken(payload, table: Self.seenKeysTable, scope: scope)])
        }
        let seenBefore = facts.isEmpty ? [] : try await keysSeenBefore(payload, scope: scope)

        var accumulator = RowAccumulator(schema: schema)
        var applied = 0
        for fact in facts where !seenBefore.contains(IdempotencyKey(fact)) {
            try accumulator.add(fact)
            applied += 1
        }
        // The recorded totals plus each running total of the batch, as Postgres checks them: before any row is inserted.
        try (recordedSumGuard(payload) ?? .none).check(accumulator)
        for (table, index, _) in accumulator.rowsByTable {
            // One insert per segment (almost always one): rows of one key in one insert are added in the
            // column's type at insert time, and a segment exists because its key's net would not fit it.
            for (segment, (rows, _)) in accumulator.segments(table: index).segments.enumerated() where !rows.isEmpty {
                let token = payload.deduplicationToken(table: table.name, scope: scope.name)
                try await client.insert(
                    into: table.name,
                    columns: table.columns.map(\.name),
                    body: .bytes(try Self.rowBinary(rows, of: table)),
                    // A batch may span any number of partitions (months of late facts): the server's limit
                    // of 100 would refuse it as TOO_MANY_PARTS on every retry, a stall driven by data.
                    settings: ["insert_deduplication_token": segment == 0 ? token : "\(token)/segment-\(segment)",
                               "max_partitions_per_insert_block": "0"])
            }
        }

        if !payload.quarantined.isEmpty {
            var w = RowBinaryWriter()
            let now = Int64(clock().timeIntervalSince1970 * 1000)
            for q in payload.quarantined {
                w.writeString(projection)
                w.writeUInt64(q.sequence)
                w.writeString(q.subject)
                w.writeString(q.factID)
                w.writeString(q.factType)
                w.writeString(q.tenant)
                w.writeString(q.reason)
                w.writeString(bytes: q.raw)
                w.writeString(q.headersJSON)
                w.writeDateTime64(ticks: now)
                // Partitions' streams share sequence numbers, and so may two durables' streams: the partition
                // and the consumer are part of the entry's key. The scope ties it to the seen keys its batch
                // recorded (`keysSeenBefore`).
                w.writeUInt32(UInt32(clamping: payload.consumer.partition))
                w.writeString(payload.consumer.consumer)
                w.writeString(scope.name)
            }
            try await client.insert(
                into: Self.quarantineTable,
                columns: ["projection", "stream_sequence", "subject", "fact_id", "fact_type", "tenant_id", "reason", "raw", "headers", "quarantined_at", "partition",
                          "consumer", "batch_scope"],
                body: .bytes(w.take()),
                settings: ["insert_deduplication_token": internalToken(payload, table: Self.quarantineTable, scope: scope)])
        }
        return BatchOutcome(applied: applied, duplicates: inBatchDuplicates + facts.count - applied, quarantined: payload.quarantined.count)
    }

    /// On a cluster the quarantine subquery is GLOBAL: seen keys are sharded by key and quarantine rows by
    /// sequence, and with `distributed_product_mode=local` (SCALING.md) a plain NOT IN would read only the
    /// shard's own quarantine rows, so a refused fact re-sent later would count as already applied.
    ///
    /// Keys of this batch recorded by another batch, not counting facts quarantined after the store
    /// refused them (their batch recorded their keys before the refusal; on Postgres that transaction
    /// rolled back). Any other batch: an earlier one of this consumer, another partition's (a tenant moved
    /// by re-partitioning), another durable's on this or another stream, a rebuild's cut-over keys, rows
    /// of earlier releases (empty `batch`): as on Postgres, a key once applied stays applied.
    ///
    /// A quarantine entry excludes the keys its batch scope recorded at its sequence, so another durable's
    /// entry at an equal sequence excludes nothing of this one's. Entries of releases before internal
    /// tables version 6 (no scope) exclude by partition and sequence, as then; so does any entry for key
    /// rows without a batch (releases before version 3), which name no scope to compare.
    func keysSeenBefore(_ payload: BatchPayload, scope: ClickHouseBatchScope) async throws -> Set<IdempotencyKey> {
        if scope.isLegacy { return try await keysSeenBeforeLegacy(payload) }
        let response = try await client.query(
            """
            SELECT fact_type, tenant_id, idempotency_key FROM _projection_seen_keys
            WHERE projection = {p:String} AND batch != {b:String}
              AND (stream_sequence, if(batch = '', {n:UInt32}, partition)) GLOBAL NOT IN (
                SELECT stream_sequence, partition FROM _projection_quarantine WHERE projection = {p:String} AND batch_scope = '')
              AND (stream_sequence, \(Self.seenKeyScope)) GLOBAL NOT IN (
                SELECT stream_sequence, batch_scope FROM _projection_quarantine WHERE projection = {p:String} AND batch_scope != '')
              AND (batch != '' OR (stream_sequence, {n:UInt32}) GLOBAL NOT IN (
                SELECT stream_sequence, partition FROM _projection_quarantine WHERE projection = {p:String}))
              AND (fact_type, tenant_id, idempotency_key) IN (
                SELECT fact_type, tenant_id, idempotency_key FROM _projection_seen_keys
                WHERE projection = {p:String} AND batch = {b:String})
            GROUP BY fact_type, tenant_id, idempotency_key
            FORMAT JSONCompactEachRow
            """,
            parameters: ["p": payload.consumer.projection, "b": scope.batchID(payload.range), "n": String(payload.consumer.partition)])
        return try Self.keys(response.body)
    }

    /// The scope of a seen-key row's `batch` (`<scope>/<first>-<last>`): all before its last `/`; empty
    /// for rows without a batch.
    static let seenKeyScope = "substring(batch, 1, length(batch) - position(reverse(batch), '/'))"

    /// The rule of releases before 2026-12-06, for the batch such a release left pending (its keys were
    /// recorded without a batch): keys recorded below the batch's first sequence.
    private func keysSeenBeforeLegacy(_ payload: BatchPayload) async throws -> Set<IdempotencyKey> {
        let response = try await client.query(
            """
            SELECT fact_type, tenant_id, idempotency_key FROM _projection_seen_keys
            WHERE projection = {p:String} AND stream_sequence < {first:UInt64}
              AND stream_sequence GLOBAL NOT IN (
                SELECT stream_sequence FROM _projection_quarantine
                WHERE projection = {p:String} AND partition = {n:UInt32} AND stream_sequence < {first:UInt64})
              AND (fact_type, tenant_id, idempotency_key) IN (
                SELECT fact_type, tenant_id, idempotency_key FROM _projection_seen_keys
                WHERE projection = {p:String} AND stream_sequence BETWEEN {first:UInt64} AND {last:UInt64})
            GROUP BY fact_type, tenant_id, idempotency_key
            FORMAT JSONCompactEachRow
            """,
            parameters: ["p": payload.consumer.projection, "first": String(payload.range.first), "last": String(payload.range.last),
                         "n": String(payload.consumer.partition)])
        return try Self.keys(response.body)
    }

    private static func keys(_ body: [UInt8]) throws -> Set<IdempotencyKey> {
        var keys = Set<IdempotencyKey>()
        for line in body.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let row = try JSONSerialization.jsonObject(with: Data(line)) as? [String], row.count == 3 else {
                throw StoreError(code: .unexpectedResponse, detail: "unreadable seen-key row")
            }
            keys.insert(IdempotencyKey(factType: row[0], tenant: row[1], key: row[2]))
        }
        return keys
    }

    /// The columns `seenKeysRowBinary` writes, in its order.
    static let seenKeysColumns = ["projection", "fact_type", "tenant_id", "idempotency_key", "stream_sequence", "seen_at", "batch", "partition"]

    /// The rows of `_projection_seen_keys` recording `facts`' keys, in RowBinary (`projection-decode-bench`
    /// measures this encoding too).
    package static func seenKeysRowBinary(_ facts: [MappedFact], projection: String, seenAtMillis: Int64, batch: String, partition: Int) -> [UInt8] {
        var w = RowBinaryWriter(reservingCapacity: facts.count * (56 + batch.utf8.count))
        for fact in facts {
            w.writeString(projection)
            w.writeString(fact.factType)
            w.writeString(fact.tenant)
            w.writeString(fact.idempotencyKey)
            w.writeUInt64(fact.sequence)
            w.writeDateTime64(ticks: seenAtMillis)
            w.writeString(batch)
            w.writeUInt32(UInt32(clamping: partition))
        }
        return w.take()
    }

    /// Rows of one table in RowBinary, in the table's column order.
    package static func rowBinary(_ rows: [[ColumnValue]], of table: TableSchema) throws -> [UInt8] {
        var w = RowBinaryWriter(reservingCapacity: rows.count * table.columns.count * 10)
        // The columns' types read once per batch: zipping the schema's columns with each row copied a
        // whole `ColumnSchema` per value.
        let types = table.columns.map(\.type)
        let nullable = table.columns.map(\.nullable)
        for row in rows {
            for index in 0..<min(row.count, types.count) {
                try ClickHouseProjectionStore.write(row[index], type: types[index], nullable: nullable[index], into: &w) { table.columns[index].name }
            }
        }
        return w.take()
    }

    /// RowBinary for one value, following the column types the generator emits (ColumnType+ClickHouse).
    static func write(_ value: ColumnValue, as column: ColumnSchema, into w: inout RowBinaryWriter) throws {
        try write(value, type: column.type, nullable: column.nullable, into: &w) { column.name }
    }

    /// - Parameter name: the column's name, for the error only.
    static func write(_ value: ColumnValue, type: ColumnType, nullable: Bool, into w: inout RowBinaryWriter, name: () -> String) throws {
        if nullable {
            if case .null = value { w.writeUInt8(1); return }
            w.writeUInt8(0)
        }
        switch (type, value) {
        case (.string, .string(let s)): w.writeString(s)
        case (.int32, .int64(let v)): w.writeInt32(Int32(truncatingIfNeeded: v))
        case (.int64, .int64(let v)): w.writeInt64(v)
        case (.uint64, .uint64(let v)): w.writeUInt64(v)
        case (.float64, .float64(let v)): w.writeFloat64(v)
        case (.float64, .int64(let v)): w.writeFloat64(Double(v))
        case (.bool, .bool(let v)): w.writeBool(v)
        case (.date, .date(let days)) where ValueDomain.dates.contains(days): w.writeUInt16(UInt16(days))
        case (.decimal(let precision, let scale), .string(let text)):
            // Decimal(P, S) is its value in units of 10^-S, as Int32/64/128 by precision.
            guard let units = DecimalText.units(text, scale: scale), units.magnitude < DecimalText.limit(precision: precision).magnitude else {
                throw StoreError(code: .schemaMismatch, detail: "column \(name()) of type \(type.canonicalName) cannot hold \(text)")
            }
            switch precision {
            case ...9: w.writeInt32(Int32(units))
            case ...18: w.writeInt64(Int64(units))
            default: w.write(units)
            }
        case (.timestamp, .timestamp(let ms)): w.writeDateTime64(ticks: ms)
        case (.string, .null): w.writeString("")
        default:
            throw StoreError(code: .schemaMismatch, detail: "column \(name()) of type \(type.canonicalName) cannot hold \(value)")
        }
    }
}
