import Columnstore

/// Converts JSON values from facts into column values, strictly: a value that does not fit its column
/// is a `FactRejection`, never a silent zero. Integers may arrive as JSON numbers or as decimal strings
/// (the proto3 JSON mapping writes int64 as strings).
enum ColumnConversion {
    static func zero(of type: ColumnType) -> ColumnValue {
        switch type {
        case .string, .decimal: .string("")
        case .int32, .int64: .int64(0)
        case .uint64: .uint64(0)
        case .float64: .float64(0)
        case .bool: .bool(false)
        case .date: .date(0)
        case .timestamp: .timestamp(0)
        }
    }

    static func convert(_ raw: JSONValue, to type: ColumnType, transform: SourceTransform, field: String) throws(FactRejection) -> ColumnValue {
        switch transform {
        case .none:
            break
        case .toDate:
            let ms = try timestamp(raw, field: field)
            let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
            return try fit(.date(Int32(truncatingIfNeeded: days)), to: type, field: field)
        case .toHour:
            let ms = try timestamp(raw, field: field)
            let hour = ms >= 0 ? ms / 3_600_000 * 3_600_000 : (ms - 3_599_999) / 3_600_000 * 3_600_000
            return try fit(.timestamp(hour), to: type, field: field)
        }
        switch type {
        case .string:
            guard case .string(let string) = raw else { throw mismatch(field, "a string") }
            return .string(string)
        case .decimal:
            switch raw {
            case .string(let string) where Double(string) != nil: return .string(string)
            case .number: if let number = number(raw) { return .string(number.text) }
            default: break
            }
            throw mismatch(field, "a decimal number")
        case .int32:
            let value = try integer(raw, field: field)
            guard value >= Int64(Int32.min), value <= Int64(Int32.max) else { throw mismatch(field, "a 32-bit integer") }
            return .int64(value)
        case .int64:
            return .int64(try integer(raw, field: field))
        case .uint64:
            if case .uint(let value)? = number(raw) { return .uint64(value) }
            if case .string(let string) = raw, let value = UInt64(string) { return .uint64(value) }
            let value = try integer(raw, field: field)
            guard value >= 0 else { throw mismatch(field, "a non-negative integer") }
            return .uint64(UInt64(value))
        case .float64:
            if let number = number(raw) { return .float64(number.doubleValue) }
            if case .string(let string) = raw, let value = Double(string), value.isFinite { return .float64(value) }
            throw mismatch(field, "a number")
        case .bool:
            if case .bool(let value) = raw { return .bool(value) }
            throw mismatch(field, "true or false")
        case .date:
            if case .string(let string) = raw, let days = RFC3339.parseDate(string) { return .date(days) }
            let ms = try timestamp(raw, field: field)
            return .date(Int32(truncatingIfNeeded: ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000))
        case .timestamp:
            return .timestamp(try timestamp(raw, field: field))
        }
    }

    private static func fit(_ value: ColumnValue, to type: ColumnType, field: String) throws(FactRejection) -> ColumnValue {
        switch (value, type) {
        case (.date, .date), (.timestamp, .timestamp): return value
        case (.timestamp(let ms), .date): return .date(Int32(truncatingIfNeeded: ms / 86_400_000))
        case (.date(let days), .timestamp): return .timestamp(Int64(days) * 86_400_000)
        default: throw FactRejection(code: .invalidValue, field: field, detail: "the transform's result does not fit a \(type.canonicalName) column")
        }
    }

    /// A JSON number typed as JSONSerialization typed it; nil for anything else.
    private static func number(_ raw: JSONValue) -> FactNumber? {
        guard case .number(let literal) = raw else { return nil }
        return FactNumber(literal: literal)
    }

    private static func integer(_ raw: JSONValue, field: String) throws(FactRejection) -> Int64 {
        if case .number(let literal) = raw {
            // The common case, a plain integer, without classifying the literal.
            if let value = Int64(literal), value != .min { return value }
            let number = FactNumber(literal: literal)
            switch number {
            case .int(let value)?:
                return value
            case .uint(let value)?:
                guard value <= UInt64(Int64.max) else { throw mismatch(field, "a 64-bit integer") }
                return Int64(value)
            case .double?, .decimal?:
                // Only whole numbers fit an integer column.
                let double = number?.doubleValue ?? .nan
                guard double.rounded() == double, abs(double) < 9.2e18 else { throw mismatch(field, "an integer") }
                return Int64(double)
            case nil:
                throw mismatch(field, "an integer")
            }
        }
        if case .string(let string) = raw, let value = Int64(string) { return value }
        throw mismatch(field, "an integer")
    }

    private static func timestamp(_ raw: JSONValue, field: String) throws(FactRejection) -> Int64 {
        if case .string(let string) = raw, let ms = RFC3339.parseMilliseconds(string) { return ms }
        throw mismatch(field, "an RFC 3339 timestamp")
    }

    private static func mismatch(_ field: String, _ expected: String) -> FactRejection {
        FactRejection(code: .invalidValue, field: field, detail: "expected \(expected)")
    }
}
