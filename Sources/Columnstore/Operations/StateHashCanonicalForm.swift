/// The canonical text of a row, identical on every store, that the state hash is computed over.
///
/// A hashed stream is the layout's header line (`StateHashLayout.header`), then one line per row:
/// the hashed columns' canonical values joined by a tab, ended by `\n`. Values:
///
/// | type | canonical text |
/// | --- | --- |
/// | NULL (any type) | `\N` |
/// | string | the text, with `\` `tab` `newline` `CR` escaped as `\\` `\t` `\n` `\r` (TSV rules) |
/// | int32, int64, uint64 | decimal, `-` for negatives, no leading zeros |
/// | bool | `true` / `false` |
/// | date | `YYYY-MM-DD` |
/// | timestamp | RFC 3339 UTC, always three fractional digits: `2026-03-01T10:15:00.000Z` |
/// | decimal(p, s) | `-` only when non-zero, integer part without leading zeros, exactly `s` fractional digits |
/// | float64 | shortest text that reads back as the same double (Swift's `description`, e.g. `0.1`, `1e-05`, `3.0`); `-0.0` as `0.0`; `NaN`, `Infinity`, `-Infinity` |
public enum StateHashCanonicalForm {
    /// Version tag, the first field of every header; bump it when the canonical form changes.
    public static let version = "projection-state-hash/v1"
    /// The NULL marker.
    public static let null = "\\N"

    /// The canonical text of `value` in a column of `type`.
    /// - Throws: `StateHashError` `.unexpectedValue` when the value does not fit the type.
    public static func render(_ value: ColumnValue, as type: ColumnType) throws -> String {
        func mismatch() -> StateHashError {
            StateHashError(.unexpectedValue, "a \(type.canonicalName) column holds \(value)")
        }
        if case .null = value { return null }
        switch type {
        case .string:
            guard case .string(let text) = value else { throw mismatch() }
            return escape(text)
        case .int32, .int64, .uint64:
            switch value {
            case .int64(let v): return String(v)
            case .uint64(let v): return String(v)
            default: throw mismatch()
            }
        case .bool:
            guard case .bool(let v) = value else { throw mismatch() }
            return v ? "true" : "false"
        case .date:
            guard case .date(let days) = value else { throw mismatch() }
            return RFC3339.formatDate(days: days)
        case .timestamp:
            guard case .timestamp(let millis) = value else { throw mismatch() }
            return timestamp(milliseconds: millis)
        case .float64:
            guard case .float64(let v) = value else { throw mismatch() }
            return float(v)
        case .decimal(_, let scale):
            switch value {
            case .string(let text):
                guard let canonical = decimal(text, scale: scale) else { throw mismatch() }
                return canonical
            case .int64(let v):
                return decimal(String(v), scale: scale)!
            case .uint64(let v):
                return decimal(String(v), scale: scale)!
            default:
                throw mismatch()
            }
        }
    }

    /// One row's line (with its `\n`), values in the layout's column order.
    public static func line(_ values: [ColumnValue], types: [ColumnType]) throws -> String {
        guard values.count == types.count else {
            throw StateHashError(.unexpectedValue, "a row has \(values.count) values for \(types.count) columns")
        }
        var fields: [String] = []
        fields.reserveCapacity(values.count)
        for (value, type) in zip(values, types) { fields.append(try render(value, as: type)) }
        return fields.joined(separator: "\t") + "\n"
    }

    /// TSV escaping: a value never contains a raw tab or newline, and `\N` stays distinct from NULL.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `2026-03-01T10:15:00.000Z`: RFC 3339 in UTC with exactly three fractional digits.
    public static func timestamp(milliseconds: Int64) -> String {
        let text = RFC3339.format(milliseconds: milliseconds)
        // RFC3339.format omits a zero fraction.
        return text.contains(".") ? text : String(text.dropLast()) + ".000Z"
    }

    /// Shortest round-trip text; one spelling for zero and for each special value.
    public static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0.0" }
        return value.description
    }

    /// `text` (`-12.5`, `0012.50`, `+3`, `-0.00`) with exactly `scale` fractional digits, or nil when it
    /// is not a plain decimal number. Extra fractional digits are kept only when not all zero, so a
    /// value is never silently rounded.
    public static func decimal(_ text: String, scale: Int) -> String? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = parts.first, parts.count <= 2 else { return nil }
        let fractionPart = parts.count == 2 ? parts[1] : ""
        guard !(integerPart.isEmpty && fractionPart.isEmpty),
              (integerPart + fractionPart).allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        var integer = String(integerPart.drop { $0 == "0" })
        if integer.isEmpty { integer = "0" }
        var fraction = String(fractionPart)
        if fraction.count < scale {
            fraction += String(repeating: "0", count: scale - fraction.count)
        } else {
            while fraction.count > scale, fraction.last == "0" { fraction.removeLast() }
        }
        let isZero = integer == "0" && fraction.allSatisfy { $0 == "0" }
        return (negative && !isZero ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }
}
