import LibPQ
import Columnstore

/// Lease fencing on Postgres. The fence is the checkpoint row's `lease_epoch`: a new owner raises it
/// before loading the checkpoint, and every batch transaction first locks that row (`FOR UPDATE`) and
/// checks it. The row lock orders the two: a stale owner's commit either lands entirely before the fence
/// (and the new owner loads a checkpoint that includes it) or sees the higher epoch and rolls back.
extension PostgresProjectionStore {
    public func fence(_ consumer: ConsumerID, epoch: UInt64) async throws {
        let lockWait = idleTransactionTimeout.map { Self.fenceLockWait(ttl: $0, statementDeadline: statementDeadline) }
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
                    round += 1
                    let ended: [Int64]
                    do {
                        ended = try await Self.endCheckpointLockHolder(consumer, below: epoch, on: connection)
                    } catch let error as PostgresError where error.sqlState == "42501" {
                        // The holder runs under another role (or a superuser): wait for it instead.
                        logger.warning("fence: the session holding the checkpoint row may not be ended by this role; waiting", metadata: [
                            "consumer": "\(consumer)", "sqlstate": "42501",
                        ])
                        continue
                    }
                    if ended.isEmpty {
                        logger.notice("fence: still waiting for the checkpoint row; no session of this or an older epoch holds it", metadata: [
                            "consumer": "\(consumer)", "waited_ms": "\(lockWait.wholeMilliseconds)",
                        ])
                    } else {
                        logger.warning("fence: ended the session holding the checkpoint row", metadata: [
                            "consumer": "\(consumer)", "waited_ms": "\(lockWait.wholeMilliseconds)", "pids": "\(ended)",
                        ])
                    }
                }
            }
        }
        guard raised.affectedRows == 1 else {
            throw StoreError(code: .fenced, detail: "\(consumer) is held by a lease epoch above \(epoch)")
        }
    }

    /// How long a fence waits for the checkpoint row's lock before it ends the session holding it: a
    /// third of the lease TTL (at least 100 ms), so a takeover stays inside SCALING.md's bound, and below
    /// half the client's statement deadline, which would otherwise end the wait first and never the holder.
    static func fenceLockWait(ttl: Duration, statementDeadline: Duration?) -> Duration {
        let wait = max(ttl / 3, .milliseconds(100))
        guard let statementDeadline else { return wait }
        return max(min(wait, statementDeadline / 2), .milliseconds(10))
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
    /// this database, while the row's epoch is still at most `epoch` (never a newer owner's session);
    /// returns the pids signalled. Postgres allows it for sessions of the same role, which replicas share
    /// (42501 otherwise). It does not wait for the end: the caller's next lock wait does.
    private static func endCheckpointLockHolder(_ consumer: ConsumerID, below epoch: UInt64, on connection: PostgresConnection) async throws -> [Int64] {
        let rows = try await connection.query(
            """
            WITH holder AS MATERIALIZED (
                SELECT a.pid FROM _projection_checkpoints c
                JOIN pg_stat_activity a ON a.backend_xid = c.xmax
                WHERE c.projection = $1 AND c.consumer = $2 AND c.partition = $3 AND c.lease_epoch <= $4
                  AND a.pid <> pg_backend_pid() AND a.datname = current_database()
            )
            SELECT pid FROM holder WHERE pg_terminate_backend(pid)
            """,
            [.text(consumer.projection), .text(consumer.consumer), .int64(Int64(consumer.partition)), .int64(Int64(epoch))])
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
