import Columnstore
import IngestTestKit
@testable import QueryAPI
import Testing

/// Over generated request messages, the JSON codec and the protobuf binary codec must bind the same
/// values or refuse with the same error: bytes (base64 in JSON, raw on the wire), enums (names or
/// numbers in JSON, numbers on the wire) and implicit-presence fields, whose explicit zero value is
/// the same as the field being absent (proto3's wire cannot tell them apart).
@Suite("Query request codecs: JSON and binary bind the same message identically")
struct RequestCodecEquivalenceTests {
    static let kinds: [String: Int32] = ["KIND_UNSPECIFIED": 0, "KIND_A": 1, "KIND_B": 2, "KIND_ALIAS_A": 1]
    static let kindNames: [Int32: String] = [0: "KIND_UNSPECIFIED", 1: "KIND_A", 2: "KIND_B"]

    static func field(_ name: String, _ number: Int, _ type: QueryFieldType, optional: Bool = false, _ encoding: QueryFieldEncoding = .plain,
                      hints: QueryParameterHints? = nil) -> QueryFieldSchema {
        var isEnum = false
        if case .enumeration = type { isEnum = true }
        return QueryFieldSchema(name: name, jsonName: ResponseEncoder.jsonName(name), number: number, type: type, isOptional: optional,
                                hints: hints, encoding: encoding, enumValues: isEnum ? kinds : [:], enumNames: isEnum ? kindNames : nil)
    }

    static let fields: [QueryFieldSchema] = [
        field("text", 1, .string),
        field("req_text", 2, .string, hints: QueryParameterHints(isRequired: true)),
        field("day", 3, .string, hints: QueryParameterHints(valueType: .date)),
        field("blob", 4, .bytes),
        field("opt_blob", 5, .bytes, optional: true),
        field("kind", 6, .enumeration("t.Kind")),
        field("opt_kind", 7, .enumeration("t.Kind"), optional: true),
        field("flag", 8, .bool),
        field("i32", 9, .int32),
        field("limit", 10, .uint32, hints: QueryParameterHints(defaultValue: 10, minimum: 1, maximum: 1000)),
        field("opt_limit", 11, .uint32, optional: true, hints: QueryParameterHints(defaultValue: 10, minimum: 1, maximum: 1000)),
        field("big", 12, .uint64),
        field("s64", 13, .int64, .zigzag),
        field("req_count", 14, .int64, .fixed, hints: QueryParameterHints(isRequired: true)),
        field("f32", 15, .uint32, .fixed),
        field("ratio", 16, .double),
        field("share", 17, .float),
    ]
    static let method = QueryMethodSchema(name: "M", sqlName: "m", requestMessage: "t.Req", requestFields: fields, responseMessage: "t.Res",
                                          response: .message, rowMessage: "t.Res", rowFields: [])

    /// A field's value in the message, before either encoding.
    enum Value {
        case text(String)
        case bytes([UInt8])
        case enumNumber(Int32)
        case bool(Bool)
        case int(Int64)
        case uint(UInt64)
        case double(Double)

        var isZero: Bool {
            switch self {
            case .text(let s): s.isEmpty
            case .bytes(let b): b.isEmpty
            case .enumNumber(let n): n == 0
            case .bool(let b): !b
            case .int(let v): v == 0
            case .uint(let v): v == 0
            case .double(let d): d.bitPattern == 0
            }
        }
    }

    /// Mostly valid values, zero often; one in twelve is one the decoders refuse (a bad date, bytes
    /// that are not UTF-8 or hold NUL, an unknown enum number, an integer past `max`).
    static func value(for field: QueryFieldSchema, _ rng: inout SplitMix64) -> Value {
        let bad = Int.random(in: 0..<12, using: &rng) == 0
        func pick<T>(_ good: [T], _ refused: [T] = []) -> T {
            (bad && !refused.isEmpty ? refused : good).randomElement(using: &rng)!
        }
        switch field.type {
        case .string where field.hints?.valueType == .date: return .text(pick(["", "2026-11-01"], ["2026-13-01"]))
        case .string: return .text(pick(["", "a", "o1' OR '1'='1", "日本", "0"]))
        case .bytes:
            let printable = (0..<Int.random(in: 0...6, using: &rng)).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) }
            return .bytes(pick([[], [], [0x61], Array("héllo".utf8), printable], [[0xFF, 0xFE], [0x00], [0xFB, 0xFF, 0xBF]]))
        case .enumeration: return .enumNumber(pick([0, 1, 2], [7, -1]))
        case .bool: return .bool(Bool.random(using: &rng))
        case .int32: return .int(pick([0, 1, -1, Int64(Int32.min), Int64(Int32.max)]))
        case .uint32 where field.hints?.maximum != nil: return .uint(pick([0, 1, 5, 1000], [2000, UInt64(UInt32.max)]))
        case .uint32: return .uint(pick([0, 1, UInt64(UInt32.max)]))
        case .int64: return .int(pick([0, 0, 1, -1, Int64.min, Int64.max]))
        case .uint64: return .uint(pick([0, 1, UInt64.max]))
        case .float: return .double(pick([0, -0.0, 0.25, -1.5, .infinity]))
        case .double: return .double(pick([0, -0.0, 1.5, .nan, -.infinity, 1e300]))
        case .timestamp, .message: fatalError("not generated")
        }
    }

    static func binary(_ value: Value, field: QueryFieldSchema, into writer: inout ProtoWireWriter) {
        let number = field.number
        switch value {
        case .text(let s): writer.writeLengthDelimited(number, s.utf8)
        case .bytes(let b): writer.writeLengthDelimited(number, b)
        case .enumNumber(let n):
            writer.writeTag(number, .varint)
            writer.writeVarint(UInt64(bitPattern: Int64(n)))
        case .bool(let b):
            writer.writeTag(number, .varint)
            writer.writeVarint(b ? 1 : 0)
        case .int(let v):
            switch field.encoding {
            case .zigzag:
                writer.writeTag(number, .varint)
                writer.writeVarint(ProtoWireWriter.zigzag(v))
            case .fixed:
                writer.writeTag(number, .fixed64)
                writer.writeFixed64(UInt64(bitPattern: v))
            case .plain:
                writer.writeTag(number, .varint)
                writer.writeVarint(UInt64(bitPattern: v))
            }
        case .uint(let v):
            if field.encoding == .fixed {
                writer.writeTag(number, .fixed32)
                writer.writeFixed32(UInt32(v))
            } else {
                writer.writeTag(number, .varint)
                writer.writeVarint(v)
            }
        case .double(let d):
            if field.type == .float {
                writer.writeTag(number, .fixed32)
                writer.writeFixed32(Float(d).bitPattern)
            } else {
                writer.writeTag(number, .fixed64)
                writer.writeFixed64(d.bitPattern)
            }
        }
    }

    static func json(_ value: Value, field: QueryFieldSchema, _ rng: inout SplitMix64) -> JSONValue {
        let asString = Bool.random(using: &rng)
        switch value {
        case .text(let s): return .string(s)
        case .bytes(let b):
            // Standard with padding, or URL-safe without: both are ProtoJSON.
            let standard = Base64.encode(b)
            if asString { return .string(standard) }
            return .string(String(standard.filter { $0 != "=" }.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }))
        case .enumNumber(let n):
            if let name = Self.kindNames[n], Bool.random(using: &rng) {
                return .string(n == 1 && asString ? "KIND_ALIAS_A" : name)
            }
            return asString ? .string(String(n)) : .number(String(n))
        case .bool(let b): return asString ? .string(String(b)) : .bool(b)
        case .int(let v): return asString ? .string(String(v)) : .number(String(v))
        case .uint(let v): return asString ? .string(String(v)) : .number(String(v))
        case .double(let d):
            if d.isNaN { return .string("NaN") }
            if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
            let text = String(field.type == .float ? Double(Float(d)) : d)
            return asString ? .string(text) : .number(text)
        }
    }

    /// Bindings, or the error, as comparable text (NaN equals NaN; -0.0 differs from 0.0).
    static func outcome(_ decode: () throws(ConnectError) -> [String: ColumnValue]) -> String {
        do {
            return try decode().sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        } catch {
            return "\(error.code.name): \(error.message)"
        }
    }

    @Test("JSON and binary agree over 5,000 generated messages; an explicit zero equals absence")
    func generated() {
        var rng = SplitMix64(seed: 20_261_206)
        var bound = 0, refused = 0
        for _ in 0..<5_000 {
            var writer = ProtoWireWriter()
            var explicit: [(key: String, value: JSONValue)] = []
            var omitted: [(key: String, value: JSONValue)] = []
            for field in Self.fields {
                // Optional fields are absent or set; the rest are usually set (often to zero).
                if Int.random(in: 0..<(field.isOptional ? 2 : 6), using: &rng) == 0 {
                    if Bool.random(using: &rng) { explicit.append((field.name, .null)) }
                    continue
                }
                let value = Self.value(for: field, &rng)
                let key = Bool.random(using: &rng) ? field.name : field.jsonName
                let encoded = Self.json(value, field: field, &rng)
                explicit.append((key, encoded))
                // A proto3 encoder omits an implicit field's zero; a decoder must also take it written out.
                let implicitZero = !field.isOptional && value.isZero
                if !implicitZero { omitted.append((key, encoded)) }
                if !implicitZero || Bool.random(using: &rng) { Self.binary(value, field: field, into: &writer) }
            }
            let bytes = writer.bytes
            let fromBinary = Self.outcome { () throws(ConnectError) in try ProtoRequestDecoder.decode(bytes, method: Self.method) }
            let fromJSON = Self.outcome { () throws(ConnectError) in
                try RequestDecoder.decode(body: Array(JSONWriter.write(.object(explicit)).utf8), method: Self.method)
            }
            let withoutZeros = Self.outcome { () throws(ConnectError) in try RequestDecoder.decode(json: .object(omitted), method: Self.method) }
            #expect(fromJSON == fromBinary, "\(JSONWriter.write(.object(explicit)))")
            #expect(fromJSON == withoutZeros, "\(JSONWriter.write(.object(explicit)))")
            if fromJSON.hasPrefix("invalid_argument") { refused += 1 } else { bound += 1 }
        }
        // The generator reaches both outcomes.
        #expect(bound > 500 && refused > 500, "bound \(bound), refused \(refused)")
    }
}
