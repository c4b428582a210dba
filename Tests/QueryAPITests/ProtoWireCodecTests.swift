import Columnstore
import Foundation
@testable import QueryAPI
import SwiftProtobuf
import Testing

/// The descriptor-driven protobuf codec of the query API, checked against SwiftProtobuf's own
/// encoder (the reference) where a generated message has the same shape, and by hand-made bytes
/// for the encodings no such message uses (ZigZag, fixed).
@Suite("Query protobuf wire codec")
struct ProtoWireCodecTests {
    static let service = ProjectionSchema.ordersAnalytics.queryService!

    static func field(_ name: String, _ number: Int, _ type: QueryFieldType, _ encoding: QueryFieldEncoding = .plain,
                      enumValues: [String: Int32] = [:]) -> QueryFieldSchema {
        QueryFieldSchema(name: name, jsonName: ResponseEncoder.jsonName(name), number: number, type: type,
                         encoding: encoding, enumValues: enumValues)
    }

    /// A method whose request (and row) message has `fields`.
    static func method(_ fields: [QueryFieldSchema], response: QueryResponseShape = .message) -> QueryMethodSchema {
        QueryMethodSchema(name: "M", sqlName: "m", requestMessage: "t.Req", requestFields: fields, responseMessage: "t.Res",
                          response: response, rowMessage: "t.Row", rowFields: fields)
    }

    @Test("varints, ZigZag and fixed widths round-trip at their edges")
    func primitives() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max] {
            var writer = ProtoWireWriter()
            writer.writeVarint(value)
            var reader = ProtoWireReader(writer.bytes)
            #expect(try reader.readVarint() == value)
            #expect(reader.isAtEnd)
        }
        var writer = ProtoWireWriter()
        writer.writeVarint(300)
        #expect(writer.bytes == [0xAC, 0x02])
        for value: Int64 in [0, -1, 1, -2, Int64.max, Int64.min] {
            #expect(ProtoWireWriter.unzigzag(ProtoWireWriter.zigzag(value)) == value)
        }
        #expect(ProtoWireWriter.zigzag(-1) == 1 && ProtoWireWriter.zigzag(1) == 2 && ProtoWireWriter.zigzag(-2) == 3)
    }

    @Test("malformed input is an error, never a crash", arguments: [
        [0x08] as [UInt8],                       // tag without value
        [0x0A, 0x05, 0x61],                      // length past the end
        [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], // varint > 64 bits
        [0x00],                                  // field number 0
        [0x0B],                                  // start group
        [0x0F],                                  // wire type 7
        [0x0D, 0x01, 0x02],                      // truncated fixed32
    ])
    func malformed(bytes: [UInt8]) {
        let method = Self.method([Self.field("a", 1, .string)])
        #expect(throws: ConnectError.self) { try ProtoRequestDecoder.json(bytes, method: method) }
    }

    /// Unknown groups are skipped, as protobuf parsers do (editions' DELIMITED fields are groups on the
    /// wire): a newer client's message still parses. They were refused ("groups are not supported").
    @Test("an unknown group (nested ones within) is skipped; an unended, mismatched or stray group is malformed")
    func unknownGroups() throws {
        let method = Self.method([Self.field("a", 1, .string)])
        let o1: [UInt8] = [0x0A, 0x02, 0x6F, 0x31]
        // Field 9 as an empty group; then a group holding a varint, a string and a nested group of field 10.
        for skipped: [UInt8] in [[0x4B, 0x4C], [0x4B, 0x08, 0x96, 0x01, 0x12, 0x01, 0x78, 0x53, 0x08, 0x01, 0x54, 0x4C]] {
            #expect(JSONWriter.write(try ProtoRequestDecoder.json(o1 + skipped, method: method)) == #"{"a":"o1"}"#)
            #expect(JSONWriter.write(try ProtoRequestDecoder.json(skipped + o1, method: method)) == #"{"a":"o1"}"#)
        }
        let deep = Array(repeating: [UInt8](arrayLiteral: 0x4B), count: 101).flatMap { $0 } + Array(repeating: [UInt8](arrayLiteral: 0x4C), count: 101).flatMap { $0 }
        for bad: [UInt8] in [[0x4B], [0x4C], [0x4B, 0x54], [0x4B, 0x08], deep] {
            #expect(throws: ConnectError.self, "\(bad.prefix(8))") { try ProtoRequestDecoder.json(o1 + bad, method: method) }
        }
        let shallow = Array(repeating: [UInt8](arrayLiteral: 0x4B), count: 100).flatMap { $0 } + Array(repeating: [UInt8](arrayLiteral: 0x4C), count: 100).flatMap { $0 }
        #expect(throws: Never.self) { try ProtoRequestDecoder.json(o1 + shallow, method: method) }
    }

    @Test("requests encoded by SwiftProtobuf decode to the same values as their JSON")
    func againstSwiftProtobuf() throws {
        // google.protobuf.FieldDescriptorProto: string 1, int32 3, enum 4, enum 5, bool 17.
        var reference = Google_Protobuf_FieldDescriptorProto()
        reference.name = "héllo"
        reference.number = -7
        reference.label = .repeated
        reference.type = .sint64
        reference.proto3Optional = true
        let method = Self.method([
            Self.field("name", 1, .string), Self.field("number", 3, .int32),
            Self.field("label", 4, .enumeration("L"), enumValues: ["LABEL_OPTIONAL": 1, "LABEL_REPEATED": 3]),
            Self.field("proto3_optional", 17, .bool),
        ])
        let bytes: [UInt8] = try reference.serializedBytes()
        let json = try ProtoRequestDecoder.json(bytes, method: method)
        // Field 5 (type) is not in the request message: skipped like any unknown field.
        #expect(JSONWriter.write(json) == #"{"name":"héllo","number":"-7","label":"LABEL_REPEATED","proto3_optional":true}"#)

        // Well-known wrappers: int64 1, uint64 1, double 1, float 1.
        let int64: [UInt8] = try Google_Protobuf_Int64Value(Int64.min).serializedBytes()
        #expect(JSONWriter.write(try ProtoRequestDecoder.json(int64, method: Self.method([Self.field("v", 1, .int64)]))) == #"{"v":"-9223372036854775808"}"#)
        let uint64: [UInt8] = try Google_Protobuf_UInt64Value(UInt64.max).serializedBytes()
        #expect(JSONWriter.write(try ProtoRequestDecoder.json(uint64, method: Self.method([Self.field("v", 1, .uint64)]))) == #"{"v":"18446744073709551615"}"#)
        let double: [UInt8] = try Google_Protobuf_DoubleValue(0.25).serializedBytes()
        #expect(JSONWriter.write(try ProtoRequestDecoder.json(double, method: Self.method([Self.field("v", 1, .double)]))) == #"{"v":0.25}"#)
        let float: [UInt8] = try Google_Protobuf_FloatValue(-1.5).serializedBytes()
        #expect(JSONWriter.write(try ProtoRequestDecoder.json(float, method: Self.method([Self.field("v", 1, .float)]))) == #"{"v":-1.5}"#)
    }

    @Test("timestamps: SwiftProtobuf's Timestamp decodes and our encoding parses back with it")
    func timestamps() throws {
        let method = Self.method([Self.field("at", 1, .timestamp)])
        for ms: Int64 in [0, 1, 1_762_000_000_123, -1, -2_208_988_800_000, 10_413_791_999_999] {
            var writer = ProtoWireWriter()
            #expect(ProtoResponseEncoder.write(.timestamp(ms), field: method.rowFields[0], into: &writer))
            // Field 1 of the row holds a Timestamp: the same bytes as a Timestamp-typed field of a
            // SwiftProtobuf message; take its payload and let SwiftProtobuf parse it.
            var reader = ProtoWireReader(writer.bytes)
            _ = try reader.readTag()
            let payload = Array(try reader.readLengthDelimited())
            let parsed = try Google_Protobuf_Timestamp(serializedBytes: payload)
            #expect(parsed.seconds * 1000 + Int64(parsed.nanos / 1_000_000) == ms)
            #expect((0..<1_000_000_000).contains(parsed.nanos))
            // And back through the request decoder.
            #expect(JSONWriter.write(try ProtoRequestDecoder.json(writer.bytes, method: method)) == "{\"at\":\"\(RFC3339.format(milliseconds: ms))\"}")
        }
    }

    @Test("ZigZag and fixed integers, by hand")
    func encodings() throws {
        let method = Self.method([
            Self.field("s32", 1, .int32, .zigzag), Self.field("s64", 2, .int64, .zigzag),
            Self.field("f32", 3, .uint32, .fixed), Self.field("sf64", 4, .int64, .fixed), Self.field("i32", 5, .int32),
        ])
        let row: [String: ColumnValue] = ["s32": .int64(-1), "s64": .int64(-2), "f32": .uint64(0x0102_0304), "sf64": .int64(-1), "i32": .int64(-1)]
        let bytes = try ProtoResponseEncoder.encode(QueryResult(columns: Array(row.keys), rows: [row]), method: method)
        #expect(bytes == [0x08, 0x01, 0x10, 0x03, 0x1D, 0x04, 0x03, 0x02, 0x01, 0x21] + [UInt8](repeating: 0xFF, count: 8)
                + [0x28] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        #expect(JSONWriter.write(try ProtoRequestDecoder.json(bytes, method: method)) == #"{"s32":"-1","s64":"-2","f32":"16909060","sf64":"-1","i32":"-1"}"#)
    }

    @Test("rows of every response shape, and the same misfits as JSON")
    func shapes() throws {
        let dailySales = Self.service.method(named: "GetDailySales")!
        let row: [String: ColumnValue] = ["day": .date(RFC3339.parseDate("2026-11-01")!), "order_count": .int64(3), "gross_cents": .uint64(300),
                                          "refund_cents": .int64(0), "net_cents": .int64(-5)]
        let bytes = try ProtoResponseEncoder.encode(QueryResult(columns: Array(row.keys), rows: [row, row]), method: dailySales)
        // Two length-delimited rows in field 1 (`rows`); each parses back to the row's JSON.
        var reader = ProtoWireReader(bytes)
        var decoded: [String] = []
        while !reader.isAtEnd {
            let tag = try reader.readTag()
            #expect(tag.number == dailySales.responseFieldNumber && tag.wireType == .lengthDelimited)
            let rowMethod = Self.method(dailySales.rowFields)
            decoded.append(JSONWriter.write(try ProtoRequestDecoder.json(Array(try reader.readLengthDelimited()), method: rowMethod)))
        }
        #expect(decoded == Array(repeating: #"{"day":"2026-11-01","order_count":"3","gross_cents":"300","refund_cents":"0","net_cents":"-5"}"#, count: 2))
        #expect(try ProtoResponseEncoder.encode(QueryResult(columns: [], rows: []), method: dailySales).isEmpty)

        let order = Self.service.method(named: "GetOrder")!
        #expect(throws: ConnectError.self) { try ProtoResponseEncoder.encode(QueryResult(columns: [], rows: []), method: order) }
        let misfit: [String: ColumnValue] = ["order_id": .string("o1"), "amount_cents": .string("12x")]
        do {
            _ = try ProtoResponseEncoder.encode(QueryResult(columns: Array(misfit.keys), rows: [misfit]), method: order)
            Issue.record("a misfit must fail")
        } catch {
            #expect(error.code == .internal)
        }
    }

    @Test("requests: last occurrence wins, unknown fields skipped, wrong wire type and bad UTF-8 refused; checks are JSON's")
    func requestRules() throws {
        let daily = Self.service.method(named: "GetDailySales")!
        var writer = ProtoWireWriter()
        writer.writeLengthDelimited(1, "2026-01-01".utf8)
        writer.writeLengthDelimited(1, "2026-11-01".utf8)
        writer.writeLengthDelimited(2, "2026-11-30".utf8)
        writer.writeTag(99, .varint)
        writer.writeVarint(5)
        let values = try ProtoRequestDecoder.decode(writer.bytes, method: daily)
        #expect(values["from_day"] == .date(RFC3339.parseDate("2026-11-01")!))
        #expect(values["to_day"] == .date(RFC3339.parseDate("2026-11-30")!))

        func failure(_ bytes: [UInt8], _ method: QueryMethodSchema = daily) -> ConnectError? {
            do { _ = try ProtoRequestDecoder.decode(bytes, method: method); return nil } catch { return error }
        }
        #expect(failure([])?.message.contains("from_day: is required") == true)
        #expect(failure([0x08, 0x01])?.message.contains("wrong wire type") == true)
        #expect(failure([0x0A, 0x02, 0xC3, 0x28])?.message.contains("UTF-8") == true)
        let top = Self.service.method(named: "GetTopCustomers")!
        var limit = ProtoWireWriter()
        limit.writeLengthDelimited(1, "2026-11-01".utf8)
        limit.writeLengthDelimited(2, "2026-11-02".utf8)
        limit.writeTag(3, .varint)
        limit.writeVarint(5000)
        #expect(failure(limit.bytes, top)?.message == "limit: must be at most 1000")
        #expect(failure(limit.bytes, top)?.code == .invalidArgument)
    }

    @Test("bytes reach the JSON form as base64 and bind as JSON's; enum numbers become names, unknown ones refused as by JSON")
    func bytesAndEnums() throws {
        let method = Self.method([Self.field("blob", 1, .bytes), Self.field("kind", 2, .enumeration("K"), enumValues: ["K_UNSPECIFIED": 0, "K_A": 1])])
        var writer = ProtoWireWriter()
        writer.writeLengthDelimited(1, [0x68, 0xC3, 0xA9])
        writer.writeTag(2, .varint)
        writer.writeVarint(1)
        #expect(JSONWriter.write(try ProtoRequestDecoder.json(writer.bytes, method: method)) == #"{"blob":"aMOp","kind":"K_A"}"#)
        #expect(try ProtoRequestDecoder.decode(writer.bytes, method: method) == ["blob": .string("hé"), "kind": .string("K_A")])
        #expect(try ProtoRequestDecoder.decode(writer.bytes, method: method) == RequestDecoder.decode(body: Array(#"{"blob":"aMOp","kind":1}"#.utf8), method: method))
        // Absent: empty bytes and the enum's zero value, as in JSON.
        #expect(try ProtoRequestDecoder.decode([], method: method) == ["blob": .string(""), "kind": .string("K_UNSPECIFIED")])

        func failure(_ bytes: [UInt8]) -> ConnectError? {
            do { _ = try ProtoRequestDecoder.decode(bytes, method: method); return nil } catch { return error }
        }
        #expect(failure([0x0A, 0x02, 0xFF, 0xFE])?.message == "blob: is not valid UTF-8 (bytes parameters bind as text)")
        #expect(failure([0x0A, 0x01, 0x00])?.message == "blob: contains a NUL character")
        #expect(failure([0x10, 0x07])?.message == "kind: unknown enum value '7'")
        #expect(failure([0x10, 0x07])?.code == .invalidArgument)
    }
}
