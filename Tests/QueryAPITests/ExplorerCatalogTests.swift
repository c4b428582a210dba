import Columnstore
import Foundation
@testable import QueryAPI
import Testing

@Suite("Query explorer catalog")
struct ExplorerCatalogTests {
    @Test("every RPC with its route, request fields (types and limits from the OpenAPI field schemas) and row columns")
    func orders() throws {
        let service = try #require(ProjectionSchema.ordersAnalytics.queryService)
        let json = try JSONParser.parse(JSONWriter.write(ExplorerCatalog.document(service: service, tenantHeader: "x-tenant-id", multiTenant: true, tokensRequired: false)))
        #expect(json["service"] == .string("orders.analytics.v1.OrdersAnalyticsQuery"))
        guard case .array(let methods)? = json["methods"] else { Issue.record("no methods"); return }
        #expect(methods.compactMap { if case .string(let s)? = $0["name"] { s } else { nil } } == ["GetDailySales", "GetTopCustomers", "GetOrder"])
        let top = methods[1]
        #expect(top["path"] == .string("/orders.analytics.v1.OrdersAnalyticsQuery/GetTopCustomers"))
        #expect(top["response"]?["kind"] == .string("rows"))
        guard case .array(let request)? = top["request"] else { Issue.record("no request"); return }
        #expect(request[0]["name"] == .string("from_day") && request[0]["required"] == .bool(true))
        #expect(request[0]["schema"]?["format"] == .string("date"))
        #expect(request[2]["schema"]?["maximum"] == .number("1000") && request[2]["schema"]?["default"] == .number("10"))
        guard case .array(let columns)? = methods[0]["columns"] else { Issue.record("no columns"); return }
        #expect(columns[0]["name"] == .string("day") && columns[0]["axis"] == .string("day"))
        #expect(columns[1]["axis"] == nil)
        #expect(methods[2]["response"]?["kind"] == .string("single"))
    }

    @Test("a chart axis is a day or an hour, by type and name")
    func axes() {
        func field(_ name: String, _ type: QueryFieldType, _ hints: QueryParameterHints? = nil) -> QueryFieldSchema {
            QueryFieldSchema(name: name, jsonName: name, number: 1, type: type, hints: hints)
        }
        #expect(ExplorerCatalog.axis(field("day", .string)) == "day")
        #expect(ExplorerCatalog.axis(field("placed_day", .string)) == "day")
        #expect(ExplorerCatalog.axis(field("hour", .timestamp)) == "hour")
        #expect(ExplorerCatalog.axis(field("recorded_at", .timestamp)) == "time")
        #expect(ExplorerCatalog.axis(field("when", .string, QueryParameterHints(valueType: .date))) == "day")
        #expect(ExplorerCatalog.axis(field("customer_id", .string)) == nil)
        #expect(ExplorerCatalog.axis(field("hour", .int64)) == nil)
    }
}
