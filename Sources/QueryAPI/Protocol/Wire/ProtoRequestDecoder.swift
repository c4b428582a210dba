import Columnstore

/// Decodes a request message in the protobuf binary format (the `proto` codec), driven by the
/// RPC's request fields from the descriptor set. The fields become their proto3 JSON values and
/// go through `RequestDecoder`, so both codecs share every check (required, ranges, dates, limits).
///
/// Binary rules: the last occurrence of a field wins; unknown field numbers are skipped (what
/// protobuf parsers do: older servers accept newer clients); a known field with the wrong wire
/// type, a truncated message or invalid UTF-8 is `invalid_argument`. Bytes become base64 and enum
/// numbers names, as in JSON.
enum ProtoRequestDecoder {
    static func decode(_ bytes: [UInt8], method: QueryMethodSchema) throws(ConnectError) -> [String: ColumnValue] {
        try RequestDecoder.decode(json: try json(bytes, method: method), method: method)
    }

    /// The message as the JSON object it is equivalent to (proto field names as keys).
    static func json(_ bytes: [UInt8], method: QueryMethodSchema) throws(ConnectError) -> JSONValue {
        var byNumber: [Int: QueryFieldSchema] = [:]
        for field in method.requestFields { byNumber[field.number] = field }
        var values: [Int: JSONValue] = [:]
        var reader = ProtoWireReader(bytes)
        do {
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                guard let field = byNumber[number] else {
                    try reader.skip(wireType, number: number)
                    continue
                }
                values[number] = try value(of: field, wireType: wireType, reader: &reader)
            }
        } catch let malformed as ProtoWireReader.Malformed {
            throw ConnectError(.invalidArgument, "request body: malformed protobuf: \(malformed.reason)")
        } catch let error as ConnectError {
            throw error
        } catch {
            throw ConnectError(.invalidArgument, "request body: malformed protobuf")
        }
        var members: [(key: String, value: JSONValue)] = []
        for field in method.requestFields {
            if let value = values[field.number] { members.append((field.name, value)) }
        }
        return .object(members)
    }

    private static func expect(_ wireType: ProtoWireType, _ actual: ProtoWireType, _ field: QueryFieldSchema) throws(ConnectError) {
        guard wireType == actual else {
            throw ConnectError.invalid(field.name, "wrong wire type \(actual.rawValue) (expected \(wireType.rawValue))")
        }
    }

    private static func value(of field: QueryFieldSchema, wireType: ProtoWireType, reader: inout ProtoWireReader) throws -> JSONValue {
        switch field.type {
        case .bytes:
            // The JSON form of bytes: `RequestDecoder` decodes it and checks the bytes as for JSON.
            try expect(.lengthDelimited, wireType, field)
            return .string(Base64.encode(try reader.readLengthDelimited()))
        case .string:
            try expect(.lengthDelimited, wireType, field)
            let payload = try reader.readLengthDelimited()
            // Decoding replaces invalid sequences, so a lossless round trip means valid UTF-8.
            let text = String(decoding: payload, as: UTF8.self)
            guard text.utf8.elementsEqual(payload) else {
                throw ConnectError.invalid(field.name, "is not valid UTF-8")
            }
            return .string(text)
        case .bool:
            try expect(.varint, wireType, field)
            return .bool(try reader.readVarint() != 0)
        case .enumeration:
            try expect(.varint, wireType, field)
            let number = Int32(truncatingIfNeeded: try reader.readVarint())
            // An unknown number goes on as a number: `RequestDecoder` refuses it in field order, as for JSON.
            return field.enumNames[number].map(JSONValue.string) ?? .number(String(number))
        case .int32, .int64, .uint32, .uint64:
            return .string(try integer(field, wireType: wireType, reader: &reader))
        case .float:
            try expect(.fixed32, wireType, field)
            return number(Double(Float(bitPattern: try reader.readFixed32())))
        case .double:
            try expect(.fixed64, wireType, field)
            return number(Double(bitPattern: try reader.readFixed64()))
        case .timestamp:
            try expect(.lengthDelimited, wireType, field)
            var nested = try reader.readMessage()
            // Range checks before any arithmetic: `abs(Int64.min)` traps (a 13-byte body stopped the process),
            // and nanos past Int32 must not wrap into a valid-looking value.
            var seconds: Int64 = 0, nanos: UInt64 = 0
            while !nested.isAtEnd {
                let (number, type) = try nested.readTag()
                switch (number, type) {
                case (1, .varint): seconds = Int64(bitPattern: try nested.readVarint())
                case (2, .varint): nanos = try nested.readVarint()
                default: try nested.skip(type, number: number)
                }
            }
            guard nanos <= 999_999_999, (-1_000_000_000_000 ..< 1_000_000_000_000).contains(seconds) else {
                throw ConnectError.invalid(field.name, "invalid google.protobuf.Timestamp")
            }
            // Milliseconds, as in the JSON form (digits past milliseconds are truncated).
            return .string(RFC3339.format(milliseconds: seconds * 1000 + Int64(nanos / 1_000_000)))
        case .message:
            throw ConnectError.invalid(field.name, "message fields are not supported")
        }
    }

    /// An integer field's value as decimal text (the JSON form `RequestDecoder` range-checks).
    private static func integer(_ field: QueryFieldSchema, wireType: ProtoWireType, reader: inout ProtoWireReader) throws -> String {
        let is64 = field.type == .int64 || field.type == .uint64
        let signed = field.type == .int32 || field.type == .int64
        switch field.encoding {
        case .fixed:
            if is64 {
                try expect(.fixed64, wireType, field)
                let raw = try reader.readFixed64()
                return signed ? String(Int64(bitPattern: raw)) : String(raw)
            }
            try expect(.fixed32, wireType, field)
            let raw = try reader.readFixed32()
            return signed ? String(Int32(bitPattern: raw)) : String(raw)
        case .zigzag:
            try expect(.varint, wireType, field)
            let value = ProtoWireWriter.unzigzag(try reader.readVarint())
            return is64 ? String(value) : String(Int32(truncatingIfNeeded: value))
        case .plain:
            try expect(.varint, wireType, field)
            let raw = try reader.readVarint()
            switch field.type {
            case .int32: return String(Int32(truncatingIfNeeded: raw))
            case .uint32: return String(UInt32(truncatingIfNeeded: raw))
            case .int64: return String(Int64(bitPattern: raw))
            default: return String(raw)
            }
        }
    }

    private static func number(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
        return .number(String(d))
    }
}
