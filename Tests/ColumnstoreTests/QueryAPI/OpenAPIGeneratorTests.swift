import Columnstore
import Foundation
@testable import QueryAPI
import Testing

@Suite("OpenAPI generation")
struct OpenAPIGeneratorTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/openapi.json").path

    @Test("deterministic, with one path per RPC and typed fields")
    func document() throws {
        let schema = ProjectionSchema.ordersAnalytics
        let text = OpenAPIGenerator.render(schema: schema)
        #expect(text == OpenAPIGenerator.render(schema: schema))
        let json = try JSONParser.parse(text)
        for method in ["GetDailySales", "GetTopCustomers", "GetOrder"] {
            let path = json["paths"]?["/orders.analytics.v1.OrdersAnalyticsQuery/\(method)"]
            #expect(path?["post"] != nil)
            #expect(path?["get"] != nil)
        }
        let request = json["components"]?["schemas"]?["GetTopCustomersRequest"]
        #expect(request?["properties"]?["fromDay"]?["format"] == .string("date"))
        #expect(request?["properties"]?["limit"]?["maximum"] == .number("1000"))
        #expect(json["components"]?["schemas"]?["DailySalesRow"]?["properties"]?["grossCents"]?["type"] == .string("string"))
    }

    @Test("the committed docs/openapi.json is up to date (regenerate: projection-query openapi --output docs/openapi.json)")
    func committedIsCurrent() throws {
        let committed = try #require(FileManager.default.contents(atPath: Self.committed))
        #expect(String(decoding: committed, as: UTF8.self) == OpenAPIGenerator.render(schema: .ordersAnalytics))
    }
}
