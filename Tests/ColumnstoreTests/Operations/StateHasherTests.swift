@testable import Columnstore
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

@Suite("State hash: ordering and digests, no I/O")
struct StateHasherTests {
    let sales = try! StateHashLayout.layouts(of: .ordersAnalytics, table: "daily_sales")[0]
    let orders = try! StateHashLayout.layouts(of: .ordersAnalytics, table: "orders")[0]

    static func day(_ text: String) -> ColumnValue { .date(RFC3339.parseDate(text)!) }

    var acmeSales: [[ColumnValue]] {
        [
            [.string("acme"), Self.day("2026-11-01"), .int64(3), .int64(3500), .int64(200), .uint64(4)],
            [.string("acme"), Self.day("2026-11-02"), .int64(3), .int64(3500), .int64(0), .uint64(3)],
            [.string("acme"), Self.day("2026-11-05"), .int64(0), .int64(0), .int64(300), .uint64(1)],
        ]
    }

    @Test("the digest is SHA-256 of the header and the canonical lines in key order")
    func knownAnswer() throws {
        let hash = try StateHasher.hash(acmeSales.reversed(), tenant: "acme", layout: sales)
        let text = sales.header
            + "acme\t2026-11-01\t3\t3500\t200\t4\n"
            + "acme\t2026-11-02\t3\t3500\t0\t3\n"
            + "acme\t2026-11-05\t0\t0\t300\t1\n"
        #expect(hash.digest == SHA256.hexDigest(Array(text.utf8)))
        #expect(hash.rowCount == 3)
        #expect(hash.digest.count == 64)
    }

    @Test("the order the store returns rows in does not matter")
    func orderIndependent() throws {
        let expected = try StateHasher.hash(acmeSales, tenant: "acme", layout: sales)
        for _ in 0..<10 {
            #expect(try StateHasher.hash(acmeSales.shuffled(), tenant: "acme", layout: sales) == expected)
        }
    }

    @Test("keys are ordered by value, not by text: 9 before 10, strings by bytes")
    func keyOrder() throws {
        let table = TableSchema(
            name: "t", kind: .latest,
            columns: [
                ColumnSchema(name: "tenant_id", type: .string, sources: [ColumnSource(factType: "f", value: .envelope(.tenant))]),
                ColumnSchema(name: "n", type: .int64),
                ColumnSchema(name: "s", type: .string),
            ],
            primaryKey: ["tenant_id", "n", "s"])
        let layout = try StateHashLayout(table: table)
        let rows: [[ColumnValue]] = [
            [.string("t"), .int64(10), .string("a")],
            [.string("t"), .int64(9), .string("b")],
            [.string("t"), .int64(9), .string("B")],
            [.string("t"), .int64(-1), .string("é")],
        ]
        let hash = try StateHasher.hash(rows, tenant: "t", layout: layout)
        let text = layout.header + "t\t-1\té\n" + "t\t9\tB\n" + "t\t9\tb\n" + "t\t10\ta\n"
        #expect(hash.digest == SHA256.hexDigest(Array(text.utf8)))
    }

    @Test("changing any one value changes the digest")
    func sensitive() throws {
        let base = try StateHasher.hash(acmeSales, tenant: "acme", layout: sales).digest
        for row in acmeSales.indices {
            for column in 2..<6 {
                var changed = acmeSales
                switch changed[row][column] {
                case .int64(let v): changed[row][column] = .int64(v + 1)
                case .uint64(let v): changed[row][column] = .uint64(v + 1)
                default: Issue.record("unexpected value in column \(column)")
                }
                #expect(try StateHasher.hash(changed, tenant: "acme", layout: sales).digest != base)
            }
        }
        #expect(try StateHasher.hash(Array(acmeSales.dropLast()), tenant: "acme", layout: sales).digest != base)
    }

    @Test("NULL, the empty string and the text \\N hash differently")
    func nullIsDistinct() throws {
        func digest(_ customer: ColumnValue) throws -> String {
            try StateHasher.hash([[.string("a"), .string("o1"), customer, .int64(1), .string("EUR"), .timestamp(0)]], tenant: "a", layout: orders).digest
        }
        let digests = try [digest(.null), digest(.string("")), digest(.string("\\N"))]
        #expect(Set(digests).count == 3)
    }

    @Test("rows whose sums are all zero, the fact count included, are not state (only rows from before the count; ClickHouse's SummingMergeTree deletes them)")
    func zeroRows() throws {
        let withZero = acmeSales + [[.string("acme"), Self.day("2026-11-09"), .int64(0), .int64(0), .int64(0), .uint64(0)]]
        #expect(try StateHasher.hash(withZero, tenant: "acme", layout: sales) == StateHasher.hash(acmeSales, tenant: "acme", layout: sales))
        let onlyZero = try StateHasher.hash([withZero[3]], tenant: "acme", layout: sales)
        #expect(onlyZero.rowCount == 0)
        #expect(onlyZero.digest == SHA256.hexDigest(Array(sales.header.utf8)))
    }

    @Test("a row whose sums cancel out is state: its fact count keeps it on both stores")
    func cancelledRowsKept() throws {
        let cancelled: [ColumnValue] = [.string("acme"), Self.day("2026-11-09"), .int64(0), .int64(0), .int64(0), .uint64(2)]
        let hash = try StateHasher.hash(acmeSales + [cancelled], tenant: "acme", layout: sales)
        #expect(hash.rowCount == 4)
        #expect(hash != (try StateHasher.hash(acmeSales, tenant: "acme", layout: sales)))
    }

    @Test("the table digest covers tenants in byte order, whatever order they were hashed in")
    func combine() throws {
        let a = TenantStateHash(tenant: "acme", rowCount: 3, digest: String(repeating: "a", count: 64))
        let b = TenantStateHash(tenant: "Zeta\tx", rowCount: 1, digest: String(repeating: "b", count: 64))
        let combined = StateHasher.combine([a, b], layout: sales)
        #expect(combined == StateHasher.combine([b, a], layout: sales))
        #expect(combined.tenants.map(\.tenant) == ["Zeta\tx", "acme"])
        #expect(combined.rowCount == 4)
        let text = sales.header + "Zeta\\tx\t1\t\(b.digest)\n" + "acme\t3\t\(a.digest)\n"
        #expect(combined.digest == SHA256.hexDigest(Array(text.utf8)))
        #expect(StateHasher.combine([a], layout: sales).digest != combined.digest)
    }

    @Test("the store queries bind the tenant and read merged state")
    func queries() throws {
        let clickhouseSales = ClickHouseStateHashReader.rowsQuery(sales)
        #expect(clickhouseSales.contains("{tenant:String}"))
        #expect(clickhouseSales.contains("sum(`order_count`)"))
        #expect(clickhouseSales.contains("GROUP BY `tenant_id`, `day`"))
        let clickhouseOrders = ClickHouseStateHashReader.rowsQuery(orders)
        #expect(clickhouseOrders.contains("FROM `orders` FINAL"))
        #expect(clickhouseOrders.contains("toUnixTimestamp64Milli(`placed_at`)"))
        #expect(!clickhouseOrders.contains("_version"))
        let postgresOrders = PostgresStateHashReader.rowsQuery(orders)
        #expect(postgresOrders.contains("= $1"))
        #expect(postgresOrders.contains("ORDER BY \"tenant_id\" COLLATE \"C\", \"order_id\" COLLATE \"C\""))
        #expect(!postgresOrders.contains("_version"))
    }
}
