@testable import Columnstore
import Foundation
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

@Suite("Query catalog and parameter binding")
struct QueryCatalogTests {
    static let service = ProjectionSchema.ordersAnalytics.queryService!
    static let topCustomers = service.method(named: "GetTopCustomers")!
    static let sqlDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sql").path

    @Test("the committed query files fit every RPC", arguments: [StoreKind.clickhouse, .postgres])
    func committedFiles(store: StoreKind) throws {
        let catalog = try QueryCatalog.load(service: Self.service, store: store, sqlDirectory: Self.sqlDirectory)
        #expect(Set(catalog.queries.keys) == ["GetDailySales", "GetTopCustomers", "GetOrder"])
        for query in catalog.queries.values {
            #expect(query.placeholders.contains { $0.name == PreparedQuery.tenantParameter })
        }
    }

    @Test("Postgres placeholders become $n in order of first use, repeats share a number")
    func postgresBinding() throws {
        let sql = """
            -- {not_a_param} in a comment
            SELECT customer_id, '{literal}' AS x FROM orders
            WHERE tenant_id = {tenant_id} AND d >= {from_day} AND d <= {to_day} AND {from_day} IS NOT NULL
            LIMIT {limit};
            """
        let query = try QueryCatalog.prepare(method: Self.topCustomers, store: .postgres, text: sql, path: "t.sql")
        #expect(query.placeholders.map(\.name) == ["tenant_id", "from_day", "to_day", "limit"])
        #expect(query.sql.contains("tenant_id = $1 AND d >= $2 AND d <= $3 AND $2 IS NOT NULL"))
        #expect(query.sql.contains("'{literal}'"))
        #expect(query.sql.contains("{not_a_param}"))
        #expect(query.sql.hasSuffix("LIMIT $4"))
    }

    @Test("mismatches are startup errors naming the problem", arguments: [
        ("SELECT 1 WHERE {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "tenant"),
        ("SELECT 1 WHERE t = {tenant_id:String} AND {from_day:Date} < {to_day:Date}", "limit"),
        ("SELECT 1 WHERE t = {tenant_id:String} AND {from_day:String} < {to_day:Date} LIMIT {limit:UInt32}", "from_day"),
        ("SELECT 1 WHERE t = {tenant_id:String} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32} OFFSET {skip:UInt32}", "skip"),
        ("SELECT 1 WHERE t = {tenant_id} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "type"),
        ("SELECT 1; DROP TABLE x", "one statement"),
        // The tenant only as `<column> = {tenant_id}`: anything else can read other tenants' rows.
        ("SELECT {tenant_id:String} AS t WHERE {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "only as <tenant column>"),
        ("SELECT 1 WHERE like(t, {tenant_id:String}) AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "only as <tenant column>"),
        ("SELECT 1 WHERE t LIKE {tenant_id:String} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "only as <tenant column>"),
        ("SELECT 1 WHERE t >= {tenant_id:String} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "only as <tenant column>"),
        ("SELECT 1 WHERE lower(t) = {tenant_id:String} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "only as <tenant column>"),
        ("SELECT 1 WHERE t = {tenant_id:String} OR t2 != {tenant_id:String} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "only as <tenant column>"),
        // In a ClickHouse `#` comment the placeholder is not bound: the file has no tenant filter.
        ("SELECT 1 WHERE 1 # t = {tenant_id:String}\n AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}", "tenant"),
        ("-- nothing", "no statement"),
    ])
    func mismatches(sql: String, fragment: String) {
        #expect {
            _ = try QueryCatalog.prepare(method: Self.topCustomers, store: .clickhouse, text: sql, path: "bad.sql")
        } throws: { error in
            "\(error)".contains(fragment) && "\(error)".contains("GetTopCustomers")
        }
    }

    @Test("the tenant's equality may be written either way round, qualified or quoted")
    func tenantEqualities() throws {
        for filter in ["o.tenant_id = {tenant_id:String}", "{tenant_id:String} = o.tenant_id", "`tenant_id`={tenant_id:String}", "\"org\" = {tenant_id:String}"] {
            let sql = "SELECT 1 FROM orders o WHERE \(filter) AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}"
            #expect(throws: Never.self, "\(filter)") { _ = try QueryCatalog.prepare(method: Self.topCustomers, store: .clickhouse, text: sql, path: "ok.sql") }
        }
    }

    @Test("repeated and message row fields are refused at load, naming the field", arguments: [
        QueryFieldSchema(name: "tags", jsonName: "tags", number: 4, type: .string, isRepeated: true),
        QueryFieldSchema(name: "counts", jsonName: "counts", number: 4, type: .int64, isRepeated: true),
        QueryFieldSchema(name: "customer", jsonName: "customer", number: 4, type: .message("t.Customer"), isOptional: true),
    ])
    func rowFieldsMustBeScalars(field: QueryFieldSchema) throws {
        var method = Self.topCustomers
        method.rowFields.append(field)
        let sql = "SELECT 1 WHERE t = {tenant_id:String} AND {from_day:Date} < {to_day:Date} LIMIT {limit:UInt32}"
        #expect(throws: Never.self) { try QueryCatalog.prepare(method: Self.topCustomers, store: .clickhouse, text: sql, path: "q.sql") }
        let error = try #require(throws: QueryCatalogError.self) {
            try QueryCatalog.prepare(method: method, store: .clickhouse, text: sql, path: "q.sql")
        }
        #expect(error.code == .unsupportedField)
        #expect("\(error)".contains("row field '\(field.name)'") && "\(error)".contains("GetTopCustomers"), "\(error)")
    }

    @Test("a missing file names the RPC, store and path")
    func missingFile() {
        #expect {
            _ = try QueryCatalog.load(service: Self.service, store: .postgres, sqlDirectory: "/nonexistent")
        } throws: { error in
            (error as? QueryCatalogError)?.code == .missingFile && "\(error)".contains("/nonexistent/postgres/queries/GetDailySales.sql")
        }
    }

    @Test("ClickHouse parameter values are escaped so they arrive verbatim")
    func clickHouseEncoding() {
        #expect(ClickHouseQueryExecutor.encodeParameter(.string("a\\b\tc\nd'e")) == "a\\\\b\\tc\\nd'e")
        #expect(ClickHouseQueryExecutor.encodeParameter(.date(RFC3339.parseDate("2026-11-01")!)) == "2026-11-01")
        #expect(ClickHouseQueryExecutor.encodeParameter(.timestamp(RFC3339.parseMilliseconds("2026-11-01T10:00:00Z")!)) == "2026-11-01 10:00:00.000")
        #expect(ClickHouseQueryExecutor.encodeParameter(.int64(-3)) == "-3")
    }

    @Test("result cells decode by store type")
    func cellDecoding() {
        #expect(ClickHouseQueryExecutor.cellValue(.string("9223372036854775807"), type: "Int64") == .int64(.max))
        #expect(ClickHouseQueryExecutor.cellValue(.number("3"), type: "LowCardinality(Nullable(UInt32))") == .int64(3))
        #expect(ClickHouseQueryExecutor.cellValue(.string("2026-11-01 10:00:00.123"), type: "DateTime64(3, 'UTC')")
            == .timestamp(RFC3339.parseMilliseconds("2026-11-01T10:00:00.123Z")!))
        #expect(ClickHouseQueryExecutor.cellValue(.null, type: "Nullable(String)") == .null)
        #expect(PostgresQueryExecutor.cellValue("2026-11-01 10:00:00.123+00", typeOID: 1184) == .timestamp(RFC3339.parseMilliseconds("2026-11-01T10:00:00.123Z")!))
        #expect(PostgresQueryExecutor.cellValue("2026-11-01 12:00:00+02:00", typeOID: 1184) == .timestamp(RFC3339.parseMilliseconds("2026-11-01T10:00:00Z")!))
        #expect(PostgresQueryExecutor.cellValue("12345678901234567890", typeOID: 1700) == .uint64(12_345_678_901_234_567_890))
        #expect(PostgresQueryExecutor.cellValue("2026-11-01", typeOID: 1082) == .date(RFC3339.parseDate("2026-11-01")!))
    }
}
