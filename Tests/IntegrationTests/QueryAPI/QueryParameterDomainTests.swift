import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
@testable import QueryAPI
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// Request parameters at the edges of the stored value domain, decoded as the API decodes them and bound
/// by both stores' executors through query files the catalog accepted: absent optional dates and
/// timestamps (NULL, `Nullable(...)` on ClickHouse), timestamps from 1900 to 2299, uint64 up to 2^63-1.
/// Both stores must answer the same rows; values above the domain never reach a store.
@Suite("Query parameters across the value domain", .serialized)
struct QueryParameterDomainTests {
    static let method = QueryMethodSchema(
        name: "ListEdges", sqlName: "list_edges", requestMessage: "t.Req",
        requestFields: [
            QueryFieldSchema(name: "since_day", jsonName: "sinceDay", number: 1, type: .string, isOptional: true,
                             hints: QueryParameterHints(valueType: .date)),
            QueryFieldSchema(name: "since", jsonName: "since", number: 2, type: .timestamp, isOptional: true),
            QueryFieldSchema(name: "until", jsonName: "until", number: 3, type: .string,
                             hints: QueryParameterHints(valueType: .timestamp)),
            QueryFieldSchema(name: "min_u", jsonName: "minU", number: 4, type: .uint64, isOptional: true),
        ],
        responseMessage: "t.Res", response: .message, rowMessage: "t.Res", rowFields: [])

    static let clickhouseSQL = """
        SELECT id, ts FROM {table} WHERE tenant_id = {tenant_id:String}
          AND ({since_day:Nullable(Date)} IS NULL OR d >= {since_day:Nullable(Date)})
          AND ({since:Nullable(DateTime64(3, 'UTC'))} IS NULL OR ts >= {since:Nullable(DateTime64(3, 'UTC'))})
          AND ({until:Nullable(DateTime64(3))} IS NULL OR ts <= {until:Nullable(DateTime64(3))})
          AND u >= {min_u:UInt64}
        ORDER BY id
        """
    static let postgresSQL = """
        SELECT id, ts FROM {table} WHERE tenant_id = {tenant_id}
          AND ({since_day}::date IS NULL OR d >= {since_day})
          AND ({since}::timestamptz IS NULL OR ts >= {since})
          AND ({until}::timestamptz IS NULL OR ts <= {until})
          AND u >= {min_u}
        ORDER BY id
        """

    /// (id, date, timestamp (UTC), uint64) — the domain's edges.
    static let rows: [(Int, String, String, String)] = [
        (1, "1970-01-01", "1900-01-01 00:00:00.000", "0"),
        (2, "2000-01-01", "1969-12-31 23:59:59.999", "9223372036854775807"),
        (3, "2149-06-06", "2299-12-31 23:59:59.999", "5"),
        (4, "2026-11-01", "2149-06-07 00:00:00.000", "100"),
        // An instant a Double of seconds cannot hold to the microsecond: Postgres' bound was once
        // 10:08:36.773001 here, so `ts >= since` missed the row at that very instant.
        (5, "2100-01-01", "2247-08-09 10:08:36.773", "7"),
    ]

    /// Request (JSON) → the ids both stores must answer.
    static let cases: [(String, [Int])] = [
        ("{}", [1, 2, 3, 4, 5]),
        (#"{"sinceDay":null,"since":null}"#, [1, 2, 3, 4, 5]),
        (#"{"sinceDay":"2000-01-01"}"#, [2, 3, 4, 5]),
        (#"{"sinceDay":"2149-06-06"}"#, [3]),
        (#"{"since":"1900-01-01T00:00:00Z","until":"1900-01-01T00:00:00.000Z"}"#, [1]),
        (#"{"since":"1969-12-31T23:59:59.999Z","until":"1970-01-01T00:00:00Z"}"#, [2]),
        (#"{"until":"1969-12-31T23:59:59.998Z"}"#, [1]),
        (#"{"since":"2299-12-31T23:59:59.999Z"}"#, [3]),
        (#"{"since":"2149-06-07T00:00:00Z"}"#, [3, 4, 5]),
        (#"{"since":"2247-08-09T10:08:36.773Z","until":"2247-08-09T10:08:36.773Z"}"#, [5]),
        (#"{"since":"2149-06-07T01:00:00+01:00","until":"2200-01-01T00:00:00Z"}"#, [4]),
        (#"{"minU":"9223372036854775807"}"#, [2]),
        (#"{"minU":0,"sinceDay":"1970-01-01"}"#, [1, 2, 3, 4, 5]),
    ]

    @Test("both stores answer the same rows for absent and edge parameters; out-of-domain values are invalid_argument")
    func edges() async throws {
        let name = DevStack.uniqueName("qpd")
        let clickhouse = try await withClickHouse(table: name) { executor, query in
            try await Self.answers(executor, query)
        }
        let postgres = try await withPostgres(schema: name) { executor, query in
            try await Self.answers(executor, query)
        }
        #expect(clickhouse.count == Self.cases.count)
        for ((request, expected), (ch, pg)) in zip(Self.cases, zip(clickhouse, postgres)) {
            #expect(ch.ids == expected, "ClickHouse \(request)")
            #expect(pg.ids == expected, "Postgres \(request)")
            #expect(ch.timestamps == pg.timestamps, "\(request)")
        }
        // Refused before any store sees them, naming the field.
        for (request, field) in [(#"{"minU":"9223372036854775808"}"#, "min_u"), (#"{"minU":18446744073709551615}"#, "min_u"),
                                 (#"{"since":"1899-12-31T23:59:59.999Z"}"#, "since"), (#"{"until":"2300-01-01T00:00:00Z"}"#, "until"),
                                 (#"{"sinceDay":"2149-06-07"}"#, "since_day")] {
            let error = try #require(throws: ConnectError.self) { try RequestDecoder.decode(body: Array(request.utf8), method: Self.method) }
            #expect(error.code == .invalidArgument && error.message.hasPrefix("\(field):"), "\(request): \(error.message)")
        }
    }

    @Test("a NULL bound to a plain Date placeholder fails on ClickHouse (why the catalog requires Nullable)")
    func plainDateRefusesNull() async throws {
        let executor = try ClickHouseQueryExecutor(dsn: DevStack.clickhouseDSN, limits: QueryLimits())
        defer { Task { await executor.shutdown() } }
        let query = PreparedQuery(method: "Plain", store: .clickhouse, path: "plain.sql",
                                  sql: "SELECT {tenant_id:String} AS t, {d:Date} AS d",
                                  placeholders: [QueryPlaceholder(name: "tenant_id", storeType: "String"), QueryPlaceholder(name: "d", storeType: "Date")])
        let error = try await #require(throws: QueryError.self) { try await executor.execute(query, tenant: "t", parameters: ["d": .null]) }
        #expect(error.code == .internal)
        #expect(error.detail?.contains("CANNOT_PARSE_DATE") == true, "\(error.detail ?? "")")
        // The catalog refuses such a file at load instead.
        #expect(throws: QueryCatalogError.self) {
            try QueryCatalog.prepare(method: Self.method, store: .clickhouse,
                                     text: Self.clickhouseSQL.replacingOccurrences(of: "Nullable(Date)", with: "Date"), path: "q.sql")
        }
    }

    struct Answer {
        var ids: [Int]
        var timestamps: [ColumnValue]
    }

    static func answers(_ executor: any QueryExecutor, _ query: PreparedQuery) async throws -> [Answer] {
        var out: [Answer] = []
        for (request, _) in cases {
            let parameters = try RequestDecoder.decode(body: Array(request.utf8), method: method)
            let result = try await executor.execute(query, tenant: "t", parameters: parameters)
            let ids = result.rows.map { row -> Int in
                switch row["id"] {
                case .int64(let v)?: return Int(v)
                case .uint64(let v)?: return Int(v)
                default: return -1
                }
            }
            out.append(Answer(ids: ids, timestamps: result.rows.map { $0["ts"] ?? .null }))
        }
        return out
    }

    private func withClickHouse<T>(table: String, _ body: (ClickHouseQueryExecutor, PreparedQuery) async throws -> T) async throws -> T {
        let admin = try ClickHouseClient(dsn: DevStack.clickhouseDSN)
        try await admin.execute("CREATE TABLE \(table) (tenant_id String, id Int32, d Date, ts DateTime64(3, 'UTC'), u UInt64) ENGINE = MergeTree ORDER BY id")
        let executor = try ClickHouseQueryExecutor(dsn: DevStack.clickhouseDSN, limits: QueryLimits())
        do {
            let values = Self.rows.map { "('t', \($0.0), '\($0.1)', toDateTime64('\($0.2)', 3, 'UTC'), \($0.3))" }.joined(separator: ", ")
            try await admin.execute("INSERT INTO \(table) VALUES \(values), ('other', 9, '2000-01-01', '2000-01-01 00:00:00', 1)")
            let query = try QueryCatalog.prepare(method: Self.method, store: .clickhouse,
                                                 text: Self.clickhouseSQL.replacingOccurrences(of: "{table}", with: table), path: "q.sql")
            let result = try await body(executor, query)
            await executor.shutdown()
            try await admin.execute("DROP TABLE IF EXISTS \(table)")
            return result
        } catch {
            await executor.shutdown()
            _ = try? await admin.execute("DROP TABLE IF EXISTS \(table)")
            throw error
        }
    }

    private func withPostgres<T>(schema: String, _ body: (PostgresQueryExecutor, PreparedQuery) async throws -> T) async throws -> T {
        let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
        defer { admin.close() }
        try await admin.execute("CREATE SCHEMA \(schema)")
        let executor = PostgresQueryExecutor(dsn: DevStack.postgresDSN, limits: QueryLimits())
        do {
            try await admin.execute("CREATE TABLE \(schema).edges (tenant_id text, id integer, d date, ts timestamptz, u bigint)")
            let values = Self.rows.map { "('t', \($0.0), '\($0.1)', '\($0.2)+00', \($0.3))" }.joined(separator: ", ")
            try await admin.execute("INSERT INTO \(schema).edges VALUES \(values), ('other', 9, '2000-01-01', '2000-01-01 00:00:00+00', 1)")
            let query = try QueryCatalog.prepare(method: Self.method, store: .postgres,
                                                 text: Self.postgresSQL.replacingOccurrences(of: "{table}", with: "\(schema).edges"), path: "q.sql")
            let result = try await body(executor, query)
            await executor.shutdown()
            try await admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            return result
        } catch {
            await executor.shutdown()
            _ = try? await admin.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            throw error
        }
    }
}
