import LibPQ
import Columnstore

/// Lease fencing on Postgres. The fence is the checkpoint row's `lease_epoch`: a new owner raises it
/// before loading the checkpoint, and every batch transaction first locks that row (`FOR UPDATE`) and
/// checks it. The row lock orders the two: a stale owner's commit either lands entirely before the fence
/// (and the new owner loads a checkpoint that includes it) or sees the higher epoch and rolls back.
extension PostgresProjectionStore {
    public func fence(_ consumer: ConsumerID, epoch: UInt64) async throws {
        let raised = try await withConnection { connection in
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
        guard raised.affectedRows == 1 else {
            throw StoreError(code: .fenced, detail: "\(consumer) is held by a lease epoch above \(epoch)")
        }
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
