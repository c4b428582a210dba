/// Why a fact is poison: it can never be applied, whatever is retried. Such a fact is quarantined with
/// this reason and terminated, so the stream never stalls. Transient failures are never a rejection.
public struct FactRejection: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidJSON = "invalid_json"
            case invalidEnvelope = "invalid_envelope"
            case missingField = "missing_field"
            case invalidValue = "invalid_value"
            case oversize
            case storeRejected = "store_rejected"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let invalidJSON = Code(.invalidJSON)
        public static let invalidEnvelope = Code(.invalidEnvelope)
        public static let missingField = Code(.missingField)
        public static let invalidValue = Code(.invalidValue)
        public static let oversize = Code(.oversize)
        /// The store refused the fact for a data reason the mapper does not foresee (e.g. a SUM
        /// overflowing its column); found by `RejectionIsolation`.
        public static let storeRejected = Code(.storeRejected)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The attribute or data path concerned, e.g. `data.amount_cents`.
    public var field: String?
    public var detail: String

    public init(code: Code, field: String? = nil, detail: String) {
        self.code = code
        self.field = field
        self.detail = detail
    }

    /// The reason stored in the quarantine table.
    public var description: String {
        if let field { return "\(code): \(field): \(detail)" }
        return "\(code): \(detail)"
    }
}
