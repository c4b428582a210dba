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
            } else if case .string(let string) = raw, NumberText.isPlainInteger(string), let v = UInt64(string) {
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
            // A string spelling NaN or an infinity (`"NaN"`, `"-Infinity"`) falls to the finiteness message,
            // which says more than "expected a number"; any other string outside the grammar is no number.
            case .string(let string): parsed = NumberText.isPlainDecimal(string) ? Double(string) : Double(string).flatMap { $0.isFinite ? nil : $0 }
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
    static func text(_ string: String, field: @autoclosure () -> String) throws(FactRejection) -> String {
        if containsNUL(string) {
            throw FactRejection(code: .invalidValue, field: field(), detail: "contains a NUL character (U+0000), which the stores cannot hold identically")
        }
        return string
    }

    /// `utf8.contains(0)` over the string's own storage: the generic `contains` on a UTF8View was
    /// ~60 instructions a string on the hot path.
    @inline(__always)
    static func containsNUL(_ string: String) -> Bool {
        if let found = string.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            for byte in bytes where byte == 0 { return true }
            return false
        }) {
            return found
        }
        return string.utf8.contains(0)
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
            // `1.0`, `1e2`, `790702970447414258.000`: whole numbers in other notations, exactly (a
            // double would round the last one); out of range or with a fraction, refused.
            switch exactInteger(literal) {
            case .some(.some(let value)): return value
            case .some(.none): throw mismatch(field, "a 64-bit integer")
            case .none: throw mismatch(field, "an integer")
            }
        }
        if case .string(let string) = raw, NumberText.isPlainInteger(string), let value = Int64(string) { return value }
        throw mismatch(field, "an integer")
    }

    /// The exact value of a JSON number literal that is a whole number: `.some(value)`, `.some(nil)`
    /// when whole but outside Int64, nil when it has a fraction.
    static func exactInteger(_ literal: String) -> Int64?? {
        var bytes = literal.utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var exponent = 0
        var inFraction = false
        while let byte = bytes.first {
            if byte == UInt8(ascii: ".") { inFraction = true; bytes = bytes.dropFirst(); continue }
            if byte | 0x20 == UInt8(ascii: "e") { break }
            digits.append(byte)
            if inFraction { exponent -= 1 }
            bytes = bytes.dropFirst()
        }
        if bytes.first.map({ $0 | 0x20 == UInt8(ascii: "e") }) == true {
            bytes = bytes.dropFirst()
            let negativeExponent = bytes.first == UInt8(ascii: "-")
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            var value = 0
            for byte in bytes { value = min(value * 10 + Int(byte &- UInt8(ascii: "0")), 100_000) }
            exponent += negativeExponent ? -value : value
        }
        // Leading zeros carry nothing; trailing zeros may absorb a negative exponent.
        while digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        if digits.isEmpty { return .some(0) }
        while exponent < 0, digits.last == UInt8(ascii: "0") { digits.removeLast(); exponent += 1 }
        guard exponent >= 0 else { return nil }
        guard digits.count + exponent <= 19 else { return .some(nil) }
        let text = (negative ? "-" : "") + String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: exponent)
        return .some(Int64(text))
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
