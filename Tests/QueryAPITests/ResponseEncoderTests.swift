import Columnstore
import Foundation
@testable import QueryAPI
import Testing

@Suite("Query response mapping")
struct ResponseEncoderTests {
    static let service = ProjectionSchema.ordersAnalytics.queryService!

    @Test("rows: lowerCamelCase keys, int64 as strings, dates as YYYY-MM-DD")
    func rows() throws {
        let method = Self.service.method(named: "GetDailySales")!
        let result = QueryResult(columns: ["day", "order_count", "gross_cents", "refund_cents", "net_cents"], rows: [
            ["day": .date(RFC3339.parseDate("2026-11-01")!), "order_count": .int64(3), "gross_cents": .uint64(9_007_199_254_740_993),
             "refund_cents": .int64(0), "net_cents": .int64(-5)],
        ])
        let json = try ResponseEncoder.encode(result, method: method)
        #expect(JSONWriter.write(json) == #"{"rows":[{"day":"2026-11-01","orderCount":"3","grossCents":"9007199254740993","refundCents":"0","netCents":"-5"}]}"#)
        #expect(JSONWriter.write(try ResponseEncoder.encode(QueryResult(columns: [], rows: []), method: method)) == #"{"rows":[]}"#)
    }

    @Test("single row: timestamps RFC 3339, NULL omitted, no row is not_found")
    func single() throws {
        let method = Self.service.method(named: "GetOrder")!
        let row: [String: ColumnValue] = [
            "order_id": .string("o1"), "amount_cents": .int64(12), "placed_at": .timestamp(RFC3339.parseMilliseconds("2026-11-01T10:00:00.5Z")!),
            "version": .uint64(7), "currency": .null,
        ]
        let json = try ResponseEncoder.encode(QueryResult(columns: Array(row.keys), rows: [row]), method: method)
        #expect(JSONWriter.write(json) == #"{"order":{"orderId":"o1","amountCents":"12","placedAt":"2026-11-01T10:00:00.500Z","version":"7"}}"#)
        #expect(throws: ConnectError.self) { try ResponseEncoder.encode(QueryResult(columns: [], rows: []), method: method) }
        do {
            _ = try ResponseEncoder.encode(QueryResult(columns: [], rows: []), method: method)
        } catch {
            #expect(error.code == .notFound)
            #expect(error.code.httpStatus == 404)
        }
    }

    @Test("a column that does not fit its field is an internal error, not a wrong answer")
    func mismatch() {
        let method = Self.service.method(named: "GetOrder")!
        #expect(throws: ConnectError.self) {
            try ResponseEncoder.encode(QueryResult(columns: ["amount_cents"], rows: [["amount_cents": .string("12abc")]]), method: method)
        }
    }

    static let kinds: [String: Int32] = ["KIND_UNSPECIFIED": 0, "KIND_A": 1]

    static func rowMethod(_ fields: [QueryFieldSchema], response: QueryResponseShape = .message, jsonName: String? = nil) -> QueryMethodSchema {
        QueryMethodSchema(name: "M", sqlName: "m", requestMessage: "t.Req", requestFields: [], responseMessage: "t.Res",
                          response: response, rowMessage: "t.Row", rowFields: fields, responseFieldJSONName: jsonName)
    }

    /// Both JSON writers (tree and bytes) agree; the answer as text.
    func json(_ result: QueryResult, _ method: QueryMethodSchema) throws(ConnectError) -> String {
        var out: [UInt8] = []
        try ResponseEncoder.write(result, method: method, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == JSONWriter.write(try ResponseEncoder.encode(result, method: method)))
        return String(decoding: out, as: UTF8.self)
    }

    @Test("bytes answer as standard base64 with padding; the binary codec sends the same bytes raw")
    func bytes() throws {
        let method = Self.rowMethod([QueryFieldSchema(name: "blob", jsonName: "blob", number: 1, type: .bytes)])
        for text in ["", "a", "hé?>", "ab", "abc"] {
            let result = QueryResult(columns: ["blob"], rows: [["blob": .string(text)]])
            #expect(try json(result, method) == #"{"blob":"\#(Data(text.utf8).base64EncodedString())"}"#)
            var reader = ProtoWireReader(try ProtoResponseEncoder.encode(result, method: method))
            _ = try reader.readTag()
            #expect(Array(try reader.readLengthDelimited()) == Array(text.utf8))
        }
        #expect(try json(QueryResult(columns: ["blob"], rows: [["blob": .string("hé?>")]]), method) == #"{"blob":"aMOpPz4="}"#)
    }

    @Test("an enum column must hold a name of the enum in JSON as in binary; anything else is internal")
    func enums() throws {
        let method = Self.rowMethod([QueryFieldSchema(name: "kind", jsonName: "kind", number: 1, type: .enumeration("t.Kind"), enumValues: Self.kinds)])
        let good = QueryResult(columns: ["kind"], rows: [["kind": .string("KIND_A")]])
        #expect(try json(good, method) == #"{"kind":"KIND_A"}"#)
        #expect(try ProtoResponseEncoder.encode(good, method: method) == [0x08, 0x01])
        for value: ColumnValue in [.string("KIND_C"), .string(""), .string("kind_a"), .int64(1)] {
            let bad = QueryResult(columns: ["kind"], rows: [["kind": value]])
            var out: [UInt8] = []
            #expect(throws: ConnectError.self) { try ResponseEncoder.write(bad, method: method, into: &out) }
            do {
                _ = try ResponseEncoder.encode(bad, method: method)
                Issue.record("\(value) must not be answered in JSON")
            } catch {
                #expect(error.code == .internal)
            }
            do {
                _ = try ProtoResponseEncoder.encode(bad, method: method)
                Issue.record("\(value) must not be answered in binary")
            } catch {
                #expect(error.code == .internal)
            }
        }
    }

    @Test("the response field's json_name keys the rows, a custom one too")
    func responseJSONName() throws {
        let fields = [QueryFieldSchema(name: "n", jsonName: "n", number: 1, type: .int32)]
        let result = QueryResult(columns: ["n"], rows: [["n": .int64(1)]])
        #expect(try json(result, Self.rowMethod(fields, response: .rows(field: "daily_rows"))) == #"{"dailyRows":[{"n":1}]}"#)
        #expect(try json(result, Self.rowMethod(fields, response: .rows(field: "daily_rows"), jsonName: "Results")) == #"{"Results":[{"n":1}]}"#)
        #expect(try json(result, Self.rowMethod(fields, response: .single(field: "the_row"), jsonName: "row")) == #"{"row":{"n":1}}"#)
        // Loaded from a descriptor set: protoc's json_name for `rows`, or the one the proto sets.
        #expect(Self.service.method(named: "GetDailySales")!.responseFieldJSONName == "rows")
        let custom = try EditedDescriptors.ordersAnalytics { file in
            let index = file.messageType.firstIndex { $0.name == "GetDailySalesResponse" }!
            file.messageType[index].field[0].jsonName = "dailyRows"
        }
        let daily = try #require(custom.queryService?.method(named: "GetDailySales"))
        #expect(daily.responseFieldJSONName == "dailyRows")
        #expect(try json(QueryResult(columns: [], rows: []), daily) == #"{"dailyRows":[]}"#)
        let openAPI = OpenAPIGenerator.document(schema: custom)
        #expect(JSONWriter.write(openAPI).contains(#""dailyRows":{"type":"array""#))
    }
}
