import Foundation
import LibPQ
import Columnstore

extension PostgresQueryExecutor {
    /// Converts text-format rows to typed values by column type OID.
    static func decode(_ rows: PostgresRows, maxRows: Int) throws -> QueryResult {
        guard rows.count <= maxRows else {
            throw QueryError(code: .resourceExhausted, message: "the result has more rows than the server allows")
        }
        var result: [[String: ColumnValue]] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            var decoded: [String: ColumnValue] = [:]
            for (index, column) in rows.columns.enumerated() {
                guard let text = row[index] else { decoded[column] = .null; continue }
                guard let value = cellValue(text, typeOID: rows.columnTypes[index]) else {
                    throw QueryError(code: .internal, message: "the store returned an unexpected result",
                                     detail: "cannot read column '\(column)' (type oid \(rows.columnTypes[index]))")
                }
                decoded[column] = value
            }
            result.append(decoded)
        }
        return QueryResult(columns: rows.columns, rows: result)
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
    static func parseTimestamp(_ text: String) -> Int64? {
        var value = text.replacingOccurrences(of: " ", with: "T")
        // Offsets come as +HH, +HH:MM or +HH:MM:SS; RFC 3339 wants +HH:MM. timestamp (no zone) is UTC.
        if let sign = value.lastIndex(where: { $0 == "+" || $0 == "-" }), sign > value.index(value.startIndex, offsetBy: 10) {
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
