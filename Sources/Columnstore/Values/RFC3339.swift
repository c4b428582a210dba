/// Fast, allocation-free RFC 3339 / ISO 8601 parsing and formatting in UTC, for the hot ingest path
/// (Foundation's formatters cost microseconds per call).
public enum RFC3339 {
    /// Milliseconds since the Unix epoch for `2026-03-01T10:15:00Z`, `…:00.123+02:00`, `…T10:15:00.5z`.
    /// Returns nil for anything malformed or out of range.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        // In place: copying the bytes into arrays (twice) cost more than the parse itself.
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ parseMilliseconds(utf8: $0) }) { return parsed }
        return Array(text.utf8).withUnsafeBufferPointer { parseMilliseconds(utf8: $0) }
    }

    /// Days since the Unix epoch for `YYYY-MM-DD`, or nil.
    public static func parseDate(_ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { buffer -> Int32? in
            guard buffer.count == 10, buffer[4] == UInt8(ascii: "-"), buffer[7] == UInt8(ascii: "-"),
                  let y = digits(buffer, 0, 4), let m = digits(buffer, 5, 2), let d = digits(buffer, 8, 2),
                  valid(year: y, month: m, day: d) else { return nil }
            return Int32(daysFromCivil(year: y, month: m, day: d))
        }
    }

    /// `parseMilliseconds(_:)` over UTF-8 bytes.
    public static func parseMilliseconds(utf8 b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
              let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
              valid(year: year, month: month, day: day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var millis = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100
            let start = index
            while index < b.count, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") {
                millis += Int(b[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < b.count else { return nil }
        var offsetSeconds = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.count - index == 6, b[index + 3] == UInt8(ascii: ":"),
                  let oh = digits(b, index + 1, 2), let om = digits(b, index + 4, 2), oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        // A leap second is 23:59:60 UTC (RFC 3339 5.7), whatever the offset; no store can hold it, so it is
        // kept as 23:59:59 (with its fraction). A :60 at any other minute is no time at all.
        if second == 60 {
            let utcMinute = ((hour * 60 + minute - offsetSeconds / 60) % 1440 + 1440) % 1440
            guard utcMinute == 1439 else { return nil }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Int64(seconds) * 1000 + Int64(millis)
    }

    /// `2026-03-01T10:15:00.123Z` (milliseconds always shown when non-zero).
    public static func format(milliseconds: Int64) -> String {
        let (seconds, ms) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var s = seconds, m = ms
        if m < 0 { m += 1000; s -= 1 }
        let (days, secOfDay) = floorDiv(Int(s), 86_400)
        let (y, mo, d) = civil(fromDays: days)
        if (0...9999).contains(y) {
            // The hot path (every timestamp of every batch): digits straight into a fixed buffer.
            return String(unsafeUninitializedCapacity: 24) { buffer in
                var i = 0
                func digits(_ value: Int, _ width: Int) {
                    var v = value, j = i + width - 1
                    while j >= i { buffer[j] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; j -= 1 }
                    i += width
                }
                func char(_ c: Unicode.Scalar) { buffer[i] = UInt8(ascii: c); i += 1 }
                digits(y, 4); char("-"); digits(mo, 2); char("-"); digits(d, 2); char("T")
                digits(secOfDay / 3600, 2); char(":"); digits(secOfDay / 60 % 60, 2); char(":"); digits(secOfDay % 60, 2)
                if m != 0 { char("."); digits(Int(m), 3) }
                char("Z")
                return i
            }
        }
        var out = "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2))"
        if m != 0 { out += ".\(pad(Int(m), 3))" }
        return out + "Z"
    }

    /// `YYYY-MM-DD` for days since the epoch.
    public static func formatDate(days: Int32) -> String {
        let (y, m, d) = civil(fromDays: Int(days))
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    // MARK: - Civil calendar (Howard Hinnant's algorithms)

    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> (Int, Int) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    private static func valid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let length: Int
        switch month {
        case 2: length = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: length = 30
        default: length = 31
        }
        return day <= length
    }

    @inline(__always)
    private static func digits<C: RandomAccessCollection>(_ b: C, _ start: Int, _ count: Int) -> Int? where C.Element == UInt8, C.Index == Int {
        var value = 0
        for i in start..<(start + count) {
            let c = b[b.startIndex + i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(c - UInt8(ascii: "0"))
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
