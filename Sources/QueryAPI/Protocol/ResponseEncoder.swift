import Columnstore

/// Maps result rows to the RPC's response message in the proto3 JSON mapping: columns match row
/// fields by proto name, keys are the fields' JSON names, int64/uint64 are strings, bytes base64,
/// enums names of the enum, timestamps RFC 3339, `day`-like date columns `YYYY-MM-DD`. Fields with
/// zero values are emitted (dashboards read them without defaults); NULL columns are omitted.
enum ResponseEncoder {
    static func encode(_ result: QueryResult, method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        let fields = columns(of: result, for: method)
        switch method.response {
        case .rows:
            var rows: [JSONValue] = []
            rows.reserveCapacity(result.values.count)
            for row in result.values { rows.append(try encodeRow(row, fields: fields, method: method)) }
            return .object([(method.responseFieldJSONName, .array(rows))])
        case .single:
            guard let row = result.values.first else { throw notFound(method) }
            return .object([(method.responseFieldJSONName, try encodeRow(row, fields: fields, method: method))])
        case .message:
            guard let row = result.values.first else { throw notFound(method) }
            return try encodeRow(row, fields: fields, method: method)
        }
    }

    /// The response message as compact JSON appended to `out`: byte for byte
    /// `JSONWriter.write(encode(result, method:))`, without building the message's tree first.
    static func write(_ result: QueryResult, method: QueryMethodSchema, into out: inout [UInt8]) throws(ConnectError) {
        let plan = WritePlan(columns(of: result, for: method))
        switch method.response {
        case .rows:
            out.append(UInt8(ascii: "{"))
            JSONWriter.writeString(method.responseFieldJSONName, into: &out)
            out.append(contentsOf: ":[".utf8)
            for (index, row) in result.values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try writeRow(row, plan: plan, method: method, into: &out)
            }
            out.append(contentsOf: "]}".utf8)
        case .single:
            guard let row = result.values.first else { throw notFound(method) }
            out.append(UInt8(ascii: "{"))
            JSONWriter.writeString(method.responseFieldJSONName, into: &out)
            out.append(UInt8(ascii: ":"))
            try writeRow(row, plan: plan, method: method, into: &out)
            out.append(UInt8(ascii: "}"))
        case .message:
            guard let row = result.values.first else { throw notFound(method) }
            try writeRow(row, plan: plan, method: method, into: &out)
        }
    }

    /// The fields an answer writes, resolved once: each one's `"jsonName":` bytes, type and column.
    private struct WritePlan {
        struct Field {
            let key: [UInt8]
            let type: QueryFieldType
            /// An enum field's values, which its column's names must be among; nil for other types.
            let enumValues: [String: Int32]?
            let column: Int
            let index: Int
        }
        let fields: [Field]
        let all: [(field: QueryFieldSchema, column: Int?)]

        init(_ all: [(field: QueryFieldSchema, column: Int?)]) {
            self.all = all
            var fields: [Field] = []
            for (index, entry) in all.enumerated() {
                guard let column = entry.column else { continue }
                var key: [UInt8] = []
                JSONWriter.writeString(entry.field.jsonName, into: &key)
                key.append(UInt8(ascii: ":"))
                var enumValues: [String: Int32]?
                if case .enumeration = entry.field.type { enumValues = entry.field.enumValues }
                fields.append(Field(key: key, type: entry.field.type, enumValues: enumValues, column: column, index: index))
            }
            self.fields = fields
        }
    }

    static func notFound(_ method: QueryMethodSchema) -> ConnectError {
        let short = method.rowMessage.split(separator: ".").last.map(String.init) ?? method.rowMessage
        return ConnectError(.notFound, "\(short) not found")
    }

    /// Each row field with the position of the column it reads (by proto name, else JSON name), or
    /// nil when the result has no such column. Resolved once per answer, not per row (shared by both codecs).
    static func columns(of result: QueryResult, for method: QueryMethodSchema) -> [(field: QueryFieldSchema, column: Int?)] {
        method.rowFields.map { ($0, result.columnIndex($0.name, or: $0.jsonName)) }
    }

    static func encodeRow(_ row: [ColumnValue], fields: [(field: QueryFieldSchema, column: Int?)], method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        for (field, column) in fields {
            guard let column, column < row.count, case let value = row[column], value != .null else { continue }
            members.append((field.jsonName, try json(value, field: field, method: method)))
        }
        return .object(members)
    }

    private static func writeRow(_ row: [ColumnValue], plan: WritePlan, method: QueryMethodSchema, into out: inout [UInt8]) throws(ConnectError) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for field in plan.fields {
            guard field.column < row.count else { continue }
            let value = row[field.column]
            if value == .null { continue }
            let mark = out.count
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: field.key)
            let isKnown = field.enumValues.map { isEnumName(value, of: $0) } ?? true
            guard isKnown, writeValue(value, for: field.type, into: &out) else {
                out.removeSubrange(mark...)
                throw misfit(value, field: plan.all[field.index].field, method: method)
            }
            first = false
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends `JSONWriter.write(json(value, for: type))` without building the `JSONValue`: integers'
    /// digits and strings go straight into `out`. False when the value does not fit the type.
    static func writeValue(_ value: ColumnValue, for type: QueryFieldType, into out: inout [UInt8]) -> Bool {
        switch type {
        case .int64, .uint64, .int32, .uint32:
            guard let fitted = fittedInteger(value, for: type) else { return false }
            // 64-bit integers are strings in proto3 JSON, as in `json(_:for:)`.
            let quoted = type == .int64 || type == .uint64
            if quoted { out.append(UInt8(ascii: "\"")) }
            switch fitted {
            case .negative(let n):
                out.append(UInt8(ascii: "-"))
                appendDigits(n.magnitude, into: &out)
            case .nonNegative(let p):
                appendDigits(p, into: &out)
            }
            if quoted { out.append(UInt8(ascii: "\"")) }
            return true
        case .bool:
            guard case .bool(let b) = value else { return false }
            out.append(contentsOf: (b ? "true" : "false").utf8)
            return true
        case .string:
            switch value {
            case .string(let s):
                JSONWriter.writeString(s, into: &out)
                return true
            case .int64(let v) where v < 0:
                out.append(contentsOf: "\"-".utf8)
                appendDigits(v.magnitude, into: &out)
                out.append(UInt8(ascii: "\""))
                return true
            case .int64(let v):
                out.append(UInt8(ascii: "\""))
                appendDigits(UInt64(v), into: &out)
                out.append(UInt8(ascii: "\""))
                return true
            case .uint64(let v):
                out.append(UInt8(ascii: "\""))
                appendDigits(v, into: &out)
                out.append(UInt8(ascii: "\""))
                return true
            default:
                break
            }
        default:
            break
        }
        guard let json = json(value, for: type) else { return false }
        JSONWriter.write(json, into: &out)
        return true
    }

    /// Decimal digits of `value`, as `String(value)` spells them.
    private static func appendDigits(_ value: UInt64, into out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var v = value, i = 20
            while v > 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i...]))
        }
    }

    private static func json(_ value: ColumnValue, field: QueryFieldSchema, method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        guard let json = json(value, for: field) else { throw misfit(value, field: field, method: method) }
        return json
    }

    /// `json(_:for:)` of the field's type; an enum name must be one of the field's enum, as the
    /// binary codec requires (it writes the name's number).
    static func json(_ value: ColumnValue, for field: QueryFieldSchema) -> JSONValue? {
        if case .enumeration = field.type, !isEnumName(value, of: field.enumValues) { return nil }
        return json(value, for: field.type)
    }

    static func isEnumName(_ value: ColumnValue, of values: [String: Int32]) -> Bool {
        guard case .string(let name) = value else { return false }
        return values[name] != nil
    }

    /// A column value that does not fit its response field: the server's mistake, `internal`.
    static func misfit(_ value: ColumnValue, field: QueryFieldSchema, method: QueryMethodSchema) -> ConnectError {
        ConnectError(.internal, "the query result does not fit the response",
                     detail: "\(method.name): column '\(field.name)' holds \(value), not \(field.type)")
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
        case .bytes:
            if case .string(let s) = value { return .string(Base64.encode(s.utf8)) }
            return nil
        case .enumeration:
            // The name is checked against the enum by `json(_:for field:)`, which knows its values.
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
