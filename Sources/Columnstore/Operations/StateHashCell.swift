/// Reads a store's text for one cell into a typed value for `StateHashCanonicalForm`.
///
/// Both readers select values in store-independent shapes (timestamps as epoch milliseconds, dates
/// as `YYYY-MM-DD`, decimals as text), so one parser serves both stores.
package enum StateHashCell {
    /// The value of `text` in a column of `type`, or nil when it does not parse.
    package static func value(_ text: String, type: ColumnType) -> ColumnValue? {
        switch type {
        case .string:
            return .string(text)
        case .int32, .int64:
            return Int64(text).map(ColumnValue.int64)
        case .uint64:
            if let value = Int64(text) { return .int64(value) }
            return UInt64(text).map(ColumnValue.uint64)
        case .bool:
            switch text {
            case "t", "true", "1": return .bool(true)
            case "f", "false", "0": return .bool(false)
            default: return nil
            }
        case .float64:
            switch text {
            case "NaN", "nan", "-nan", "+nan": return .float64(.nan)
            case "Infinity", "inf", "+inf", "+Infinity": return .float64(.infinity)
            case "-Infinity", "-inf": return .float64(-.infinity)
            default: return Double(text).map(ColumnValue.float64)
            }
        case .date:
            return RFC3339.parseDate(text).map(ColumnValue.date)
        case .timestamp:
            return Int64(text).map(ColumnValue.timestamp)
        case .decimal(_, let scale):
            return StateHashCanonicalForm.decimal(text, scale: scale) == nil ? nil : .string(text)
        }
    }
}
