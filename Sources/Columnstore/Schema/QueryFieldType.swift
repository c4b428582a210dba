/// Proto types of query fields.
public enum QueryFieldType: Sendable, Hashable {
    case string
    case bytes
    case bool
    case int32
    case int64
    case uint32
    case uint64
    case float
    case double
    /// `google.protobuf.Timestamp` (RFC 3339 in JSON).
    case timestamp
    /// Another message, by fully-qualified name.
    case message(String)
    /// An enum, by fully-qualified name.
    case enumeration(String)
}
