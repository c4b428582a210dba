/// One cell of a projected row, store-neutral. Each backend encodes it in its own wire format.
public enum ColumnValue: Hashable, Sendable {
    case null
    case string(String)
    case int64(Int64)
    case uint64(UInt64)
    case float64(Double)
    case bool(Bool)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Milliseconds since the Unix epoch, UTC.
    case timestamp(Int64)
}
