/// CloudEvents envelope attributes (and the JetStream sequence) a column can take.
public enum EnvelopeAttribute: String, Sendable, Hashable {
    case id
    case time
    case subject
    /// The `tenantid` extension attribute.
    case tenant
    /// The JetStream stream sequence of the message.
    case streamSequence
    case source
    case type

    /// The column type the attribute naturally has.
    public var valueType: ColumnType {
        switch self {
        case .time: return .timestamp
        case .streamSequence: return .uint64
        case .id, .subject, .tenant, .source, .type: return .string
        }
    }
}
