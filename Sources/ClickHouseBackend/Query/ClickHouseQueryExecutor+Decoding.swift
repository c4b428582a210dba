import ClickHouseHTTP
import Foundation
import Columnstore

extension ClickHouseQueryExecutor {
    /// Decodes a `FORMAT JSONCompact` body (`meta` names and types, `data` rows) into typed rows.
    /// `serverTimeZone` (`X-ClickHouse-Timezone`) is the zone of date-time columns without one.
    static func decode(_ body: [UInt8], maxRows: Int, serverTimeZone: String? = nil) throws -> QueryResult {
        func bad(_ reason: String) -> QueryError {
            QueryError(code: .internal, message: "the store returned an unexpected result", detail: reason)
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw bad("JSONCompact body: \(error)")
        }
        // A query that failed after its 200 went out, on a server writing exceptions into the
        // output format: the document's own `exception` member, never a row's text.
        if case .string(let exception)? = document["exception"] {
            throw queryError(ClickHouseError.serverException(text: exception))
        }
        guard case .array(let meta)? = document["meta"], case .array(let data)? = document["data"] else {
            throw bad("JSONCompact body without meta/data")
        }
        var columns: [(name: String, type: String, base: String, zone: TimeZone?)] = []
        for column in meta {
            guard case .string(let name)? = column["name"], case .string(let type)? = column["type"] else {
                throw bad("meta entry without name/type")
            }
            let base = ClickHouseTypeName.base(type)
            columns.append((name, type, base, ClickHouseTypeName.timeZone(ofBase: base, server: serverTimeZone)))
        }
        guard data.count <= maxRows else {
            throw QueryError(code: .resourceExhausted, message: "the result has more rows than the server allows")
        }
        var rows: [[ColumnValue]] = []
        rows.reserveCapacity(data.count)
        for entry in data {
            guard case .array(let cells) = entry, cells.count == columns.count else { throw bad("row width differs from meta") }
            var row: [ColumnValue] = []
            row.reserveCapacity(columns.count)
            for (column, cell) in zip(columns, cells) {
                guard let value = cellValue(cell, base: column.base, zone: column.zone) else {
                    throw bad("cannot read column '\(column.name)' of type \(column.type)")
                }
                row.append(value)
            }
            rows.append(row)
        }
        return QueryResult(columns: columns.map(\.name), values: rows)
    }

    /// One JSONCompact cell as a typed value, per its ClickHouse type (wrappers unwrapped).
    ///
    /// Renders like the Postgres executor for the same value: integers as int64/uint64, floats as
    /// the double they print (shortest round trip), decimals per `DecimalText`, `Date`/`Date32` as
    /// days, `DateTime`/`DateTime64` as UTC milliseconds (printed in the column's zone, `zone`;
    /// nil is UTC, which projection tables use).
    static func cellValue(_ cell: JSONValue, type raw: String, zone: TimeZone? = nil) -> ColumnValue? {
        cellValue(cell, base: ClickHouseTypeName.base(raw), zone: zone)
    }

    /// `cellValue(_:type:zone:)` for a type already unwrapped (`ClickHouseTypeName.base`), once per column.
    static func cellValue(_ cell: JSONValue, base type: String, zone: TimeZone? = nil) -> ColumnValue? {
        if case .null = cell { return .null }
        let text: String
        switch cell {
        case .string(let s): text = s
        case .number(let n): text = n
        case .bool(let b): return type == "Bool" ? .bool(b) : nil
        default: return nil
        }
        switch type {
        case "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32":
            return Int64(text).map(ColumnValue.int64)
        case "UInt64":
            return UInt64(text).map(ColumnValue.uint64)
        case "Float32", "Float64":
            switch text {
            case "nan", "-nan", "NaN": return .float64(.nan)
            case "inf", "+inf", "Infinity": return .float64(.infinity)
            case "-inf", "-Infinity": return .float64(-.infinity)
            default: return Double(text).map(ColumnValue.float64)
            }
        case "Bool":
            return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case "Date", "Date32":
            return RFC3339.parseDate(text).map(ColumnValue.date)
        default:
            if type == "DateTime" || type.hasPrefix("DateTime(") || type.hasPrefix("DateTime64(") {
                // ISO 8601 with its offset when a profile sets date_time_output_format=iso;
                // by default `2026-03-01 10:15:00[.fff]` in the column's zone.
                if text.hasSuffix("Z") || text.hasSuffix("z"), let millis = RFC3339.parseMilliseconds(text) {
                    return .timestamp(millis)
                }
                // The parser takes a space where `T` separates date and time, the only place either may stand.
                guard let local = RFC3339.parseMilliseconds(text + "Z") else {
                    return nil
                }
                return .timestamp(zone.map { ClickHouseTypeName.utcMilliseconds(local: local, in: $0) } ?? local)
            }
            if let scale = ClickHouseTypeName.decimalScale(type) {
                return DecimalText.columnValue(text, scale: scale)
            }
            if type.hasPrefix("Int") || type.hasPrefix("UInt") {
                // Int128/Int256 and their unsigned kin: exact as text when beyond 64 bits.
                return DecimalText.columnValue(text)
            }
            return .string(text)
        }
    }
}
