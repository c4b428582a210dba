import Columnstore

/// Converts JSON values from facts into column values, strictly: a value that does not fit its
/// column's domain (`ValueDomain`, docs/ANNOTATIONS.md) is a `FactRejection` naming the field, never a
/// silent zero, clamp or rounding. Integers may arrive as JSON numbers or as decimal strings (the
/// proto3 JSON mapping writes int64 as strings).
enum ColumnConversion {
    static func zero(of type: ColumnType) -> ColumnValue {
        switch type {
        case .string: .string("")
        case .decimal(_, let scale): .string(DecimalText.text(units: 0, scale: scale))
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
            return try fit(.date(try date(days: floorDiv(ms, 86_400_000), field: field)), to: type, field: field)
        case .toHour:
            let ms = try timestamp(raw, field: field)
            return try fit(.timestamp(floorDiv(ms, 3_600_000) * 3_600_000), to: type, field: field)
        }
        switch type {
        case .string:
            guard case .string(let string) = raw else { throw mismatch(field, "a string") }
            return .string(try text(string, field: field))
        case .decimal(let precision, let scale):
            let literal: String
            switch raw {
            case .string(let string): literal = string
            case .number(let number): literal = number
            default: throw mismatch(field, "a decimal number")
            }
            switch DecimalText.canonical(literal, precision: precision, scale: scale) {
            case .success(let canonical): return .string(canonical)
            case .failure(let problem):
                throw FactRejection(code: .invalidValue, field: field, detail: "\(problem) for decimal(\(precision),\(scale))")
            }
        case .int32:
            let value = try integer(raw, field: field)
            guard value >= Int64(Int32.min), value <= Int64(Int32.max) else { throw mismatch(field, "a 32-bit integer") }
            return .int64(value)
        case .int64:
            return .int64(try integer(raw, field: field))
        case .uint64:
            let value: UInt64
            if case .uint(let v)? = number(raw) {
                value = v
            } else if case .string(let string) = raw, let v = UInt64(string) {
                value = v
            } else {
                let signed = try integer(raw, field: field)
                guard signed >= 0 else { throw mismatch(field, "a non-negative integer") }
                value = UInt64(signed)
            }
            guard value <= ValueDomain.maxUInt64 else {
                throw FactRejection(code: .invalidValue, field: field, detail: "\(value) is above \(ValueDomain.maxUInt64), the largest uint64 both stores hold")
            }
            return .uint64(value)
        case .float64:
            // Straight from the literal: Double(String) rounds correctly, so 17 significant digits
            // round-trip exactly (going through Decimal lost the last digit).
            let parsed: Double?
            switch raw {
            case .number(let literal): parsed = Double(literal)
            case .string(let string): parsed = Double(string)
            default: parsed = nil
            }
            guard let value = parsed else { throw mismatch(field, "a number") }
            guard value.isFinite else {
                throw FactRejection(code: .invalidValue, field: field, detail: "NaN and infinities are not stored (the value must be a finite double)")
            }
            // One zero: -0.0 and 0.0 compare equal but print differently on the stores.
            return .float64(value == 0 ? 0 : value)
        case .bool:
            if case .bool(let value) = raw { return .bool(value) }
            throw mismatch(field, "true or false")
        case .date:
            if case .string(let string) = raw, let days = RFC3339.parseDate(string) { return .date(try date(days: Int64(days), field: field)) }
            let ms = try timestamp(raw, field: field)
            return .date(try date(days: floorDiv(ms, 86_400_000), field: field))
        case .timestamp:
            return .timestamp(try timestamp(raw, field: field))
        }
    }

    /// A string value: valid UTF-8 (the parser checked it) without NUL, which Postgres text cannot hold.
    static func text(_ string: String, field: String) throws(FactRejection) -> String {
        if string.utf8.contains(0) {
            throw FactRejection(code: .invalidValue, field: field, detail: "contains a NUL character (U+0000), which the stores cannot hold identically")
        }
        return string
    }

    private static func fit(_ value: ColumnValue, to type: ColumnType, field: String) throws(FactRejection) -> ColumnValue {
        switch (value, type) {
        case (.date, .date), (.timestamp, .timestamp): return value
        case (.timestamp(let ms), .date): return .date(try date(days: floorDiv(ms, 86_400_000), field: field))
        case (.date(let days), .timestamp): return .timestamp(Int64(days) * 86_400_000)
        default: throw FactRejection(code: .invalidValue, field: field, detail: "the transform's result does not fit a \(type.canonicalName) column")
        }
    }

    private static func date(days: Int64, field: String) throws(FactRejection) -> Int32 {
        guard days >= Int64(ValueDomain.dates.lowerBound), days <= Int64(ValueDomain.dates.upperBound) else {
            throw FactRejection(code: .invalidValue, field: field, detail: "the date is outside \(ValueDomain.dateRangeText)")
        }
        return Int32(days)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - (b - 1)) / b
    }

    /// A JSON number typed as JSONSerialization typed it; nil for anything else.
    private static func number(_ raw: JSONValue) -> FactNumber? {
        guard case .number(let literal) = raw else { return nil }
        return FactNumber(literal: literal)
    }

    private static func integer(_ raw: JSONValue, field: String) throws(FactRejection) -> Int64 {
        if case .number(let literal) = raw {
            // The common case, a plain integer, without classifying the literal.
            if let value = Int64(literal) { return value }
            let number = FactNumber(literal: literal)
            switch number {
            case .int(let value)?:
                return value
            case .uint(let value)?:
                guard value <= UInt64(Int64.max) else { throw mismatch(field, "a 64-bit integer") }
                return Int64(value)
            case .double?, .decimal?:
                // Only whole numbers fit an integer column.
                let double = Double(literal) ?? .nan
                guard double.rounded() == double, abs(double) < 9.2e18 else { throw mismatch(field, "an integer") }
                return Int64(double)
            case nil:
                throw mismatch(field, "an integer")
            }
        }
        if case .string(let string) = raw, let value = Int64(string) { return value }
        throw mismatch(field, "an integer")
    }

    static func timestamp(_ raw: JSONValue, field: String) throws(FactRejection) -> Int64 {
        guard case .string(let string) = raw, let ms = RFC3339.parseMilliseconds(string) else {
            throw mismatch(field, "an RFC 3339 timestamp")
        }
        guard ValueDomain.timestamps.contains(ms) else {
            throw FactRejection(code: .invalidValue, field: field, detail: "the timestamp is outside \(ValueDomain.timestampRangeText)")
        }
        return ms
    }

    private static func mismatch(_ field: String, _ expected: String) -> FactRejection {
        FactRejection(code: .invalidValue, field: field, detail: "expected \(expected)")
    }
}
