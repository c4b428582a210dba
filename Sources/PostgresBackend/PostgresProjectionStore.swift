import LibPQ
import Logging
import Columnstore

/// The exactly-once backend: for each batch, ONE transaction skips facts whose idempotency key was seen,
/// records the new keys, upserts rows (aggregate tables add, latest tables replace only with a newer
/// version), quarantines poison facts and advances the checkpoint. Acks follow the COMMIT.
public actor PostgresProjectionStore: ProjectionStore {
    public typealias Guarantee = ExactlyOnce

    private let dsn: String
    private let schema: ProjectionSchema
    let logger: Logger
    private var connection: PostgresConnection?
    private let upserts: [String]

    /// The client-side deadline of each statement (`PostgresConnection.statementDeadline`).
    let statementDeadline: Duration?

    /// Tests only (`@testable`): awaited inside each batch transaction, after its keys are recorded.
    var pauseInTransaction: (@Sendable () async -> Void)?
    func setPauseInTransaction(_ pause: (@Sendable () async -> Void)?) { pauseInTransaction = pause }

    /// The server ends this store's transactions that sit idle this long (`idle_in_transaction_session_timeout`).
    let idleTransactionTimeout: Duration?

    /// `statementDeadline`: a store that stops answering fails the step after this long (and the step
    /// is retried on a new connection) instead of hanging the consumer; nil waits as long as libpq does.
    /// `idleTransactionTimeout`: a writer frozen mid-transaction (SIGSTOP, a stalled VM) has its
    /// transaction ended by the server after this long, so the row locks it holds (its partition's
    /// checkpoint row) do not keep a new owner waiting for the whole freeze; when it wakes, it cannot
    /// commit. Replicas set it to the lease TTL. The transaction's own statements run back to back.
    public init(dsn: String, schema: ProjectionSchema, logger: Logger, statementDeadline: Duration? = .seconds(60), idleTransactionTimeout: Duration? = nil) {
        self.statementDeadline = statementDeadline
        self.idleTransactionTimeout = idleTransactionTimeout
        self.dsn = dsn
        self.schema = schema
        self.logger = logger
        self.upserts = schema.tables.map(PostgresProjectionStore.upsertStatement)
    }

    public func loadCheckpoint(_ consumer: ConsumerID) async throws -> StoredCheckpoint {
        let rows = try await withConnection { connection in
            try await connection.query(
                "SELECT last_sequence FROM _projection_checkpoints WHERE projection = $1 AND consumer = $2 AND partition = $3",
                [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition))])
        }
        guard let row = rows.first, let last = row.int64(at: 0) else { return .empty }
        return StoredCheckpoint(committed: UInt64(last))
    }

    public func run(_ step: BatchStep, _ payload: BatchPayload) async throws -> BatchOutcome? {
        precondition(step == .commitTransaction, "Postgres batches take one transactional step")
        do {
            return try await withConnection { connection in
                try await connection.transaction { connection in
                    try await self.commit(payload, on: connection)
                }
            }
        } catch let error as PostgresError {
            throw Self.classified(error)
        }
    }

    /// Runs the batch's transaction without its checkpoint and rolls it back: nothing stays, but every
    /// row meets the same constraints, types and upserts as in `run`.
    public func probe(_ payload: BatchPayload) async throws {
        do {
            try await withConnection { connection in
                try await connection.execute("BEGIN")
                do {
                    _ = try await self.commit(payload, on: connection, advanceCheckpoint: false)
                } catch {
                    _ = try? await connection.execute("ROLLBACK")
                    throw error
                }
                try await connection.execute("ROLLBACK")
            }
        } catch let error as PostgresError {
            throw Self.classified(error)
        }
    }

    /// The SUM measures an overflow of `t.c + EXCLUDED.c` may be in: those of the type Postgres's message
    /// names (`integer`, `bigint` or `numeric` out of range), never the fact count (it cannot reach 2^63).
    static func overflowCandidates(_ table: TableSchema, message: String) -> [String] {
        let sums = table.columns.filter { $0.aggregate == .sum && $0.name != TableSchema.factCountColumn }
        let named = sums.filter { column in
            switch column.type {
            case .int32: return message.hasPrefix("integer out of range")
            case .int64, .uint64: return message.hasPrefix("bigint out of range")
            case .decimal: return message.hasPrefix("numeric field overflow")
            default: return false
            }
        }
        return (named.isEmpty ? sums : named).map(\.name)
    }

    /// A refusal for a data reason becomes `StoreError.dataRejected`: classes 22 (data exception, e.g.
    /// numeric overflow), 23 (integrity constraint) and 54 (program limit, e.g. an index entry too
    /// large) fail the same way on every retry.
    static func classified(_ error: PostgresError) -> any Error {
        guard error.code == .server, let state = error.sqlState, ["22", "23", "54"].contains(String(state.prefix(2))) else { return error }
        var detail = "Postgres refused the batch (SQLSTATE \(state)): \(error.message)"
        if let column = error.column { detail += " (column \(column))" }
        return StoreError(code: .dataRejected, detail: detail)
    }

    public func checkWritable() async throws {
        _ = try await withConnection { connection in
            try await connection.query("SELECT 1 FROM _projection_checkpoints LIMIT 1")
            // The newest internal-table layout (quarantine consumer, version 6): an unmigrated store is not writable.
            try await connection.query("SELECT partition, consumer FROM _projection_quarantine LIMIT 0")
        }
    }

    // MARK: - The transaction

    private func commit(_ payload: BatchPayload, on connection: PostgresConnection, advanceCheckpoint: Bool = true) async throws -> BatchOutcome {
        let consumer = payload.consumer
        // 0. Under a lease, lock the checkpoint row and check its fence first (see +Fencing).
        if let epoch = payload.leaseEpoch { try await Self.checkFence(consumer, epoch: epoch, on: connection) }
        let (facts, inBatchDuplicates) = payload.withoutInBatchDuplicates()

        // 1. Record the keys; ON CONFLICT keeps the earlier record, RETURNING names the new ones.
        var newSequences = Set<UInt64>()
        if !facts.isEmpty {
            let arrays = Self.seenKeyArrays(facts)
            let inserted = try await connection.query(
                """
                INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence)
                SELECT $1, t, n, k, s FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(t, n, k, s)
                ON CONFLICT DO NOTHING
                RETURNING stream_sequence
                """,
                [.text(consumer.projection)] + arrays.map { .text($0) })
            for row in inserted {
                if let s = row.int64(at: 0) { newSequences.insert(UInt64(s)) }
            }
        }

        // A test seam: stands for a writer frozen mid-transaction (SIGSTOP, a stalled VM), holding its locks.
        if let pauseInTransaction { await pauseInTransaction() }

        // 2. Rows of the facts applied for the first time, pre-aggregated per key.
        var accumulator = RowAccumulator(schema: schema)
        var applied = 0
        for fact in facts where newSequences.contains(fact.sequence) {
            try accumulator.add(fact)
            applied += 1
        }
        for (table, index, _) in accumulator.rowsByTable {
            // Segments in order (one unless a key's net would leave its type: RowAccumulator.segments).
            let (sumColumns, segments) = accumulator.segments(table: index)
            for (rows, excursions) in segments where !rows.isEmpty {
                do {
                    try await connection.query(upserts[index], Self.upsertArrays(rows, of: table).map { .text($0) })
                } catch var error as PostgresError where error.sqlState == "22003" && error.column == nil {
                    // An overflow raised by `t.c + EXCLUDED.c` names no column: name the table's SUM measures,
                    // so the quarantine reason names the field (a segment's own net always fits its type, so
                    // it is the stored total plus this batch's).
                    let sums = Self.overflowCandidates(table, message: error.message)
                    if table.kind == .aggregate, !sums.isEmpty {
                        error.column = "\(table.name).\(sums.count == 1 ? sums[0] : "{" + sums.joined(separator: ",") + "}"), its stored total plus this batch's"
                    }
                    throw error
                }
                // Running totals within the segment that went beyond its net (both signs on one key).
                try await Self.checkExcursions(table, rows: rows, excursions: (sumColumns, excursions), on: connection)
            }
        }

        // 3. Quarantine, keyed by (sequence, partition) so a retried batch cannot add it twice and
        //    partitions whose streams share sequence numbers do not collide.
        if !payload.quarantined.isEmpty {
            var seqs = PostgresArrayLiteral(), subjects = PostgresArrayLiteral(), ids = PostgresArrayLiteral(), types = PostgresArrayLiteral()
            var tenants = PostgresArrayLiteral(), reasons = PostgresArrayLiteral(), raws = PostgresArrayLiteral(), headers = PostgresArrayLiteral()
            for q in payload.quarantined {
                seqs.appendBare(String(q.sequence))
                subjects.append(q.subject)
                ids.append(q.factID)
                types.append(q.factType)
                tenants.append(q.tenant)
                reasons.append(q.reason)
                raws.append(bytes: q.raw)
                headers.append(q.headersJSON)
            }
            try await connection.query(
                """
                INSERT INTO _projection_quarantine (projection, partition, consumer, stream_sequence, subject, fact_id, fact_type, tenant_id, reason, raw, headers)
                SELECT $1, $10::integer, $11, s, sub, i, t, n, r, b, h::jsonb
                FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::text[]) AS u(s, sub, i, t, n, r, b, h)
                ON CONFLICT DO NOTHING
                """,
                [.text(consumer.projection), .text(seqs.literal), .text(subjects.literal), .text(ids.literal), .text(types.literal),
                 .text(tenants.literal), .text(reasons.literal), .text(raws.literal), .text(headers.literal), .int64(Int64(consumer.partition)),
                 .text(consumer.consumer)])
        }

        guard advanceCheckpoint else {
            return BatchOutcome(applied: applied, duplicates: inBatchDuplicates + facts.count - applied, quarantined: payload.quarantined.count)
        }

        // 4. Advance the checkpoint, only forwards. Zero rows means another writer got there first:
        //    roll back rather than apply twice.
        let advanced = try await connection.query(
            """
            INSERT INTO _projection_checkpoints (projection, consumer, partition, last_sequence, lease_epoch, updated_at)
            VALUES ($1, $2, $3, $4, $5, now())
            ON CONFLICT (projection, consumer, partition) DO UPDATE
            SET last_sequence = EXCLUDED.last_sequence, updated_at = EXCLUDED.updated_at
            WHERE _projection_checkpoints.last_sequence < EXCLUDED.last_sequence
            """,
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition)), .int64(Int64(payload.range.last)),
             .int64(Int64(payload.leaseEpoch ?? 0))])
        guard advanced.affectedRows == 1 else {
            // A retry of this very batch after its COMMIT went through but the reply was lost (a dropped
            // connection, the client deadline): every fact is already seen and the checkpoint stands exactly
            // at this batch's end. It is done; without this the batch would be retried forever.
            if applied == 0, try await Self.checkpoint(of: consumer, on: connection) == payload.range.last {
                return BatchOutcome(applied: 0, duplicates: inBatchDuplicates + facts.count, quarantined: payload.quarantined.count)
            }
            throw StoreError(code: .checkpointConflict, detail: "the checkpoint of \(consumer) is already at or past \(payload.range.last)")
        }
        return BatchOutcome(applied: applied, duplicates: inBatchDuplicates + facts.count - applied, quarantined: payload.quarantined.count)
    }

    /// The stored checkpoint of `consumer`, read inside the batch's transaction.
    private static func checkpoint(of consumer: ConsumerID, on connection: PostgresConnection) async throws -> UInt64? {
        let rows = try await connection.query(
            "SELECT last_sequence FROM _projection_checkpoints WHERE projection = $1 AND consumer = $2 AND partition = $3",
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition))])
        return rows.first?.int64(at: 0).map { UInt64($0) }
    }

    /// The seen-key statement's arrays for `facts`: fact types, tenants, keys, sequences
    /// (`projection-decode-bench` measures this encoding too).
    package static func seenKeyArrays(_ facts: [MappedFact]) -> [String] {
        var types = PostgresArrayLiteral(), tenants = PostgresArrayLiteral(), keys = PostgresArrayLiteral(), sequences = PostgresArrayLiteral()
        for fact in facts {
            types.append(fact.factType)
            tenants.append(fact.tenant)
            keys.append(fact.idempotencyKey)
            sequences.appendInteger(fact.sequence, negative: false)
        }
        return [types.literal, tenants.literal, keys.literal, sequences.literal]
    }

    /// One array literal per column of `table`, for its upsert statement.
    package static func upsertArrays(_ rows: [[ColumnValue]], of table: TableSchema) -> [String] {
        var arrays = table.columns.map { _ in PostgresArrayLiteral(reservingCapacity: rows.count * 12) }
        for row in rows {
            for (i, value) in row.enumerated() { arrays[i].append(value) }
        }
        return arrays.map(\.literal)
    }

    /// `INSERT … SELECT FROM unnest(…) ON CONFLICT …` for one table, by its kind.
    static func upsertStatement(_ table: TableSchema) -> String {
        let q = { (name: String) in "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let columns = table.columns.map { q($0.name) }.joined(separator: ", ")
        let unnests = table.columns.enumerated().map { "$\($0.offset + 1)::\(PostgresDDL.type($0.element.type))[]" }.joined(separator: ", ")
        let aliases = table.columns.indices.map { "c\($0)" }.joined(separator: ", ")
        var sql = "INSERT INTO \(q(table.name)) AS t (\(columns))\nSELECT \(aliases) FROM unnest(\(unnests)) AS u(\(aliases))\n"
        let key = table.primaryKey.map(q).joined(separator: ", ")
        let nonKey = table.columns.filter { !table.primaryKey.contains($0.name) }
        switch table.kind {
        case .append:
            sql += "ON CONFLICT DO NOTHING"
        case .aggregate:
            let sets = nonKey.map { column -> String in
                let c = q(column.name)
                switch column.aggregate {
                case .sum: return "\(c) = t.\(c) + EXCLUDED.\(c)"
                case .max: return "\(c) = GREATEST(t.\(c), EXCLUDED.\(c))"
                case .min: return "\(c) = LEAST(t.\(c), EXCLUDED.\(c))"
                case nil: return "\(c) = EXCLUDED.\(c)"
                }
            }
            sql += sets.isEmpty ? "ON CONFLICT (\(key)) DO NOTHING" : "ON CONFLICT (\(key)) DO UPDATE SET " + sets.joined(separator: ", ")
        case .latest:
            let sets = nonKey.map { "\(q($0.name)) = EXCLUDED.\(q($0.name))" }
            sql += "ON CONFLICT (\(key)) DO UPDATE SET " + sets.joined(separator: ", ")
            if let version = table.versionColumn {
                // Batches and rows within them come in stream order: on equal versions the later fact
                // wins, as ReplacingMergeTree keeps the last inserted row.
                sql += "\nWHERE t.\(q(version)) <= EXCLUDED.\(q(version))"
            }
        }
        return sql
    }

    // MARK: - Connection

    /// Runs `body` on the connection, (re)connecting first if needed; drops the connection after a
    /// transient failure so the next attempt reconnects.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection: PostgresConnection
        if let existing = self.connection {
            connection = existing
        } else {
            connection = try await PostgresConnection.connect(dsn: dsn)
            connection.statementDeadline = statementDeadline
            if let idleTransactionTimeout {
                try await connection.execute("SET idle_in_transaction_session_timeout = \(max(1, idleTransactionTimeout.wholeMilliseconds))")
            }
            self.connection = connection
        }
        do {
            return try await body(connection)
        } catch let error as PostgresError where error.isTransient || error.code == .timedOut || !connection.isAlive {
            // A deadline that passed leaves the connection dead: the retry gets a new one.
            connection.close()
            self.connection = nil
            throw error
        }
    }
}
