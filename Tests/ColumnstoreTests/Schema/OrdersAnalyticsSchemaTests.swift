import Columnstore
import Foundation
import Testing

@Suite("orders-analytics schema")
struct OrdersAnalyticsSchemaTests {
    let schema = ProjectionSchema.ordersAnalytics

    @Test("projection, stores and fact bindings")
    func bindings() throws {
        #expect(schema.name == "orders-analytics")
        #expect(schema.storeKinds == [.clickhouse, .postgres])
        #expect(schema.bindings == [
            FactBinding(factType: "orders.order_placed.v1", ref: "order_placed", idempotencyKey: FieldPath(["order_id"]),
                        dataMessage: "orders.analytics.v1.OrderPlacedData"),
            FactBinding(factType: "orders.order_refunded.v1", ref: "order_refunded", idempotencyKey: FieldPath(["refund_id"]),
                        dataMessage: "orders.analytics.v1.OrderRefundedData"),
        ])
        #expect(schema.binding(forFactType: "orders.order_refunded.v1")?.ref == "order_refunded")
        #expect(schema.binding(forFactType: "orders.unknown.v1") == nil)
        #expect(schema.tables(consuming: "orders.order_placed.v1").map(\.name) == ["orders", "daily_sales"])
        #expect(schema.tables(consuming: "orders.order_refunded.v1").map(\.name) == ["daily_sales"])
    }

    @Test("orders is a latest table versioned by stream sequence")
    func orders() throws {
        let orders = try #require(schema.table(named: "orders"))
        #expect(orders.kind == .latest)
        #expect(orders.messageName == "orders.analytics.v1.Order")
        #expect(orders.columns.map(\.name) == ["tenant_id", "order_id", "customer_id", "amount_cents", "currency", "placed_at", "_version"])
        #expect(orders.columns.map(\.type) == [.string, .string, .string, .int64, .string, .timestamp, .uint64])
        #expect(orders.primaryKey == ["tenant_id", "order_id"])
        #expect(orders.orderBy == ["tenant_id", "order_id"])
        #expect(orders.partitionBy == PartitionHint(column: "placed_at", granularity: .month))
        #expect(orders.ttl == TTLHint(column: "placed_at", days: 730))
        #expect(orders.versionColumn == "_version")
        #expect(orders.keyColumns.map(\.name) == ["tenant_id", "order_id"])
        #expect(orders.measureColumns.isEmpty)
        let tenant = try #require(orders.column(named: "tenant_id"))
        #expect(tenant.lowCardinality)
        #expect(tenant.sources == [ColumnSource(factType: "orders.order_placed.v1", value: .envelope(.tenant))])
        let version = try #require(orders.column(named: "_version"))
        #expect(version.fieldName == "version")
        #expect(version.sources == [ColumnSource(factType: "orders.order_placed.v1", value: .envelope(.streamSequence))])
    }

    @Test("daily_sales aggregates placed and refunded facts per UTC day")
    func dailySales() throws {
        let sales = try #require(schema.table(named: "daily_sales"))
        #expect(sales.kind == .aggregate)
        #expect(sales.primaryKey == ["tenant_id", "day"])
        #expect(sales.orderBy == ["tenant_id", "day"])
        // The declared sums, then the fact count every sum-only table gets (TableSchema+FactCount).
        #expect(sales.measureColumns.map(\.name) == ["order_count", "gross_cents", "refund_cents", "_projection_facts"])
        let count = try #require(sales.column(named: TableSchema.factCountColumn))
        #expect(count.type == .uint64 && count.aggregate == .sum && !count.nullable)
        #expect(count.sources == [
            ColumnSource(factType: "orders.order_placed.v1", value: .constant("1")),
            ColumnSource(factType: "orders.order_refunded.v1", value: .constant("1")),
        ])
        #expect(sales.measureColumns.allSatisfy { $0.aggregate == .sum })
        #expect(sales.factTypes == ["orders.order_placed.v1", "orders.order_refunded.v1"])
        let day = try #require(sales.column(named: "day"))
        #expect(day.type == .date)
        #expect(day.sources == [
            ColumnSource(factType: "orders.order_placed.v1", value: .data(FieldPath(["placed_at"])), transform: .toDate),
            ColumnSource(factType: "orders.order_refunded.v1", value: .data(FieldPath(["refunded_at"])), transform: .toDate),
        ])
        #expect(sales.column(named: "order_count")?.sources == [ColumnSource(factType: "orders.order_placed.v1", value: .constant("1"))])
        #expect(sales.column(named: "refund_cents")?.source(forFactType: "orders.order_placed.v1") == nil)
        #expect(sales.column(named: "refund_cents")?.source(forFactType: "orders.order_refunded.v1")?.value == .data(FieldPath(["amount_cents"])))
    }

    @Test("query service methods, parameters and response shapes")
    func queryService() throws {
        let service = try #require(schema.queryService)
        #expect(service.fullName == "orders.analytics.v1.OrdersAnalyticsQuery")
        #expect(service.methods.map(\.name) == ["GetDailySales", "GetTopCustomers", "GetOrder"])

        let daily = try #require(service.method(named: "GetDailySales"))
        #expect(daily.sqlName == "get_daily_sales")
        #expect(daily.response == .rows(field: "rows"))
        #expect(daily.rowMessage == "orders.analytics.v1.DailySalesRow")
        #expect(daily.rowFields.map(\.name) == ["day", "order_count", "gross_cents", "refund_cents", "net_cents"])
        let fromDay = try #require(daily.requestFields.first)
        #expect(fromDay.name == "from_day" && fromDay.jsonName == "fromDay" && fromDay.type == .string)
        #expect(fromDay.hints == QueryParameterHints(isRequired: true, valueType: .date))

        let top = try #require(service.method(named: "GetTopCustomers"))
        let limit = try #require(top.requestFields.first { $0.name == "limit" })
        #expect(limit.type == .uint32 && limit.isOptional)
        #expect(limit.hints == QueryParameterHints(defaultValue: 10, minimum: 1, maximum: 1000))
        #expect(top.rowFields.map(\.name) == ["customer_id", "order_count", "gross_cents"])

        let order = try #require(service.method(named: "GetOrder"))
        #expect(order.response == .single(field: "order"))
        #expect(order.rowMessage == "orders.analytics.v1.Order")
        #expect(order.rowFields.first { $0.name == "placed_at" }?.type == .timestamp)
    }

    @Test("resolve prefers an explicit descriptor set, then the environment, then the built-in one")
    func resolve() throws {
        let shop = FixtureFiles.path("shop_v1.binpb")
        #expect(try ProjectionSchema.resolve(environment: [:]) == schema)
        #expect(try ProjectionSchema.resolve(environment: ["PROJECTION_DESCRIPTOR_SET": shop]).name == "shop")
        #expect(try ProjectionSchema.resolve(descriptorSetPath: shop, environment: [:]).name == "shop")
        let error = try #require(throws: SchemaError.self) {
            try ProjectionSchema.resolve(descriptorSetPath: "/nonexistent/set.binpb", environment: [:])
        }
        #expect(error.code == .invalidDescriptorSet)
    }

    @Test("tables default their name from the message and sort keys come from sort_key_order")
    func shopDefaults() throws {
        let shop = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v1.binpb"))
        #expect(shop.tables.map(\.name) == ["item_views", "item_prices", "hourly_views"])
        let views = try #require(shop.table(named: "item_views"))
        #expect(views.primaryKey.isEmpty)
        #expect(views.orderBy == ["tenant_id", "viewed_at", "item_id"])
        #expect(views.column(named: "referrer")?.nullable == true)
        #expect(views.column(named: "referrer")?.sources.first?.isRequired == false)
        #expect(views.column(named: "stream_sequence")?.codec == "Delta, ZSTD")
        #expect(shop.table(named: "item_prices")?.column(named: "price")?.type == .decimal(precision: 12, scale: 2))
        #expect(shop.table(named: "item_prices")?.column(named: "item_id")?.sources.first?.value == .data(FieldPath(["change", "item_id"])))
        #expect(shop.table(named: "hourly_views")?.column(named: "last_sequence")?.aggregate == .max)
        #expect(shop.queryService == nil)
    }
}
