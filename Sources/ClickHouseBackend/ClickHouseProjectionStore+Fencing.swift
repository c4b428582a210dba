import ClickHouseHTTP
import Columnstore

/// Lease fencing on ClickHouse, which has no transactions to lock a row in. The fence is the highest
/// `lease_epoch` among the consumer's checkpoint rows: a new owner inserts a copy of the newest row under
/// its epoch before loading the checkpoint, and a batch checks the fence before its intent and again
/// before its rows.
///
/// Why the two checks suffice (docs/DESIGN.md, "Partition leases"): a stale owner that passes the check
/// before its rows wrote its intent earlier, so that intent reached the store before the fence; the new
/// owner then loads it as the pending batch and re-forms exactly that range, whose deduplication tokens
/// make ClickHouse drop whichever copy of the rows arrives second. The race left is an intent insert
/// that is sent before the fence and lands after the new owner loaded its checkpoint; the lease's safety
/// margin (the old owner stops writing well before its lease can expire) bounds it.
extension ClickHouseProjectionStore {
    public func fence(_ consumer: ConsumerID, epoch: UInt64) async throws {
        let current = try await highestEpoch(consumer)
        guard current <= epoch else {
            throw StoreError(code: .fenced, detail: "\(consumer) is held by lease epoch \(current), above \(epoch)")
        }
        let response = try await client.query(
            """
            SELECT first_sequence, last_sequence, state, version FROM _projection_checkpoints
            WHERE projection = {p:String} AND consumer = {c:String} AND partition = {n:UInt32}
            ORDER BY version DESC, lease_epoch DESC LIMIT 1 FORMAT TabSeparated
            """,
            parameters: ["p": consumer.projection, "c": consumer.consumer, "n": String(consumer.partition)])
        // Same state and version as the newest row, under the new epoch: ReplacingMergeTree keeps the
        // last inserted of equal versions, so the fence survives merges until a newer state replaces it.
        var first: UInt64 = 0, last: UInt64 = 0, after = true, version: UInt64 = 0
        let line = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !line.isEmpty {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 4, let f = UInt64(fields[0]), let l = UInt64(fields[1]), let v = UInt64(fields[3]) else {
                throw StoreError(code: .unexpectedResponse, detail: "unreadable checkpoint row for \(consumer)")
            }
            (first, last, version) = (f, l, v)
            after = fields[2] != "before"
        }
        try await insertCheckpointRow(consumer, first: first, last: last, after: after, epoch: epoch, version: version)
    }

    /// Throws `.fenced` when a newer epoch than the batch's fenced its consumer.
    func checkFence(_ payload: BatchPayload) async throws {
        guard let epoch = payload.leaseEpoch else { return }
        let current = try await highestEpoch(payload.consumer)
        guard current <= epoch else {
            throw StoreError(code: .fenced, detail: "\(payload.consumer) was fenced by lease epoch \(current); this writer holds \(epoch)")
        }
    }

    private func highestEpoch(_ consumer: ConsumerID) async throws -> UInt64 {
        let response = try await client.query(
            """
            SELECT max(lease_epoch) FROM _projection_checkpoints
            WHERE projection = {p:String} AND consumer = {c:String} AND partition = {n:UInt32}
            FORMAT TabSeparated
            """,
            parameters: ["p": consumer.projection, "c": consumer.consumer, "n": String(consumer.partition)])
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = UInt64(text.isEmpty ? "0" : text) else {
            throw StoreError(code: .unexpectedResponse, detail: "unreadable lease epoch for \(consumer)")
        }
        return value
    }
}
