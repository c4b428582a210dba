/// A store-level failure that is not the store client's own error.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case checkpointConflict = "checkpoint_conflict"
            case unexpectedResponse = "unexpected_response"
            case schemaMismatch = "schema_mismatch"
            case fenced
            case dataRejected = "data_rejected"
            case cutoverUnfinished = "cutover_unfinished"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Another writer advanced the checkpoint: this batch is not applied.
        public static let checkpointConflict = Code(.checkpointConflict)
        public static let unexpectedResponse = Code(.unexpectedResponse)
        public static let schemaMismatch = Code(.schemaMismatch)
        /// A newer lease epoch holds the partition: this writer lost its lease and must stop writing.
        public static let fenced = Code(.fenced)
        /// The store refused the batch for a data reason: retrying it unchanged fails the same way, so the
        /// facts responsible are isolated and quarantined (docs/DESIGN.md, "Store rejections").
        public static let dataRejected = Code(.dataRejected)
        /// A ClickHouse cutover or rollback stopped part-way: the namespace's checkpoints may be half
        /// moved, so nothing may load them until `projection-migrate` finishes it (docs/OPERATIONS.md).
        public static let cutoverUnfinished = Code(.cutoverUnfinished)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "store \(code): \(detail)" }
}
