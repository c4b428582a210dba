import Columnstore
import Foundation
@testable import QueryAPI
import Testing

@Suite("OpenAPI generation")
struct OpenAPIGeneratorTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json").path

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

    @Test("Connect: required bodies, both codecs, value ranges, the GET form, 415")
    func connect() throws {
        let json = try JSONParser.parse(OpenAPIGenerator.render(schema: .ordersAnalytics))
        let path = json["paths"]?["/orders.analytics.v1.OrdersAnalyticsQuery/GetDailySales"]
        #expect(path?["post"]?["requestBody"]?["required"] == .bool(true))
        #expect(path?["post"]?["requestBody"]?["content"]?["application/proto"] != nil)
        #expect(path?["post"]?["responses"]?["200"]?["content"]?["application/proto"] != nil)
        #expect(path?["post"]?["responses"]?["415"] != nil)
        #expect(path?["post"]?["responses"]?["501"] != nil)
        guard case .array(let parameters)? = path?["get"]?["parameters"] else { Issue.record("no GET parameters"); return }
        let refs = parameters.compactMap { parameter -> String? in
            if case .string(let ref)? = parameter["$ref"] { return ref }
            return nil
        }
        for name in ["getEncoding", "getMessage", "getBase64", "getCompression", "getConnect", "connectTimeoutMs"] {
            #expect(refs.contains("#/components/parameters/\(name)"), "\(name)")
        }
        let fromDay = json["components"]?["schemas"]?["GetDailySalesRequest"]?["properties"]?["fromDay"]
        #expect(fromDay?["description"] == .string("A date from 1970-01-01 to 2149-06-06, YYYY-MM-DD."))
        let placedAt = json["components"]?["schemas"]?["Order"]?["properties"]?["placedAt"]
        #expect(placedAt?["description"] == .string("An RFC 3339 timestamp from 1900-01-01T00:00:00.000Z to 2299-12-31T23:59:59.999Z."))
        // A method with side effects has no GET.
        var schema = ProjectionSchema.ordersAnalytics
        schema.queryService!.methods[0].hasNoSideEffects = false
        let document = try JSONParser.parse(OpenAPIGenerator.render(schema: schema))
        #expect(document["paths"]?["/orders.analytics.v1.OrdersAnalyticsQuery/GetDailySales"]?["get"] == nil)
        #expect(document["paths"]?["/orders.analytics.v1.OrdersAnalyticsQuery/GetTopCustomers"]?["get"] != nil)
    }

    @Test("bytes are base64 (format byte); enums list their names, and requests their numbers too")
    func bytesAndEnums() {
        let blob = QueryFieldSchema(name: "blob", jsonName: "blob", number: 1, type: .bytes)
        for request in [true, false] {
            #expect(OpenAPIGenerator.fieldSchema(blob, request: request) == .object([("type", .string("string")), ("format", .string("byte"))]))
        }
        let kind = QueryFieldSchema(name: "kind", jsonName: "kind", number: 2, type: .enumeration("t.Kind"),
                                    enumValues: ["KIND_UNSPECIFIED": 0, "KIND_A": 1, "KIND_ALIAS_A": 1])
        #expect(OpenAPIGenerator.fieldSchema(kind, request: false) == .object([
            ("type", .string("string")), ("enum", .array([.string("KIND_UNSPECIFIED"), .string("KIND_A")])),
            ("description", .string("A value of t.Kind: its name.")),
        ]))
        #expect(OpenAPIGenerator.fieldSchema(kind, request: true) == .object([
            ("type", .array([.string("string"), .string("integer")])),
            ("enum", .array([.string("KIND_UNSPECIFIED"), .string("KIND_A"), .number("0"), .number("1")])),
            ("description", .string("A value of t.Kind: its name or number.")),
        ]))
    }

    @Test("the committed docs/openapi.json is up to date (regenerate: projection-query openapi --output docs/openapi.json)")
    func committedIsCurrent() throws {
        let committed = try #require(FileManager.default.contents(atPath: Self.committed))
        #expect(String(decoding: committed, as: UTF8.self) == OpenAPIGenerator.render(schema: .ordersAnalytics))
    }
}
