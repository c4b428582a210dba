import Columnstore
import Foundation
import IngestTestKit
@testable import QueryAPI
import Testing

@Suite("Query request decoding")
struct RequestDecoderTests {
    static let service = ProjectionSchema.ordersAnalytics.queryService!
    static let dailySales = service.method(named: "GetDailySales")!
    static let topCustomers = service.method(named: "GetTopCustomers")!
    static let order = service.method(named: "GetOrder")!

    func decode(_ body: String, _ method: QueryMethodSchema = dailySales) throws(ConnectError) -> [String: ColumnValue] {
        try RequestDecoder.decode(body: Array(body.utf8), method: method)
    }

    func failure(_ body: String, _ method: QueryMethodSchema = dailySales) -> ConnectError? {
        do { _ = try decode(body, method); return nil } catch { return error }
    }

    @Test("accepts JSON names and proto names; dates become typed values")
    func names() throws {
        let values = try decode(#"{"fromDay":"2026-11-01","to_day":"2026-11-30"}"#)
        #expect(values["from_day"] == .date(RFC3339.parseDate("2026-11-01")!))
        #expect(values["to_day"] == .date(RFC3339.parseDate("2026-11-30")!))
    }

    @Test("applies the default limit; accepts integers as numbers or strings")
    func limits() throws {
        #expect(try decode(#"{"fromDay":"2026-11-01","toDay":"2026-11-30"}"#, Self.topCustomers)["limit"] == .int64(10))
        #expect(try decode(#"{"fromDay":"2026-11-01","toDay":"2026-11-30","limit":"25"}"#, Self.topCustomers)["limit"] == .int64(25))
        #expect(try decode(#"{"fromDay":"2026-11-01","toDay":"2026-11-30","limit":1e3}"#, Self.topCustomers)["limit"] == .int64(1000))
        #expect(try decode(#"{"fromDay":"2026-11-01","toDay":"2026-11-30","limit":null}"#, Self.topCustomers)["limit"] == .int64(10))
    }

    @Test("errors are invalid_argument and name the field", arguments: [
        (#"{"fromDay":"2026-11-01"}"#, "to_day"),
        (#"{"fromDay":"2026-11-31","toDay":"2026-12-01"}"#, "from_day"),
        (#"{"fromDay":"2026-12-02","toDay":"2026-12-01"}"#, "from_day"),
        (#"{"fromDay":"2150-01-01","toDay":"2150-01-02"}"#, "from_day"),
        (#"{"fromDay":1,"toDay":"2026-12-01"}"#, "from_day"),
        (#"{"fromDay":"2026-11-01","toDay":"2026-12-01","x":1}"#, "'x'"),
        (#"{"fromDay":"2026-11-01","from_day":"2026-11-01","toDay":"2026-12-01"}"#, "from_day"),
        (#"{"fromDay":"2026-11-01","toDay":"2026-12-01","tenant_id":"b"}"#, "tenant_id"),
        (#"not json"#, "request body"),
        (#"[1]"#, "request body"),
    ])
    func errors(body: String, field: String) throws {
        let error = try #require(failure(body))
        #expect(error.code == .invalidArgument)
        #expect(error.code.httpStatus == 400)
        #expect(error.message.contains(field), "\(error.message)")
    }

    @Test("limit bounds come from the proto hints", arguments: ["0", "-1", "1001", "4294967296", "1.5", "\"x\"", "true", "99999999999999999999999"])
    func limitBounds(limit: String) throws {
        let error = try #require(failure(#"{"fromDay":"2026-11-01","toDay":"2026-11-30","limit":\#(limit)}"#, Self.topCustomers))
        #expect(error.message.hasPrefix("limit:"), "\(error.message)")
    }

    @Test("strings are data: SQL-looking values pass through unchanged; NUL and huge strings are rejected")
    func strings() throws {
        let hostile = "o1' OR '1'='1; DROP TABLE orders; --"
        #expect(try decode(JSONWriter.write(.object([("orderId", .string(hostile))])), Self.order)["order_id"] == .string(hostile))
        #expect(failure(#"{"orderId":"a\u0000"}"#, Self.order)?.message.contains("order_id") == true)
        #expect(failure(#"{"orderId":"\#(String(repeating: "a", count: 5000))"}"#, Self.order)?.message.contains("order_id") == true)
    }

    @Test("GET query items use the same rules")
    func queryItems() throws {
        let items = try QueryHandler.queryItems("from_day=2026-11-01&toDay=2026-11-02&limit=3")
        let values = try RequestDecoder.decode(query: items, method: Self.topCustomers)
        #expect(values["limit"] == .int64(3))
        let get = try ConnectGetRequest.parse(query: "connect=v1&encoding=json&message=%7B%22orderId%22%3A%22a+b%22%7D")
        #expect(try QueryHandler.parameters(get.message, codec: get.codec, method: Self.order)["order_id"] == .string("a b"))
        #expect(throws: ConnectError.self) { try QueryHandler.queryItems("a=%ZZ") }
        #expect(throws: ConnectError.self) { try RequestDecoder.decode(query: [("order_id", "a"), ("order_id", "b")], method: Self.order) }
    }

    /// A method over `fields` (request only).
    static func method(_ fields: [QueryFieldSchema]) -> QueryMethodSchema {
        QueryMethodSchema(name: "M", sqlName: "m", requestMessage: "t.Req", requestFields: fields, responseMessage: "t.Res",
                          response: .message, rowMessage: "t.Res", rowFields: [])
    }

    static let kinds: [String: Int32] = ["KIND_UNSPECIFIED": 0, "KIND_A": 1, "KIND_B": 2, "KIND_ALIAS_A": 1]

    @Test("bytes are base64: standard or URL-safe, padding optional; they must be UTF-8 and name the field otherwise")
    func bytes() throws {
        let blob = Self.method([QueryFieldSchema(name: "blob", jsonName: "blob", number: 1, type: .bytes)])
        // "hé?>" is 68 C3 A9 3F 3E: "aMOpPz4=" in the standard alphabet, "aMOpPz4" without padding.
        for encoded in ["aMOpPz4=", "aMOpPz4", "aGk=", "aGk", "aGk-", "aGk+", "aGk_", "aGk/"] {
            let expected = String(decoding: Base64.decode(encoded)!, as: UTF8.self)
            #expect(try decode(#"{"blob":"\#(encoded)"}"#, blob)["blob"] == .string(expected), "\(encoded)")
        }
        #expect(try decode(#"{"blob":"aMOpPz4"}"#, blob)["blob"] == .string("hé?>"))
        #expect(try decode(#"{"blob":"aGk-"}"#, blob)["blob"] == decode(#"{"blob":"aGk+"}"#, blob)["blob"])
        for (body, reason) in [(#"{"blob":"aGk=="}"#, "base64"), (#"{"blob":"a"}"#, "base64"), (#"{"blob":"a b="}"#, "base64"),
                               (#"{"blob":1}"#, "base64"), (#"{"blob":"//4="}"#, "UTF-8"), (#"{"blob":"AA=="}"#, "NUL")] {
            let error = try #require(failure(body, blob), "\(body)")
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("blob: ") && error.message.contains(reason), "\(body) → \(error.message)")
        }
    }

    @Test("base64 round-trips every length and byte, and decodes what Foundation encodes")
    func base64() {
        var rng = SplitMix64(seed: 64)
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
            let urlSafe = String(encoded.filter { $0 != "=" }.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
            #expect(Base64.decode(urlSafe) == bytes)
        }
        for bad in ["a", "abcde", "ab=c", "a===", "====", "ab==cd==", "a.bc"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test("enums: a name (an alias binds its value's first name) or a number; unknown ones name the field; absent is the zero value")
    func enums() throws {
        let kind = Self.method([QueryFieldSchema(name: "kind", jsonName: "kind", number: 1, type: .enumeration("t.Kind"), enumValues: Self.kinds)])
        #expect(try decode(#"{"kind":"KIND_B"}"#, kind)["kind"] == .string("KIND_B"))
        #expect(try decode(#"{"kind":2}"#, kind)["kind"] == .string("KIND_B"))
        #expect(try decode(#"{"kind":"2"}"#, kind)["kind"] == .string("KIND_B"))
        #expect(try decode(#"{"kind":"KIND_ALIAS_A"}"#, kind)["kind"] == .string("KIND_A"))
        #expect(try decode(#"{"kind":1}"#, kind)["kind"] == .string("KIND_A"))
        #expect(try decode(#"{}"#, kind)["kind"] == .string("KIND_UNSPECIFIED"))
        #expect(try decode(#"{"kind":null}"#, kind)["kind"] == .string("KIND_UNSPECIFIED"))
        for body in [#"{"kind":"KIND_C"}"#, #"{"kind":7}"#, #"{"kind":-1}"#, #"{"kind":1.5}"#, #"{"kind":"kind_a"}"#, #"{"kind":true}"#] {
            let error = try #require(failure(body, kind), "\(body)")
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("kind: "), "\(body) → \(error.message)")
        }
        #expect(failure(#"{"kind":7}"#, kind)?.message == "kind: unknown enum value '7'")
    }

    @Test("an implicit-presence field's explicit zero is the field absent: default_value and required apply")
    func implicitZero() throws {
        let fields = [
            QueryFieldSchema(name: "limit", jsonName: "limit", number: 1, type: .uint32, hints: QueryParameterHints(defaultValue: 10, minimum: 1, maximum: 100)),
            QueryFieldSchema(name: "name", jsonName: "name", number: 2, type: .string, hints: QueryParameterHints(isRequired: true)),
            QueryFieldSchema(name: "kind", jsonName: "kind", number: 3, type: .enumeration("t.Kind"), hints: QueryParameterHints(isRequired: true), enumValues: Self.kinds),
            QueryFieldSchema(name: "flag", jsonName: "flag", number: 4, type: .bool, hints: QueryParameterHints(isRequired: true)),
            QueryFieldSchema(name: "ratio", jsonName: "ratio", number: 5, type: .double, hints: QueryParameterHints(isRequired: true)),
        ]
        let method = Self.method(fields)
        let valid = #""name":"n","kind":"KIND_A","flag":true,"ratio":1"#
        for zero in ["0", #""0""#, "-0", "0.0", "0e3", "null"] {
            #expect(try decode(#"{"limit":\#(zero),\#(valid)}"#, method)["limit"] == .int64(10), "\(zero)")
        }
        // With `optional` the zero is a value: the hints judge it.
        var optional = fields
        optional[0].isOptional = true
        #expect(failure(#"{"limit":0,\#(valid)}"#, Self.method(optional))?.message == "limit: must be at least 1")
        for (body, field) in [(#"{"name":"","kind":"KIND_A","flag":true,"ratio":1}"#, "name"),
                              (#"{"name":"n","kind":"KIND_UNSPECIFIED","flag":true,"ratio":1}"#, "kind"),
                              (#"{"name":"n","kind":0,"flag":true,"ratio":1}"#, "kind"),
                              (#"{"name":"n","kind":"KIND_A","flag":false,"ratio":1}"#, "flag"),
                              (#"{"name":"n","kind":"KIND_A","flag":"false","ratio":1}"#, "flag"),
                              (#"{"name":"n","kind":"KIND_A","flag":true,"ratio":0.0}"#, "ratio")] {
            #expect(failure(body, method)?.message == "\(field): is required", "\(body)")
        }
        // -0.0 is not the zero value bitwise: protobuf writes it, so it is a value here too.
        let negativeZero = try decode(#"{"ratio":-0.0,"name":"n","kind":"KIND_A","flag":true}"#, method)["ratio"]
        guard case .float64(let ratio)? = negativeZero else { Issue.record("\(String(describing: negativeZero))"); return }
        #expect(ratio == 0 && ratio.sign == .minus)
    }

    @Test("a default_value that does not fit its field (the loader refuses it) is an internal error, not a crash")
    func unfitDefault() throws {
        for (type, value): (QueryFieldType, Int64) in [(.uint64, -1), (.uint32, -1), (.int32, Int64(Int32.max) + 1), (.uint32, Int64(UInt32.max) + 1)] {
            let method = Self.method([QueryFieldSchema(name: "n", jsonName: "n", number: 1, type: type, hints: QueryParameterHints(defaultValue: value))])
            let error = try #require(failure("{}", method))
            #expect(error.code == .internal, "\(type) \(value)")
            #expect(error.detail?.contains("default_value \(value)") == true)
            // A value given by the request needs no default.
            #expect(try decode(#"{"n":1}"#, method)["n"] != nil)
        }
        let fits = Self.method([QueryFieldSchema(name: "n", jsonName: "n", number: 1, type: .uint64, hints: QueryParameterHints(defaultValue: Int64.max))])
        #expect(try decode("{}", fits)["n"] == .uint64(UInt64(Int64.max)))
    }
}
