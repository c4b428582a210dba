/// Store-neutral column types.
public enum ColumnType: Sendable, Hashable {
    case string
    case int32
    case int64
    case uint64
    case float64
    case bool
    /// Calendar date (UTC).
    case date
    /// Instant with millisecond precision, UTC.
    case timestamp
    case decimal(precision: Int, scale: Int)

    /// Whether values can be summed.
    public var isNumeric: Bool {
        switch self {
        case .int32, .int64, .uint64, .float64, .decimal: return true
        case .string, .bool, .date, .timestamp: return false
        }
    }

    /// Whether the type is a point in time (date or timestamp).
    public var isTemporal: Bool { self == .date || self == .timestamp }

    /// Stable spelling used in schema snapshots and messages, e.g. `decimal(18,2)`.
    public var canonicalName: String {
        switch self {
        case .string: return "string"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .float64: return "float64"
        case .bool: return "bool"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .decimal(let p, let s): return "decimal(\(p),\(s))"
        }
    }
}
