import ClickHouseHTTP
import Columnstore

/// Lease fencing on ClickHouse, which has no transactions to lock a row in. The fence is the highest
/// `lease_epoch` among the consumer's checkpoint rows: a new owner inserts a copy of the newest row under
/// its epoch before loading the checkpoint, and a batch checks the fence before its intent and again
/// before its rows.
///
/// Why this suffices (docs/DESIGN.md, "Partition leases"): a stale owner that passes the check before
/// its rows wrote its intent earlier, so that intent reached the store before the fence; the new owner
/// then loads it as the pending batch and re-forms exactly that range, whose deduplication tokens make
/// ClickHouse drop whichever copy of the rows arrives second. The intent itself is an `INSERT … SELECT`
/// whose condition the server evaluates when it runs the statement, so an intent held up in flight (a
/// frozen process, a slow network) past a new owner's fence writes nothing; it cannot later be read as
/// a pending batch.
extension ClickHouseProjectionStore {
    public func fence(_ consumer: ConsumerID, epoch: UInt64) async throws {
        let current = try await highestEpoch(consumer)
        guard current <= epoch else {
            throw StoreError(code: .fenced, detail: "\(consumer) is held by lease epoch \(current), above \(epoch)")
        }
        // Same state, version and batch scope as the newest row, under the new epoch: ReplacingMergeTree
        // keeps the last inserted of equal versions, so the fence survives merges until a newer state
        // replaces it; a pending batch keeps the scope its tokens were written under.
        let row = try await newestCheckpointRow(consumer)
            ?? ClickHouseCheckpointRow(first: 0, last: 0, after: true, version: 0, scope: .current(for: consumer))
        try await insertCheckpointRow(consumer, first: row.first, last: row.last, after: row.after, epoch: epoch, version: row.version, scope: row.scope,
                                      sumGuard: row.sumGuard)
    }

    /// The intent (BEFORE) row of a leased batch, written only if no newer epoch has fenced the consumer
    /// by the time the server runs the statement. The check and the insert are one statement: checked
    /// by the client first, an intent sent before a fence could land after the new owner had loaded its
    /// checkpoint and be read later as a pending batch that never was.
    package func writeIntentUnlessFenced(_ payload: BatchPayload) async throws {
        let epoch = payload.leaseEpoch ?? 0
        let consumer = payload.consumer
        // The sum guard goes in the statement (the request body), not in a parameter: parameters travel
        // in the URL, which a guard over many keys at risk would take past the server's limit.
        let guardLiteral = Self.literal(Array((recordedSumGuard(payload) ?? .none).encoded.utf8))
        let response = try await client.execute(
            """
            INSERT INTO _projection_checkpoints (projection, consumer, partition, first_sequence, last_sequence, state, lease_epoch, version, updated_at, batch_scope, sum_guard)
            SELECT {p:String}, {c:String}, {n:UInt32}, {f:UInt64}, {l:UInt64}, 'before', {e:UInt64}, {v:UInt64}, fromUnixTimestamp64Milli({t:Int64}, 'UTC'), {s:String}, \(guardLiteral)
            WHERE (SELECT max(lease_epoch) FROM _projection_checkpoints
                   WHERE projection = {p:String} AND consumer = {c:String} AND partition = {n:UInt32}) <= {e:UInt64}
            """,
            parameters: ["p": consumer.projection, "c": consumer.consumer, "n": String(consumer.partition),
                         "f": String(payload.range.first), "l": String(payload.range.last), "e": String(epoch),
                         "v": String(payload.range.last * 2), "t": String(Int64(clock().timeIntervalSince1970 * 1000)),
                         "s": scope(of: payload).name],
            settings: ["insert_deduplicate": "0"].merging(Self.querySizeSetting(forStatementBytes: guardLiteral.utf8.count + 8192)) { a, _ in a })
        guard let written = response.summary?.writtenRows else {
            // No summary (a proxy that drops the header): the fence read afterwards tells the same, since a
            // refused intent means a newer epoch is there; an accepted one passes it.
            try await checkFence(payload)
            return
        }
        if written == 0 {
            let current = try await highestEpoch(consumer)
            throw StoreError(code: .fenced, detail: "\(consumer) was fenced by lease epoch \(current); this writer holds \(epoch)")
        }
    }

    /// Throws `.fenced` when a newer epoch than the batch's fenced its consumer.
    func checkFence(_ payload: BatchPayload) async throws {
        guard let epoch = payload.leaseEpoch else { return }
        let current = try await highestEpoch(payload.consumer)
        guard current <= epoch else {
            throw StoreError(code: .fenced, detail: "\(payload.consumer) was fenced by lease epoch \(current); this writer holds \(epoch)")
        }
    }

    public func leaseEpoch(_ consumer: ConsumerID) async throws -> UInt64 {
        try await highestEpoch(consumer)
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
