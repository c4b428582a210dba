@testable import Columnstore
import Testing

@Suite("State hash: what is hashed")
struct StateHashLayoutTests {
    @Test("orders: every column but the stream-sequence version, ordered by tenant then order id")
    func orders() throws {
        let layout = try #require(try StateHashLayout.layouts(of: .ordersAnalytics, table: "orders").first)
        #expect(layout.columns.map(\.name) == ["tenant_id", "order_id", "customer_id", "amount_cents", "currency", "placed_at"])
        #expect(layout.excluded.map(\.column) == ["_version"])
        #expect(layout.tenantColumn.name == "tenant_id")
        #expect(layout.orderColumns.map(\.name) == ["tenant_id", "order_id"])
        #expect(!layout.omitsZeroRows)
        #expect(layout.header == "projection-state-hash/v1\torders\ttenant_id:string\torder_id:string\tcustomer_id:string\tamount_cents:int64\tcurrency:string\tplaced_at:timestamp\n")
    }

    @Test("daily_sales: key and sums, the fact count included; all-zero rows (only rows from before the count) are left out")
    func dailySales() throws {
        let layout = try #require(try StateHashLayout.layouts(of: .ordersAnalytics, table: "daily_sales").first)
        #expect(layout.columns.map(\.name) == ["tenant_id", "day", "order_count", "gross_cents", "refund_cents", "_projection_facts"])
        #expect(layout.excluded.isEmpty)
        #expect(layout.omitsZeroRows)
        #expect(layout.measureIndices == [2, 3, 4, 5])
    }

    @Test("every table of the projection, in schema order; an unknown table is named")
    func tables() throws {
        #expect(try StateHashLayout.layouts(of: .ordersAnalytics).map(\.table.name) == ["orders", "daily_sales"])
        let error = try #require(throws: StateHashError.self) { try StateHashLayout.layouts(of: .ordersAnalytics, table: "nope") }
        #expect(error.code == .unknownTable)
        #expect(error.description.contains("orders, daily_sales"))
    }

    @Test("shop: stream sequences are left out, an event-time version column is kept; only all-sum tables drop zero rows")
    func shop() throws {
        let shop = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v1.binpb"))
        let layouts = try StateHashLayout.layouts(of: shop)
        let views = try #require(layouts.first { $0.table.name == "item_views" })
        #expect(views.excluded.map(\.column) == ["stream_sequence"])
        #expect(views.orderColumns.first?.name == "tenant_id")
        let prices = try #require(layouts.first { $0.table.name == "item_prices" })
        #expect(prices.columns.contains { $0.name == "changed_at" })
        let hourly = try #require(layouts.first { $0.table.name == "hourly_views" })
        #expect(hourly.excluded.map(\.column) == ["last_sequence"])
        #expect(!hourly.omitsZeroRows) // a max measure: AggregatingMergeTree keeps zero rows
    }

    @Test("a table without a tenant column cannot be hashed per tenant")
    func noTenant() throws {
        let table = TableSchema(name: "t", kind: .aggregate, columns: [ColumnSchema(name: "k", type: .string)], primaryKey: ["k"])
        let error = try #require(throws: StateHashError.self) { try StateHashLayout(table: table) }
        #expect(error.code == .noTenantColumn)
    }
}
