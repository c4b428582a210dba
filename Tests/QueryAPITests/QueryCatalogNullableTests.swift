@testable import Columnstore
import Foundation
import Testing

/// Placeholders of request fields that bind NULL when absent (dates and timestamps that are not
/// required): ClickHouse cannot parse NULL as a plain `Date` or `DateTime64` (CANNOT_PARSE_DATE,
/// CANNOT_PARSE_DATETIME, a 500 on every request without the field), so the catalog asks for
/// `Nullable(...)` at load. DateTime64(9) cannot hold the request range (it ends in 2262).
@Suite("Query catalog: Nullable placeholders for absent dates and timestamps")
struct QueryCatalogNullableTests {
    static func method(_ fields: [QueryFieldSchema]) -> QueryMethodSchema {
        QueryMethodSchema(name: "ListThings", sqlName: "list_things", requestMessage: "t.Req", requestFields: fields,
                          responseMessage: "t.Res", response: .message, rowMessage: "t.Res", rowFields: [])
    }

    static let optionalDay = QueryFieldSchema(name: "since", jsonName: "since", number: 1, type: .string, isOptional: true,
                                              hints: QueryParameterHints(valueType: .date))
    static let requiredDay = QueryFieldSchema(name: "since", jsonName: "since", number: 1, type: .string,
                                              hints: QueryParameterHints(isRequired: true, valueType: .date))
    static let optionalTime = QueryFieldSchema(name: "since", jsonName: "since", number: 1, type: .timestamp, isOptional: true)
    static let optionalTimeText = QueryFieldSchema(name: "since", jsonName: "since", number: 1, type: .string,
                                                   hints: QueryParameterHints(valueType: .timestamp))

    static func sql(_ type: String) -> String {
        "SELECT 1 FROM t WHERE tenant_id = {tenant_id:String} AND ({since:\(type)} IS NULL OR d >= {since:\(type)})"
    }

    @Test("a plain Date or DateTime64 placeholder of a field that binds NULL is refused at load, naming field and fix",
          arguments: [(optionalDay, "Date"), (optionalTime, "DateTime64(3)"), (optionalTimeText, "DateTime64(3, 'UTC')")])
    func plainRefused(field: QueryFieldSchema, type: String) throws {
        let error = try #require(throws: QueryCatalogError.self) {
            try QueryCatalog.prepare(method: Self.method([field]), store: .clickhouse, text: Self.sql(type), path: "q.sql")
        }
        #expect(error.code == .parameterMismatch)
        let text = "\(error)"
        #expect(text.contains("ListThings") && text.contains("'since'") && text.contains("Nullable(\(type))"), "\(text)")
    }

    @Test("Nullable placeholders load; a required field may stay plain; Postgres placeholders have no type to check",
          arguments: [(optionalDay, "Nullable(Date)"), (optionalDay, "Nullable(Date32)"), (optionalTime, "Nullable(DateTime64(3))"),
                      (optionalTimeText, "Nullable(DateTime64(3, 'UTC'))"), (requiredDay, "Date"), (requiredDay, "Nullable(Date)")])
    func accepted(field: QueryFieldSchema, type: String) throws {
        let query = try QueryCatalog.prepare(method: Self.method([field]), store: .clickhouse, text: Self.sql(type), path: "q.sql")
        #expect(query.placeholders.contains { $0.name == "since" })
        let pg = "SELECT 1 FROM t WHERE tenant_id = {tenant_id} AND ({since}::date IS NULL OR d >= {since})"
        _ = try QueryCatalog.prepare(method: Self.method([field]), store: .postgres, text: pg, path: "q.sql")
    }

    @Test("DateTime64(9) is refused for timestamps: it ends in 2262, requests reach 2299-12-31", arguments: ["DateTime64(9)", "Nullable(DateTime64(9, 'UTC'))"])
    func nanosecondsRefused(type: String) throws {
        let error = try #require(throws: QueryCatalogError.self) {
            try QueryCatalog.prepare(method: Self.method([Self.optionalTime]), store: .clickhouse, text: Self.sql(type), path: "q.sql")
        }
        #expect("\(error)".contains("2262") && "\(error)".contains("'since'"), "\(error)")
        for ok in ["Nullable(DateTime64(8))", "Nullable(DateTime64(0, 'UTC'))"] {
            _ = try QueryCatalog.prepare(method: Self.method([Self.optionalTime]), store: .clickhouse, text: Self.sql(ok), path: "q.sql")
        }
    }

    @Test("type helpers", arguments: [("Nullable(Date)", true), ("LowCardinality(Nullable(String))", true), ("Date", false),
                                      ("DateTime64(3, 'UTC')", false), (" Nullable(DateTime64(3))", true)])
    func nullable(type: String, expected: Bool) {
        #expect(QueryCatalog.isNullable(type) == expected)
    }
}
