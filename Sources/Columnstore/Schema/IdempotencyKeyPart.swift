/// One part of a fact type's idempotency key: a value from the fact's data or its envelope.
public enum IdempotencyKeyPart: Sendable, Hashable, CustomStringConvertible {
    case data(FieldPath)
    case envelope(EnvelopeAttribute)

    /// The part's name in quarantine reasons: `data.<path>` or the envelope attribute.
    public var field: String {
        switch self {
        case .data(let path): return "data.\(path)"
        case .envelope(let attribute): return attribute.rawValue
        }
    }

    public var description: String { field }
}
