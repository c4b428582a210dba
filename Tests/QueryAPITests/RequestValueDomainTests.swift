@testable import Columnstore
import Foundation
@testable import QueryAPI
import Testing

/// Request values against the stored value domain (ValueDomain): what both stores hold is what a
/// request may carry, refused with invalid_argument naming the field otherwise, in both codecs.
@Suite("Query request values and the stored value domain")
struct RequestValueDomainTests {
    static func method(_ fields: [QueryFieldSchema]) -> QueryMethodSchema {
        QueryMethodSchema(name: "M", sqlName: "m", requestMessage: "t.Req", requestFields: fields, responseMessage: "t.Res",
                          response: .message, rowMessage: "t.Res", rowFields: [])
    }

    static let big = QueryFieldSchema(name: "big_id", jsonName: "bigId", number: 1, type: .uint64)
    static let fixedBig = QueryFieldSchema(name: "big_id", jsonName: "bigId", number: 1, type: .uint64, encoding: .fixed)

    /// The error of decoding `body` as JSON, or nil.
    static func jsonFailure(_ body: String, _ method: QueryMethodSchema) -> ConnectError? {
        do { _ = try RequestDecoder.decode(body: Array(body.utf8), method: method); return nil } catch { return error }
    }

    static func binary(_ value: UInt64, fixed: Bool) -> [UInt8] {
        var writer = ProtoWireWriter()
        if fixed {
            writer.writeTag(1, .fixed64)
            writer.writeFixed64(value)
        } else {
            writer.writeTag(1, .varint)
            writer.writeVarint(value)
        }
        return writer.bytes
    }

    @Test("uint64 up to 2^63-1 is accepted in JSON (number or string) and binary (varint and fixed64)")
    func uint64Largest() throws {
        let largest = ValueDomain.maxUInt64
        for body in [#"{"bigId":9223372036854775807}"#, #"{"big_id":"9223372036854775807"}"#] {
            #expect(try RequestDecoder.decode(body: Array(body.utf8), method: Self.method([Self.big]))["big_id"] == .uint64(largest))
        }
        for field in [Self.big, Self.fixedBig] {
            let values = try ProtoRequestDecoder.decode(Self.binary(largest, fixed: field.encoding == .fixed), method: Self.method([field]))
            #expect(values["big_id"] == .uint64(largest))
        }
    }

    @Test("uint64 above 2^63-1 is invalid_argument naming the field, in both codecs",
          arguments: ["9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999"])
    func uint64AboveDomain(text: String) throws {
        for body in [#"{"bigId":\#(text)}"#, #"{"bigId":"\#(text)"}"#] {
            let error = try #require(Self.jsonFailure(body, Self.method([Self.big])))
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("big_id:"), "\(error.message)")
            #expect(error.message.contains("9223372036854775807"), "\(error.message)")
        }
        guard let value = UInt64(text) else { return }
        for field in [Self.big, Self.fixedBig] {
            let error = try #require(throws: ConnectError.self) {
                try ProtoRequestDecoder.decode(Self.binary(value, fixed: field.encoding == .fixed), method: Self.method([field]))
            }
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("big_id:") && error.message.contains("9223372036854775807"), "\(error.message)")
        }
    }

    static let at = QueryFieldSchema(name: "at", jsonName: "at", number: 1, type: .string,
                                     hints: QueryParameterHints(valueType: .timestamp))
    static let when = QueryFieldSchema(name: "when", jsonName: "when", number: 1, type: .timestamp, isOptional: true)

    @Test("timestamps span the stored domain, 1900-01-01 to 2299-12-31, in both field kinds",
          arguments: ["1900-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z", "2149-06-07T00:00:00Z",
                      "2299-12-31T23:59:59.999Z", "1950-06-01T12:00:00+02:00"])
    func timestampsInDomain(text: String) throws {
        let millis = try #require(RFC3339.parseMilliseconds(text))
        for field in [Self.at, Self.when] {
            let values = try RequestDecoder.decode(body: Array(#"{"\#(field.name)":"\#(text)"}"#.utf8), method: Self.method([field]))
            #expect(values[field.name] == .timestamp(millis))
        }
        #expect(ValueDomain.timestamps.contains(millis))
    }

    @Test("timestamps outside the stored domain are invalid_argument naming the field and the range",
          arguments: ["1899-12-31T23:59:59.999Z", "2300-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
    func timestampsOutsideDomain(text: String) throws {
        for field in [Self.at, Self.when] {
            let error = try #require(Self.jsonFailure(#"{"\#(field.name)":"\#(text)"}"#, Self.method([field])))
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("\(field.name):") && error.message.contains("1900-01-01T00:00:00.000Z to 2299-12-31T23:59:59.999Z"),
                    "\(error.message)")
        }
    }

    @Test("the binary codec's google.protobuf.Timestamp reaches the same range")
    func binaryTimestamp() throws {
        for (seconds, ok) in [(Int64(-2_208_988_800), true), (-2_208_988_801, false), (10_413_791_999, true), (10_413_792_000, false)] {
            var inner = ProtoWireWriter()
            inner.writeTag(1, .varint)
            inner.writeVarint(UInt64(bitPattern: seconds))
            var writer = ProtoWireWriter()
            writer.writeTag(1, .lengthDelimited)
            writer.writeVarint(UInt64(inner.bytes.count))
            writer.bytes.append(contentsOf: inner.bytes)
            do {
                let values = try ProtoRequestDecoder.decode(writer.bytes, method: Self.method([Self.when]))
                #expect(ok && values["when"] == .timestamp(seconds * 1000), "\(seconds)")
            } catch {
                #expect(!ok && error.code == .invalidArgument && error.message.hasPrefix("when:"), "\(seconds): \(error.message)")
            }
        }
    }

    @Test("a Timestamp with extreme seconds or nanos is invalid_argument, never a trap or a wrapped value")
    func binaryTimestampExtremes() throws {
        // (seconds, nanos): Int64.min once trapped in abs(); nanos past Int32 wrapped (2^32 + 5 read as 5 ns).
        for (seconds, nanos) in [(Int64.min, UInt64(0)), (Int64.max, 0), (0, 1 << 32 | 5), (0, UInt64.max), (0, 1_000_000_000)] {
            var inner = ProtoWireWriter()
            inner.writeTag(1, .varint)
            inner.writeVarint(UInt64(bitPattern: seconds))
            inner.writeTag(2, .varint)
            inner.writeVarint(nanos)
            var writer = ProtoWireWriter()
            writer.writeTag(1, .lengthDelimited)
            writer.writeVarint(UInt64(inner.bytes.count))
            writer.bytes.append(contentsOf: inner.bytes)
            do {
                _ = try ProtoRequestDecoder.decode(writer.bytes, method: Self.method([Self.when]))
                Issue.record("(\(seconds), \(nanos)) was accepted")
            } catch {
                #expect(error.code == .invalidArgument && error.message.hasPrefix("when:"), "(\(seconds), \(nanos)): \(error.message)")
            }
        }
    }

    @Test("the OpenAPI document states the request ranges: uint64 up to 2^63-1, timestamps 1900 to 2299")
    func openAPIStatesTheRanges() throws {
        let big = OpenAPIGenerator.fieldSchema(Self.big, request: true)
        #expect(big["description"] == .string("An unsigned integer up to 9223372036854775807, the largest both stores hold."))
        #expect(OpenAPIGenerator.fieldSchema(Self.big, request: false)["description"] == nil)
        #expect(OpenAPIGenerator.fieldSchema(Self.when, request: true)["description"]
                == .string("An RFC 3339 timestamp from 1900-01-01T00:00:00.000Z to 2299-12-31T23:59:59.999Z."))
    }

    @Test("absent date and timestamp fields bind NULL exactly when absentBindsNull says so (the catalog's Nullable rule)")
    func absentBindsNull() throws {
        let cases: [QueryFieldSchema] = [
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .string, hints: QueryParameterHints(valueType: .date)),
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .string, isOptional: true, hints: QueryParameterHints(valueType: .date)),
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .string, isOptional: true, hints: QueryParameterHints(valueType: .timestamp)),
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .timestamp, isOptional: true),
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .string, isOptional: true),
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .int64, isOptional: true),
            QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .bool, isOptional: true),
        ]
        for field in cases {
            let values = try RequestDecoder.decode(body: Array("{}".utf8), method: Self.method([field]))
            #expect((values["d"] == .null) == field.absentBindsNull, "\(field.type) \(String(describing: field.hints))")
        }
        let required = QueryFieldSchema(name: "d", jsonName: "d", number: 1, type: .string,
                                        hints: QueryParameterHints(isRequired: true, valueType: .date))
        #expect(!required.absentBindsNull)
    }
}

/// proto3 JSON integers in fraction or exponent form are read exactly (`JSONInteger`): through a Double,
/// `5.0000000000000001` was taken as 5, `9007199254740993.0` as …992, and `1e18` was out of range.
@Suite("Request integers are read exactly")
struct RequestExactIntegerTests {
    @Test("notations of one integer agree; near-integers are refused; 32-bit floats stay in range")
    func exact() throws {
        let cases: [(String, JSONInteger)] = [
            ("5", .integer("5")), ("5.0", .integer("5")), ("5e0", .integer("5")), ("0.5e1", .integer("5")), ("500e-2", .integer("5")),
            ("5.0000000000000001", .fraction), ("4.9999999999999999", .fraction), ("9007199254740993.0", .integer("9007199254740993")),
            ("1e18", .integer("1000000000000000000")), ("-1E+2", .integer("-100")), ("-0.0", .integer("0")), ("1e41", .tooLong),
            ("01", .invalid), ("1.", .invalid), (".5", .invalid), ("1e", .invalid), ("+1", .invalid), ("1-2", .invalid), ("0x10", .invalid),
            ("inf", .invalid), ("", .invalid), ("--1", .invalid), ("1e+", .invalid),
        ]
        for (text, expected) in cases {
            #expect(JSONInteger(text, maxDigits: 40) == expected, "\(text)")
        }
        // Randomised: any Int64 in a fraction-and-exponent spelling reads back as itself.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Int64.random(in: .min ... .max, using: &rng)
            let shift = Int.random(in: 0...6, using: &rng)
            let magnitude = value == .min ? "9223372036854775808" : String(abs(value))
            let spelled = (value < 0 ? "-" : "") + magnitude + String(repeating: "0", count: shift) + "e-\(shift)"
            #expect(JSONInteger(spelled, maxDigits: 40) == .integer(String(value)), "\(spelled)")
        }
    }
}
