import Columnstore
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
}
