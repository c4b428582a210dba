import Columnstore
import Testing
@testable import Ingest

@Suite("Fact mapping (orders-analytics)")
struct FactMapperTests {
    let schema = ProjectionSchema.ordersAnalytics
    var mapper: FactMapper { FactMapper(schema: schema) }
    let decoder = FactDecoder(maxFactBytes: 1 << 20)

    func fact(_ type: String, _ data: String, tenant: String = "t1") throws -> FactEnvelope {
        let body = #"{"specversion":"1.0","id":"e","source":"/o","type":"\#(type)","tenantid":"\#(tenant)","data":\#(data)}"#
        return try decoder.decode(body: Array(body.utf8)) { _ in nil }
    }

    func row(_ mapped: MappedFact, table: String) -> [String: ColumnValue]? {
        guard let index = schema.tables.firstIndex(where: { $0.name == table }),
              let row = mapped.rows.first(where: { $0.tableIndex == index }) else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(schema.tables[index].columns.map(\.name), row.values))
    }

    @Test("a placed order feeds orders (latest) and daily_sales (aggregate)")
    func placed() throws {
        let f = try fact("orders.order_placed.v1", #"{"order_id":"o-1","customer_id":"c-9","amount_cents":1250,"currency":"EUR","placed_at":"2026-03-01T23:15:00+02:00"}"#)
        let mapped = try #require(try mapper.map(f, sequence: 42, subject: "facts.t1.orders.order_placed.v1"))
        #expect(mapped.idempotencyKey == "o-1")
        #expect(mapped.tenant == "t1")
        let order = try #require(row(mapped, table: "orders"))
        #expect(order["order_id"] == .string("o-1"))
        #expect(order["amount_cents"] == .int64(1250))
        #expect(order["placed_at"] == .timestamp(1_772_399_700_000))
        #expect(order["_version"] == .uint64(42))
        let daily = try #require(row(mapped, table: "daily_sales"))
        #expect(daily["day"] == .date(20_513), "the UTC date of placed_at")
        #expect(daily["order_count"] == .int64(1))
        #expect(daily["gross_cents"] == .int64(1250))
        #expect(daily["refund_cents"] == .int64(0))
    }

    /// The bindings declare their data messages, so a producer writing ProtoJSON's default lowerCamelCase
    /// names (`placedAt`) is read exactly as one preserving the proto names (`placed_at`).
    @Test("a fact written with ProtoJSON's json_name spellings maps as with the proto names")
    func jsonNameSpellings() throws {
        let snake = try fact("orders.order_placed.v1", #"{"order_id":"o-1","customer_id":"c-9","amount_cents":1250,"currency":"EUR","placed_at":"2026-03-01T23:15:00+02:00"}"#)
        let camel = try fact("orders.order_placed.v1", #"{"orderId":"o-1","customerId":"c-9","amountCents":"1250","currency":"EUR","placedAt":"2026-03-01T23:15:00+02:00"}"#)
        let a = try #require(try mapper.map(snake, sequence: 42, subject: "s"))
        let b = try #require(try mapper.map(camel, sequence: 42, subject: "s"))
        #expect(a == b)
        #expect(b.idempotencyKey == "o-1")
        // The annotated spelling wins when a producer sends both.
        let both = try fact("orders.order_placed.v1", #"{"order_id":"o-1","orderId":"o-2","customer_id":"c-9","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T23:15:00Z"}"#)
        #expect(try #require(try mapper.map(both, sequence: 1, subject: "s")).idempotencyKey == "o-1")
    }

    @Test("a refund feeds only daily_sales, on the UTC date of refunded_at")
    func refund() throws {
        let f = try fact("orders.order_refunded.v1", #"{"refund_id":"r-1","order_id":"o-1","amount_cents":"300","refunded_at":"2026-03-02T00:30:00Z"}"#)
        let mapped = try #require(try mapper.map(f, sequence: 7, subject: "s"))
        #expect(mapped.idempotencyKey == "r-1")
        #expect(row(mapped, table: "orders") == nil)
        let daily = try #require(row(mapped, table: "daily_sales"))
        #expect(daily["day"] == .date(20_514))
        #expect(daily["refund_cents"] == .int64(300), "int64 may arrive as a decimal string (proto3 JSON)")
        #expect(daily["order_count"] == .int64(0))
    }

    @Test("a type no table consumes maps to nothing")
    func unconsumed() throws {
        #expect(try mapper.map(try fact("orders.order_shipped.v1", "{}"), sequence: 1, subject: "s") == nil)
    }

    @Test("poison data is rejected with the field named", arguments: [
        (#"{"order_id":"o","customer_id":"c","amount_cents":"abc","currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, "data.amount_cents"),
        (#"{"order_id":"o","customer_id":"c","amount_cents":1.5,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, "data.amount_cents"),
        (#"{"order_id":"o","customer_id":"c","amount_cents":true,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, "data.amount_cents"),
        (#"{"order_id":"o","customer_id":"c","amount_cents":1,"currency":"EUR","placed_at":"yesterday"}"#, "data.placed_at"),
        (#"{"order_id":"o","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, "data.customer_id"),
        (#"{"customer_id":"c","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, "data.order_id"),
        (#"{"order_id":"o","customer_id":7,"amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, "data.customer_id"),
    ])
    func poison(data: String, field: String) throws {
        let f = try fact("orders.order_placed.v1", data)
        do {
            _ = try mapper.map(f, sequence: 1, subject: "s")
            Issue.record("expected a rejection for \(field)")
        } catch {
            #expect(error.field == field)
        }
    }

    @Test("composite keys: parts escaped and joined; envelope parts; a missing part names itself")
    func compositeKeys() throws {
        var schema = self.schema
        schema.bindings[0] = FactBinding(factType: "orders.order_placed.v1", ref: "order_placed",
                                         keyParts: [.envelope(.source), .data(FieldPath(["order_id"])), .envelope(.id)])
        let mapper = FactMapper(schema: schema)
        let data = { (id: String) in #"{"order_id":"\#(id)","customer_id":"c","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"# }
        let plain = try #require(try mapper.map(try fact("orders.order_placed.v1", data("o-1")), sequence: 1, subject: "s"))
        #expect(plain.idempotencyKey == "/o|o-1|e")
        let hostile = try #require(try mapper.map(try fact("orders.order_placed.v1", data(#"a|b\\"#)), sequence: 1, subject: "s"))
        #expect(hostile.idempotencyKey == #"/o|a\|b\\|e"#)
        #expect(throws: FactRejection(code: .missingField, field: "data.order_id", detail: "the idempotency key is required")) {
            try mapper.map(try fact("orders.order_placed.v1", #"{"customer_id":"c","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#), sequence: 1, subject: "s")
        }
    }

    @Test("a NUL in the tenant, or key strings too long for the stores' key entries, quarantine the fact")
    func keyDomains() throws {
        let long = String(repeating: "x", count: 2_001)
        let tooLong = try fact("orders.order_placed.v1", #"{"order_id":"\#(long)","customer_id":"c","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#)
        #expect(throws: FactRejection.self) { try mapper.map(tooLong, sequence: 1, subject: "s") }
        let nul = try fact("orders.order_placed.v1", #"{"order_id":"o","customer_id":"c","amount_cents":1,"currency":"EUR","placed_at":"2026-03-01T10:00:00Z"}"#, tenant: #"t\u0000"#)
        #expect(throws: FactRejection.self) { try mapper.map(nul, sequence: 1, subject: "s") }
    }

    /// Postgres indexes an append table's sort key apart from its primary key, with the same entry
    /// limit: a long sort-key string is refused with its field named, on both stores alike.
    @Test("sort-key strings indexed apart from the primary key have the key limit too")
    func sortKeyBytes() throws {
        let mapper = FactMapper(schema: Self.logSchema(
            extra: [ColumnSchema(name: "note", type: .string, sources: [ColumnSource(factType: "e.v1", value: .data(FieldPath(["note"])))])],
            orderBy: ["tenant_id", "note"]))
        let ok = try #require(try mapper.map(try fact("e.v1", #"{"id":"1","note":"\#(String(repeating: "n", count: 1_990))"}"#), sequence: 1, subject: "s"))
        #expect(ok.rows.count == 1)
        let long = try fact("e.v1", #"{"id":"2","note":"\#(String(repeating: "n", count: 3_000))"}"#)
        do {
            _ = try mapper.map(long, sequence: 2, subject: "s")
            Issue.record("a 3,000-byte sort-key string was accepted")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.field == "tenant, data.note" && error.detail.contains("sort key"), "\(error)")
        }
    }

    /// A number as an idempotency key is an integer, exactly, in any notation; anything else is refused
    /// naming the field. Through a double, `1e400` and `2e400` were both `inf` (the second fact was then
    /// skipped as a duplicate, neither stored nor quarantined) and `1e2` was `100.0` beside `100`.
    @Test("a numeric idempotency key is an exact integer in canonical digits, or refused")
    func numericKeys() throws {
        let mapper = FactMapper(schema: Self.logSchema())
        func key(_ literal: String) throws -> String? { try mapper.map(try fact("e.v1", #"{"id":\#(literal)}"#), sequence: 1, subject: "s")?.idempotencyKey }
        let digits40 = "1234567890123456789012345678901234567890"
        for (literal, expected) in [("100", "100"), ("1e2", "100"), ("100.0", "100"), ("1.00e2", "100"), ("10000e-2", "100"), ("-0", "0"), ("0.0e5", "0"),
                                    ("-42", "-42"), ("18446744073709551616", "18446744073709551616"), (digits40, digits40),
                                    ("1e40", "1" + String(repeating: "0", count: 40)), ("2e40", "2" + String(repeating: "0", count: 40)),
                                    ("123456789012345678.0", "123456789012345678"), ("9007199254740993", "9007199254740993")] {
            #expect(try key(literal) == expected, "\(literal)")
        }
        for literal in ["1.5", "1e-1", "1.0000000000000001", "1e400000", "0.1e1000000"] {
            #expect(throws: FactRejection(code: .invalidValue, field: "data.id", detail: "the idempotency key must be a string or an integer"), "\(literal)") {
                _ = try key(literal)
            }
        }
        // Randomised: an integer written with a fraction of zeros and a compensating exponent keeps its digits.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let value = Int64.random(in: .min / 2 ... .max / 2, using: &rng)
            let zeros = Int.random(in: 0...5, using: &rng)
            let literal = "\(value)" + (zeros > 0 ? "." + String(repeating: "0", count: zeros) : "") + "e0"
            #expect(try key(literal) == String(value), "\(literal)")
            #expect(try key("\(value)00e-2") == String(value))
        }
    }

    /// One fact type `e.v1` keyed by `id`, into an append table `log` (tenant, sequence, then `extra`).
    static func logSchema(extra: [ColumnSchema] = [], orderBy: [String]? = nil) -> ProjectionSchema {
        ProjectionSchema(
            name: "p", storeKinds: [.clickhouse, .postgres],
            bindings: [FactBinding(factType: "e.v1", ref: "e", idempotencyKey: FieldPath(["id"]))],
            tables: [TableSchema(name: "log", kind: .append, columns: [
                ColumnSchema(name: "tenant_id", type: .string, sources: [ColumnSource(factType: "e.v1", value: .envelope(.tenant))]),
                ColumnSchema(name: "seq", type: .uint64, sources: [ColumnSource(factType: "e.v1", value: .envelope(.streamSequence))]),
            ] + extra, primaryKey: ["tenant_id", "seq"], orderBy: orderBy)])
    }
}
