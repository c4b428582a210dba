import Foundation
import LibPQ
import Columnstore

extension PostgresQueryExecutor {
    /// Converts text-format rows to typed values by column type OID.
    static func decode(_ rows: PostgresRows, maxRows: Int) throws -> QueryResult {
        guard rows.count <= maxRows else {
            throw QueryError(code: .resourceExhausted, message: "the result has more rows than the server allows")
        }
        var result: [[ColumnValue]] = []
        result.reserveCapacity(rows.count)
        let width = rows.columns.count
        for row in rows {
            var decoded: [ColumnValue] = []
            decoded.reserveCapacity(width)
            for index in 0..<width {
                guard let text = row[index] else { decoded.append(.null); continue }
                guard let value = cellValue(text, typeOID: rows.columnTypes[index]) else {
                    throw QueryError(code: .internal, message: "the store returned an unexpected result",
                                     detail: "cannot read column '\(rows.columns[index])' (type oid \(rows.columnTypes[index]))")
                }
                decoded.append(value)
            }
            result.append(decoded)
        }
        return QueryResult(columns: rows.columns, values: result)
    }

    /// One text-format value (session: DateStyle ISO, TimeZone UTC) as a typed value.
    static func cellValue(_ text: String, typeOID: UInt32) -> ColumnValue? {
        switch typeOID {
        case 16: return text == "t" ? .bool(true) : text == "f" ? .bool(false) : nil
        case 20, 21, 23, 26: return Int64(text).map(ColumnValue.int64)
        case 700, 701:
            switch text {
            case "NaN": return .float64(.nan)
            case "Infinity": return .float64(.infinity)
            case "-Infinity": return .float64(-.infinity)
            default: return Double(text).map(ColumnValue.float64)
            }
        case 1700:
            // numeric(p, s) text carries exactly its scale ("12.30"); sum(bigint) is a whole number.
            // Decoded like ClickHouse decimals, so both stores render the same JSON.
            return DecimalText.columnValue(text) ?? .string(text)
        case 1082: return RFC3339.parseDate(text).map(ColumnValue.date)
        case 1114, 1184: return parseTimestamp(text).map(ColumnValue.timestamp)
        default: return .string(text)
        }
    }

    /// `2026-03-01 10:15:00.123456+00` (ISO DateStyle) → milliseconds since the epoch.
    ///
    /// The same rewrite as `parseTimestampText(_:)` done on the bytes: that one's Foundation string
    /// replacement was 4 % of the query API's CPU per request on a one-row answer. Text that is not
    /// all ASCII takes the string path, so the two never disagree on index arithmetic.
    static func parseTimestamp(_ text: String) -> Int64? {
        var text = text
        let fast: Int64?? = text.withUTF8 { b -> Int64?? in
            guard b.count <= 64, !b.contains(where: { $0 >= 0x80 }) else { return .none }
            var value = [UInt8](unsafeUninitializedCapacity: b.count + 3) { buffer, count in
                for (i, byte) in b.enumerated() { buffer[i] = byte == UInt8(ascii: " ") ? UInt8(ascii: "T") : byte }
                count = b.count
            }
            // The last sign after the date part starts the offset.
            if let sign = value.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }), sign > 10 {
                // `split` omitting empty parts, as the string path counts them.
                let parts = value[(sign + 1)...].split(separator: UInt8(ascii: ":")).count
                if parts == 1 { value.append(contentsOf: ":00".utf8) }
                if parts == 3 { value.removeSubrange((sign + 6)...) }
            } else {
                value.append(UInt8(ascii: "Z"))
            }
            return .some(value.withUnsafeBufferPointer { RFC3339.parseMilliseconds(utf8: $0) })
        }
        if let fast { return fast }
        return parseTimestampText(text)
    }

    /// `parseTimestamp(_:)` on the string: space to `T`, the offset made `+HH:MM` (or `Z` when none).
    static func parseTimestampText(_ text: String) -> Int64? {
        var value = text.replacingOccurrences(of: " ", with: "T")
        // Offsets come as +HH, +HH:MM or +HH:MM:SS; RFC 3339 wants +HH:MM. timestamp (no zone) is UTC.
        // `limitedBy`: a text shorter than a date (`-infinity`) must not index past its end.
        if let sign = value.lastIndex(where: { $0 == "+" || $0 == "-" }),
           let dateEnd = value.index(value.startIndex, offsetBy: 10, limitedBy: value.endIndex), sign > dateEnd {
            let offset = value[value.index(after: sign)...]
            let parts = offset.split(separator: ":")
            if parts.count == 1 { value += ":00" }
            if parts.count == 3 { value = String(value[..<value.index(sign, offsetBy: 6)]) }
        } else {
            value += "Z"
        }
        return RFC3339.parseMilliseconds(value)
    }
}
