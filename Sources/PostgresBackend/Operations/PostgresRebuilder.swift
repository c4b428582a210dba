import LibPQ
import Columnstore

/// Rebuild and cutover on Postgres: the cutover is ONE transaction (table renames, index renames and the
/// move of checkpoint, seen keys and quarantine rows), so readers see either generation, never a mix.
public actor PostgresRebuilder: ProjectionRebuilder {
    private let dsn: String
    let schema: ProjectionSchema
    private var connection: PostgresConnection?

    static let internalTables = ["_projection_checkpoints", "_projection_seen_keys", "_projection_quarantine"]

    /// How long the swap waits for each lock per attempt (tables it renames, rows it moves), and in all. A rename queued behind a
    /// session's lock queues every later read of that table (the query API's) behind itself, so one
    /// attempt waits briefly, and a session that never lets go (a frozen client inside a statement) fails
    /// the cutover with `tables_locked` instead of stalling it and the readers for good.
    public static let defaultTableLocks = DDLLockPolicy(attempt: .seconds(2), total: .seconds(60))
    let tableLocks: DDLLockPolicy

    public init(dsn: String, schema: ProjectionSchema, tableLocks: DDLLockPolicy = PostgresRebuilder.defaultTableLocks) {
        self.dsn = dsn
        self.schema = schema
        self.tableLocks = tableLocks
    }

    func connected() async throws -> PostgresConnection {
        if let connection { return connection }
        let fresh = try await PostgresConnection.connect(dsn: dsn)
        connection = fresh
        return fresh
    }

    public func prepare(_ generation: RebuildGeneration, fromSequence: UInt64) async throws {
        let connection = try await connected()
        let shadow = schema.withTableSuffix(RebuildGeneration.rebuildSuffix)
        let rebuild = generation.rebuild
        try await connection.transaction { c in
            for table in shadow.tables {
                try await c.execute("DROP TABLE IF EXISTS \(table.name)")
                for statement in PostgresDDL().statements(for: .createTable(table)) { try await c.execute(statement) }
            }
            for table in Self.internalTables {
                try await c.query("DELETE FROM \(table) WHERE projection = $1", [.text(rebuild.projection)])
            }
            if fromSequence > 1 {
                try await c.query(
                    "INSERT INTO _projection_checkpoints (projection, consumer, partition, last_sequence) VALUES ($1, $2, $3, $4)",
                    [.text(rebuild.projection), .text(rebuild.consumer), .int64(Int64(rebuild.partition)), .int64(Int64(fromSequence - 1))])
            }
        }
    }

    public func checkpoint(of consumer: ConsumerID) async throws -> UInt64 {
        let rows = try await connected().query(
            "SELECT last_sequence FROM _projection_checkpoints WHERE projection = $1 AND consumer = $2 AND partition = $3",
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition))])
        return rows.single?.int64(at: 0).map(UInt64.init) ?? 0
    }

    public func otherDurables(than generation: RebuildGeneration) async throws -> [String] {
        let rows = try await connected().query(
            """
            SELECT consumer, partition FROM _projection_checkpoints WHERE projection = $1
            UNION SELECT consumer, partition FROM _projection_quarantine WHERE projection = $1 AND consumer <> ''
            """,
            [.text(generation.live.projection)])
        return generation.others(among: rows.compactMap { row in row[0].flatMap { name in row.int64(at: 1).map { (name, Int($0)) } } })
    }

    /// One transaction, tried again while another session keeps a lock it needs (each attempt rolls back
    /// whole), until `tableLocks.total` has passed.
    public func swap(in incomingSuffix: String, from incoming: ConsumerID, into generation: RebuildGeneration, keepPrevious: Bool, missing: RebuildError) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + tableLocks.total
        var attempt = 1
        while true {
            do {
                try await swapOnce(in: incomingSuffix, from: incoming, into: generation, keepPrevious: keepPrevious, missing: missing)
                return
            } catch let error as PostgresError where error.sqlState == "55P03" {
                let pause = tableLocks.pause(afterAttempt: attempt)
                guard clock.now + pause < deadline else {
                    throw RebuildError(code: .tablesLocked, detail: """
                        another session holds a lock the cutover needs (a table it renames, or a checkpoint, seen-key or \
                        quarantine row it moves; see pg_locks and pg_stat_activity): gave up after \(attempt) attempt(s), each lock \
                        waited for at most \(tableLocks.attempt), within \(tableLocks.total). Nothing was swapped; \
                        run the cutover again once that session is done
                        """)
                }
                try await clock.sleep(for: pause)
                attempt += 1
            }
        }
    }

    private func swapOnce(in incomingSuffix: String, from incoming: ConsumerID, into generation: RebuildGeneration, keepPrevious: Bool, missing: RebuildError) async throws {
        let connection = try await connected()
        let live = generation.live
        let parking = "__swap"
        try await connection.transaction { c in
            // For this transaction only; a whole number of milliseconds, at least 1 (0 would mean no limit).
            try await c.execute("SET LOCAL lock_timeout = '\(max(1, tableLocks.attempt.wholeMilliseconds))ms'")
            for table in schema.tables {
                let exists = try await c.query("SELECT to_regclass($1) IS NOT NULL", [.text(table.name + incomingSuffix)])
                guard exists.single?.bool(at: 0) == true else { throw missing }
            }
            for table in schema.tables {
                let name = table.name
                // live → parking, incoming → live, parking → __previous (or dropped). Index names follow
                // their tables so the next rebuild can create its own.
                try await rename(c, name, to: name + parking)
                try await rename(c, name + incomingSuffix, to: name)
                try await c.execute("DROP TABLE IF EXISTS \(name + RebuildGeneration.previousSuffix)")
                if keepPrevious {
                    try await rename(c, name + parking, to: name + RebuildGeneration.previousSuffix)
                } else {
                    try await c.execute("DROP TABLE \(name + parking)")
                }
            }
            let previous = generation.previous
            for table in Self.internalTables {
                // live → parked, incoming → live, then the older generation gives way to parked. (In a
                // rollback the incoming generation IS the previous one, so it moves before anything is deleted.)
                let parked = live.projection + parking
                try await c.query("UPDATE \(table) SET projection = $2 WHERE projection = $1", [.text(live.projection), .text(parked)])
                try await c.query("UPDATE \(table) SET projection = $2 WHERE projection = $1", [.text(incoming.projection), .text(live.projection)])
                try await c.query("DELETE FROM \(table) WHERE projection = $1", [.text(previous.projection)])
                if keepPrevious {
                    try await c.query("UPDATE \(table) SET projection = $2 WHERE projection = $1", [.text(parked), .text(previous.projection)])
                } else {
                    try await c.query("DELETE FROM \(table) WHERE projection = $1", [.text(parked)])
                }
            }
            // Checkpoints and quarantine entries are per consumer (one per partition): the incoming
            // consumer's become the live consumer's.
            for consumer in generation.consumers {
                for table in ["_projection_checkpoints", "_projection_quarantine"] {
                    try await c.query(
                        "UPDATE \(table) SET consumer = $3 WHERE projection = $1 AND consumer = $2 AND partition = $4",
                        [.text(live.projection), .text(consumer.consumer + incomingSuffix), .text(consumer.consumer), .int64(Int64(consumer.partition))])
                    if keepPrevious {
                        try await c.query(
                            "UPDATE \(table) SET consumer = $3 WHERE projection = $1 AND consumer = $2 AND partition = $4",
                            [.text(previous.projection), .text(consumer.consumer), .text(consumer.consumer + RebuildGeneration.previousSuffix), .int64(Int64(consumer.partition))])
                    }
                }
                // The cutover's lease fences the moved row in the same transaction: a replica still writing
                // under an older lease finds it in its batch's `FOR UPDATE` and rolls back.
                if let epoch = generation.leaseEpochs[consumer.partition] {
                    try await c.query(
                        """
                        INSERT INTO _projection_checkpoints (projection, consumer, partition, last_sequence, lease_epoch, updated_at)
                        VALUES ($1, $2, $3, 0, $4, now())
                        ON CONFLICT (projection, consumer, partition) DO UPDATE
                        SET lease_epoch = GREATEST(_projection_checkpoints.lease_epoch, EXCLUDED.lease_epoch)
                        """,
                        [.text(live.projection), .text(consumer.consumer), .int64(Int64(consumer.partition)), .int64(Int64(epoch))])
                }
            }
        }
    }

    /// Renames a table (if it exists) and the indexes named after it.
    private func rename(_ c: PostgresConnection, _ from: String, to: String) async throws {
        let exists = try await c.query("SELECT to_regclass($1) IS NOT NULL", [.text(from)])
        guard exists.single?.bool(at: 0) == true else { return }
        try await c.execute("ALTER TABLE \(from) RENAME TO \(to)")
        let indexes = try await c.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1", [.text(to)])
        for row in indexes {
            guard let index = row[0], index.hasPrefix(from + "_") else { continue }
            try await c.execute("ALTER INDEX \(index) RENAME TO \(to + index.dropFirst(from.count))")
        }
    }

    public func close() async {
        connection?.close()
        connection = nil
    }
}
