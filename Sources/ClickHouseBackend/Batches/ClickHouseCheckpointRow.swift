import Columnstore
import Foundation

/// The newest row of a consumer in `_projection_checkpoints`, as `loadCheckpoint` and `fence` read it.
struct ClickHouseCheckpointRow: Sendable, Equatable {
    var first: UInt64
    var last: UInt64
    /// State `after` (the checkpoint); `before` is a batch's intent, still pending.
    var after: Bool
    var version: UInt64
    var scope: ClickHouseBatchScope
    /// The intent's recorded `SumGuard`, encoded (empty for checkpoints and when nothing is at risk).
    var sumGuard: String = ""

    /// The columns `parse` reads, in its order.
    static let columns = "first_sequence, last_sequence, state, version, batch_scope, sum_guard"

    /// One `JSONCompactEachRow` line of `columns` (64-bit integers quoted). JSON, not TSV: the scope holds
    /// the durable's name, which TabSeparated would escape.
    static func parse(_ line: ArraySlice<UInt8>, consumer: ConsumerID) throws -> Self {
        guard let fields = try? JSONSerialization.jsonObject(with: Data(line)) as? [String], fields.count == 6,
              let first = UInt64(fields[0]), let last = UInt64(fields[1]), let version = UInt64(fields[3]) else {
            throw StoreError(code: .unexpectedResponse, detail: "unreadable checkpoint row for \(consumer)")
        }
        guard fields[2] == "after" || fields[2] == "before" else {
            throw StoreError(code: .unexpectedResponse, detail: "unknown checkpoint state \(fields[2])")
        }
        return Self(first: first, last: last, after: fields[2] == "after", version: version, scope: ClickHouseBatchScope(name: fields[4]), sumGuard: fields[5])
    }
}
