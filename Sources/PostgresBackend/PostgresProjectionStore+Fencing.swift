import LibPQ
import Columnstore

/// Lease fencing on Postgres. The fence is the checkpoint row's `lease_epoch`: a new owner raises it
/// before loading the checkpoint, and every batch transaction first locks that row (`FOR UPDATE`) and
/// checks it. The row lock orders the two: a stale owner's commit either lands entirely before the fence
/// (and the new owner loads a checkpoint that includes it) or sees the higher epoch and rolls back.
extension PostgresProjectionStore {
    public func fence(_ consumer: ConsumerID, epoch: UInt64) async throws {
        let lockWait = idleTransactionTimeout.map(Self.fenceLockWait)
        let raised = try await withConnection { connection in
            guard let lockWait else { return try await Self.raiseEpoch(consumer, epoch: epoch, on: connection) }
            var round = 1
            while true {
                do {
                    return try await connection.transaction { connection in
                        try await connection.execute("SET LOCAL lock_timeout = \(lockWait.wholeMilliseconds)")
                        return try await Self.raiseEpoch(consumer, epoch: epoch, on: connection)
                    }
                } catch let error as PostgresError where error.sqlState == "55P03" && round < 3 {
                    // The row's lock outlived its holder's lease inside a statement, where
                    // `idle_in_transaction_session_timeout` does not reach (a writer frozen while its
                    // backend sends a result or reads a message). End that session: its transaction
                    // rolls back whole, and the lease already says it may not commit.
                    let ended = try await Self.endCheckpointLockHolder(consumer, on: connection)
                    logger.warning("fence: ended the session holding the checkpoint row", metadata: [
                        "consumer": "\(consumer)", "waited_ms": "\(lockWait.wholeMilliseconds)", "pids": "\(ended)",
                    ])
                    round += 1
                }
            }
        }
        guard raised.affectedRows == 1 else {
            throw StoreError(code: .fenced, detail: "\(consumer) is held by a lease epoch above \(epoch)")
        }
    }

    /// How long a fence waits for the checkpoint row's lock before it ends the session holding it: a
    /// third of the lease TTL (at least 100 ms), so a takeover stays inside SCALING.md's bound.
    static func fenceLockWait(ttl: Duration) -> Duration {
        max(ttl / 3, .milliseconds(100))
    }

    private static func raiseEpoch(_ consumer: ConsumerID, epoch: UInt64, on connection: PostgresConnection) async throws -> PostgresRows {
        try await connection.query(
            """
            INSERT INTO _projection_checkpoints (projection, consumer, partition, last_sequence, lease_epoch, updated_at)
            VALUES ($1, $2, $3, 0, $4, now())
            ON CONFLICT (projection, consumer, partition) DO UPDATE
            SET lease_epoch = EXCLUDED.lease_epoch, updated_at = EXCLUDED.updated_at
            WHERE _projection_checkpoints.lease_epoch <= EXCLUDED.lease_epoch
            """,
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition)), .int64(Int64(epoch))])
    }

    /// Terminates the sessions whose open transaction locks the consumer's checkpoint row (the row's
    /// `xmax`: a batch transaction's `FOR UPDATE`, the only lock taken on it, so never a multixact), in
    /// this database; returns their pids. Allowed for sessions of the same role, which replicas share.
    private static func endCheckpointLockHolder(_ consumer: ConsumerID, on connection: PostgresConnection) async throws -> [Int64] {
        let rows = try await connection.query(
            """
            WITH holder AS MATERIALIZED (
                SELECT a.pid FROM _projection_checkpoints c
                JOIN pg_stat_activity a ON a.backend_xid = c.xmax
                WHERE c.projection = $1 AND c.consumer = $2 AND c.partition = $3
                  AND a.pid <> pg_backend_pid() AND a.datname = current_database()
            )
            SELECT pid FROM holder WHERE pg_terminate_backend(pid, 1000)
            """,
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition))])
        return rows.compactMap { $0.int64(at: 0) }
    }

    public func leaseEpoch(_ consumer: ConsumerID) async throws -> UInt64 {
        try await withConnection { connection in try await Self.storedEpoch(consumer, on: connection, locking: false) }
    }

    /// The consumer's checkpoint row's `lease_epoch` (0 without a row); `locking` takes the row lock.
    static func storedEpoch(_ consumer: ConsumerID, on connection: PostgresConnection, locking: Bool) async throws -> UInt64 {
        let rows = try await connection.query(
            "SELECT lease_epoch FROM _projection_checkpoints WHERE projection = $1 AND consumer = $2 AND partition = $3" + (locking ? " FOR UPDATE" : ""),
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition))])
        return rows.first?.int64(at: 0).map { UInt64(max($0, 0)) } ?? 0
    }

    /// Inside the batch transaction: locks the checkpoint row and throws `.fenced` when a newer epoch
    /// holds it. A missing row (never fenced) counts as epoch 0.
    static func checkFence(_ consumer: ConsumerID, epoch: UInt64, on connection: PostgresConnection) async throws {
        let current = try await storedEpoch(consumer, on: connection, locking: true)
        guard current <= epoch else {
            throw StoreError(code: .fenced, detail: "\(consumer) was fenced by lease epoch \(current); this writer holds \(epoch)")
        }
    }
}
