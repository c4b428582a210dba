import Columnstore

/// Maps result rows to the RPC's response message in the proto3 JSON mapping: columns match row
/// fields by proto name, keys are lowerCamelCase JSON names, int64/uint64 are strings, timestamps
/// RFC 3339, `day`-like date columns `YYYY-MM-DD`. Fields with zero values are emitted (dashboards
/// read them without defaults); NULL columns are omitted.
enum ResponseEncoder {
    static func encode(_ result: QueryResult, method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        switch method.response {
        case .rows(let field):
            var rows: [JSONValue] = []
            rows.reserveCapacity(result.rows.count)
            for row in result.rows { rows.append(try encodeRow(row, method: method)) }
            return .object([(jsonName(field), .array(rows))])
        case .single(let field):
            guard let row = result.rows.first else { throw notFound(method) }
            return .object([(jsonName(field), try encodeRow(row, method: method))])
        case .message:
            guard let row = result.rows.first else { throw notFound(method) }
            return try encodeRow(row, method: method)
        }
    }

    static func notFound(_ method: QueryMethodSchema) -> ConnectError {
        let short = method.rowMessage.split(separator: ".").last.map(String.init) ?? method.rowMessage
        return ConnectError(.notFound, "\(short) not found")
    }

    static func encodeRow(_ row: [String: ColumnValue], method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        for field in method.rowFields {
            guard let value = row[field.name] ?? row[field.jsonName], value != .null else { continue }
            guard let json = json(value, for: field.type) else {
                throw ConnectError(.internal, "the query result does not fit the response",
                                   detail: "\(method.name): column '\(field.name)' holds \(value), not \(field.type)")
            }
            members.append((field.jsonName, json))
        }
        return .object(members)
    }

    /// A column value in the JSON form of a proto field type, or nil when it does not fit.
    static func json(_ value: ColumnValue, for type: QueryFieldType) -> JSONValue? {
        switch type {
        case .string:
            switch value {
            case .string(let s): return .string(s)
            case .date(let days): return .string(RFC3339.formatDate(days: days))
            case .timestamp(let ms): return .string(RFC3339.format(milliseconds: ms))
            case .int64(let v): return .string(String(v))
            case .uint64(let v): return .string(String(v))
            default: return nil
            }
        case .int64, .uint64, .int32, .uint32:
            let text: String
            switch fittedInteger(value, for: type) {
            case .negative(let n)?: text = String(n)
            case .nonNegative(let p)?: text = String(p)
            case nil: return nil
            }
            // 64-bit integers are strings in proto3 JSON (JavaScript numbers lose precision).
            return type == .int64 || type == .uint64 ? .string(text) : .number(text)
        case .bool:
            if case .bool(let b) = value { return .bool(b) }
            return nil
        case .float, .double:
            let d: Double
            switch value {
            case .float64(let v): d = v
            case .int64(let v): d = Double(v)
            case .uint64(let v): d = Double(v)
            default: return nil
            }
            if d.isNaN { return .string("NaN") }
            if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
            return .number(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d))
        case .timestamp:
            switch value {
            case .timestamp(let ms): return .string(RFC3339.format(milliseconds: ms))
            case .date(let days): return .string(RFC3339.format(milliseconds: Int64(days) * 86_400_000))
            default: return nil
            }
        case .bytes, .enumeration:
            if case .string(let s) = value { return .string(s) }
            return nil
        case .message:
            return nil
        }
    }

    /// An integer column value that fits an integer field type (shared by both codecs).
    enum FittedInteger: Equatable {
        case negative(Int64)
        case nonNegative(UInt64)
    }

    static func fittedInteger(_ value: ColumnValue, for type: QueryFieldType) -> FittedInteger? {
        let integer: FittedInteger
        switch value {
        case .int64(let v): integer = v < 0 ? .negative(v) : .nonNegative(UInt64(v))
        case .uint64(let v): integer = .nonNegative(v)
        case .float64(let d) where d == d.rounded() && abs(d) < 9_007_199_254_740_992:
            integer = d < 0 ? .negative(Int64(d)) : .nonNegative(UInt64(d))
        case .string(let s):
            if let v = Int64(s), v < 0 { integer = .negative(v) } else if let v = UInt64(s) { integer = .nonNegative(v) } else { return nil }
        case .bool(let b): integer = .nonNegative(b ? 1 : 0)
        default: return nil
        }
        switch (integer, type) {
        case (.negative, .int64), (.nonNegative, .uint64): return integer
        case (.negative(let n), .int32): return n >= Int64(Int32.min) ? integer : nil
        case (.nonNegative(let p), .int64): return p <= UInt64(Int64.max) ? integer : nil
        case (.nonNegative(let p), .int32): return p <= UInt64(Int32.max) ? integer : nil
        case (.nonNegative(let p), .uint32): return p <= UInt64(UInt32.max) ? integer : nil
        default: return nil
        }
    }

    /// proto's default JSON name: `daily_rows` → `dailyRows`.
    static func jsonName(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for c in name {
            if c == "_" { upperNext = true; continue }
            result += upperNext ? c.uppercased() : String(c)
            upperNext = false
        }
        return result
    }
}
