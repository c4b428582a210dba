import Foundation

/// A query parameter, sent to the server in text format.
public enum PostgresValue: Sendable, Hashable {
    case null
    /// Text whose type the server infers from context (so it also suits date, numeric, json… columns).
    case text(String)
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case bytea([UInt8])
    /// A calendar date, as `YYYY-MM-DD` text.
    case date(year: Int, month: Int, day: Int)
    /// An instant in microseconds since 1970-01-01 UTC, sent as a UTC `timestamptz`. Integral, not a
    /// `Date`: a Double's ulp passes a microsecond after about 2240, and a bound a microsecond off
    /// turned `ts >= $1` false for the row at that very instant.
    case timestamptz(microseconds: Int64)

    /// The type OID sent with the parameter; 0 lets the server infer it from context.
    var typeOID: UInt32 {
        switch self {
        case .null, .text: 0
        case .int64: 20
        case .double: 701
        case .bool: 16
        case .bytea: 17
        case .date: 1082
        case .timestamptz: 1184
        }
    }

    /// The text-format encoding, or nil for SQL NULL.
    var textEncoding: String? {
        switch self {
        case .null:
            return nil
        case .text(let value):
            return value
        case .int64(let value):
            return String(value)
        case .double(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
            return String(value)
        case .bool(let value):
            return value ? "t" : "f"
        case .bytea(let bytes):
            return "\\x" + PostgresValue.hex(bytes)
        case .date(let year, let month, let day):
            return PostgresValue.dateText(year: year, month: month, day: day)
        case .timestamptz(let microseconds):
            return PostgresValue.timestampText(microseconds: microseconds)
        }
    }

    /// `YYYY-MM-DD`. Written by hand for the dates a query binds (`String(format:)` was a visible
    /// part of a query API request's CPU); other values keep `%04d-%02d-%02d`'s exact text.
    static func dateText(year: Int, month: Int, day: Int) -> String {
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) else {
            return String(format: "%04d-%02d-%02d", year, month, day)
        }
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` in UTC, computed without a (non-Sendable) formatter.
    static func timestampText(microseconds micros: Int64) -> String {
        var days = micros / 86_400_000_000
        var microsOfDay = micros % 86_400_000_000
        if microsOfDay < 0 {
            microsOfDay += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = civilDate(daysSinceUnixEpoch: days)
        let seconds = microsOfDay / 1_000_000
        return String(
            format: "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld+00",
            year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60, microsOfDay % 1_000_000
        )
    }

    /// Proleptic Gregorian date for a day count (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceUnixEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceUnixEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's `days_from_civil`).
    static func daysSinceUnixEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let m = Int64(month)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
