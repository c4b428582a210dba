import Columnstore

/// Maps result rows to the RPC's response message in the protobuf binary format (the `proto`
/// codec). Same rules as `ResponseEncoder` (the JSON form): columns match row fields by proto
/// name, zero values are emitted, NULL columns are omitted, a value that does not fit its field is
/// `internal`; a date column in a string field is `YYYY-MM-DD`, a timestamp RFC 3339.
enum ProtoResponseEncoder {
    static func encode(_ result: QueryResult, method: QueryMethodSchema) throws(ConnectError) -> [UInt8] {
        let fields = ResponseEncoder.columns(of: result, for: method)
        switch method.response {
        case .rows:
            var writer = ProtoWireWriter(capacity: result.values.count * 48)
            var row = ProtoWireWriter(capacity: 128)
            for values in result.values {
                row.bytes.removeAll(keepingCapacity: true)
                try encodeRow(values, fields: fields, method: method, into: &row)
                writer.writeLengthDelimited(method.responseFieldNumber, row.bytes)
            }
            return writer.bytes
        case .single:
            guard let values = result.values.first else { throw ResponseEncoder.notFound(method) }
            var row = ProtoWireWriter(capacity: 128)
            try encodeRow(values, fields: fields, method: method, into: &row)
            var writer = ProtoWireWriter(capacity: row.bytes.count + 8)
            writer.writeLengthDelimited(method.responseFieldNumber, row.bytes)
            return writer.bytes
        case .message:
            guard let values = result.values.first else { throw ResponseEncoder.notFound(method) }
            var row = ProtoWireWriter(capacity: 128)
            try encodeRow(values, fields: fields, method: method, into: &row)
            return row.bytes
        }
    }

    static func encodeRow(
        _ row: [ColumnValue], fields: [(field: QueryFieldSchema, column: Int?)], method: QueryMethodSchema, into writer: inout ProtoWireWriter
    ) throws(ConnectError) {
        // By position: a `for (field, column) in` loop copied each field's schema (strings, enum table) per row.
        for index in fields.indices {
            guard let column = fields[index].column, column < row.count, case let value = row[column], value != .null else { continue }
            guard write(value, field: fields[index].field, into: &writer) else {
                throw ResponseEncoder.misfit(value, field: fields[index].field, method: method)
            }
        }
    }

    /// Appends one field; false when the value does not fit the field's type.
    static func write(_ value: ColumnValue, field: QueryFieldSchema, into writer: inout ProtoWireWriter) -> Bool {
        let number = field.number
        switch field.type {
        case .string:
            let text: String
            switch value {
            case .string(let s): text = s
            case .date(let days): text = RFC3339.formatDate(days: days)
            case .timestamp(let ms): text = RFC3339.format(milliseconds: ms)
            case .int64(let v): text = String(v)
            case .uint64(let v): text = String(v)
            default: return false
            }
            writer.writeLengthDelimited(number, text.utf8)
        case .bytes:
            guard case .string(let s) = value else { return false }
            writer.writeLengthDelimited(number, s.utf8)
        case .enumeration:
            guard case .string(let name) = value, let enumNumber = field.enumValues[name] else { return false }
            writer.writeTag(number, .varint)
            writer.writeVarint(UInt64(bitPattern: Int64(enumNumber)))
        case .bool:
            guard case .bool(let b) = value else { return false }
            writer.writeTag(number, .varint)
            writer.writeVarint(b ? 1 : 0)
        case .int32, .int64, .uint32, .uint64:
            guard let fitted = ResponseEncoder.fittedInteger(value, for: field.type) else { return false }
            let signed: Int64
            let bits: UInt64
            switch fitted {
            case .negative(let n): signed = n; bits = UInt64(bitPattern: n)
            case .nonNegative(let p): signed = Int64(truncatingIfNeeded: p); bits = p
            }
            let is64 = field.type == .int64 || field.type == .uint64
            switch field.encoding {
            case .plain:
                writer.writeTag(number, .varint)
                writer.writeVarint(bits)  // negative int32 are sign-extended to ten bytes, as the spec says
            case .zigzag:
                writer.writeTag(number, .varint)
                writer.writeVarint(ProtoWireWriter.zigzag(signed))
            case .fixed where is64:
                writer.writeTag(number, .fixed64)
                writer.writeFixed64(bits)
            case .fixed:
                writer.writeTag(number, .fixed32)
                writer.writeFixed32(UInt32(truncatingIfNeeded: bits))
            }
        case .float, .double:
            var d: Double
            switch value {
            case .float64(let v): d = v
            case .int64(let v): d = Double(v)
            case .uint64(let v): d = Double(v)
            default: return false
            }
            if d == 0 { d = 0 }  // -0 answers as 0, as in JSON
            if field.type == .float {
                writer.writeTag(number, .fixed32)
                writer.writeFixed32(Float(d).bitPattern)
            } else {
                writer.writeTag(number, .fixed64)
                writer.writeFixed64(d.bitPattern)
            }
        case .timestamp:
            let ms: Int64
            switch value {
            case .timestamp(let v): ms = v
            case .date(let days): ms = Int64(days) * 86_400_000
            default: return false
            }
            // google.protobuf.Timestamp: seconds floor'd, nanos in 0..<1e9.
            let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            let nanos = Int32((ms - seconds * 1000) * 1_000_000)
            var nested = ProtoWireWriter(capacity: 16)
            if seconds != 0 {
                nested.writeTag(1, .varint)
                nested.writeVarint(UInt64(bitPattern: seconds))
            }
            if nanos != 0 {
                nested.writeTag(2, .varint)
                nested.writeVarint(UInt64(nanos))
            }
            writer.writeLengthDelimited(number, nested.bytes)
        case .message:
            return false
        }
        return true
    }
}
