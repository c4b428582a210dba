import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
@testable import ClickHouseBackend
@testable import PostgresBackend

/// An isolated copy of the orders-analytics tables in one store (a fresh ClickHouse database or
/// Postgres schema with a read-only role), filled with `QueryFixtureData`, plus an executor that
/// reads it the way the server does.
final class QueryStoreFixture: Sendable {
    let store: StoreKind
    /// DSN of the read-only view of the fixture (what the query API is configured with).
    let readerDSN: String
    let executor: any QueryExecutor
    let catalog: QueryCatalog
    private let name: String

    static let schema = ProjectionSchema.ordersAnalytics
    static let service = schema.queryService!
    /// The repository's `sql` folder (the committed query files under test).
    static let sqlDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sql").path

    private init(store: StoreKind, name: String, readerDSN: String, limits: QueryLimits) throws {
        self.store = store
        self.name = name
        self.readerDSN = readerDSN
        self.catalog = try QueryCatalog.load(service: Self.service, store: store, sqlDirectory: Self.sqlDirectory)
        switch store {
        case .clickhouse: executor = try ClickHouseQueryExecutor(dsn: readerDSN, limits: limits)
        case .postgres: executor = PostgresQueryExecutor(dsn: readerDSN, limits: limits)
        }
    }

    /// Creates the tables from the generated migration and inserts the fixture rows.
    /// The default deadline (60 s) is far beyond any fixture query, so a busy machine cannot turn
    /// a verdict into deadline_exceeded; tests of the deadline pass their own limits.
    static func make(_ store: StoreKind, limits: QueryLimits = QueryLimits(timeout: .seconds(60), maxRows: 1000, maxConnections: 4)) async throws -> QueryStoreFixture {
        let name = DevStack.uniqueName("qa")
        let plan = try MigrationPlanner.plan(
            schema: schema, target: store == .clickhouse ? .clickhouse(cluster: nil) : .postgres, existingFiles: [], lock: nil)
        let statements = MigrationScript.statements(in: plan.migration!.contents)
        switch store {
        case .clickhouse:
            let admin = try ClickHouseClient(dsn: DevStack.clickhouseDSN)
            try await admin.execute("CREATE DATABASE \(name)")
            var components = URLComponents(string: DevStack.clickhouseDSN)!
            components.path = "/\(name)"
            let dsn = components.string!
            let client = try ClickHouseClient(dsn: dsn)
            for statement in statements { try await client.execute(statement) }
            try await QueryFixtureData.insert(into: client)
            return try QueryStoreFixture(store: store, name: name, readerDSN: dsn, limits: limits)
        case .postgres:
            let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
            defer { admin.close() }
            let password = "pw_\(UInt64.random(in: 0...UInt64.max))"
            try await admin.execute("CREATE SCHEMA \(name)")
            try await admin.execute("SET search_path TO \(name)")
            for statement in statements { try await admin.execute(statement) }
            try await QueryFixtureData.insert(into: admin)
            // The read-only role the docs prescribe for the query API.
            try await admin.execute("""
                CREATE ROLE \(name)_reader LOGIN PASSWORD '\(password)' NOSUPERUSER NOCREATEDB NOCREATEROLE;
                GRANT USAGE ON SCHEMA \(name) TO \(name)_reader;
                GRANT SELECT ON ALL TABLES IN SCHEMA \(name) TO \(name)_reader;
                ALTER ROLE \(name)_reader SET default_transaction_read_only = on
                """)
            var components = URLComponents(string: DevStack.postgresDSN)!
            components.user = "\(name)_reader"
            components.password = password
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "options", value: "-csearch_path=\(name)")]
            return try QueryStoreFixture(store: store, name: name, readerDSN: components.string!, limits: limits)
        }
    }

    /// Drops the database or schema and role.
    func tearDown() async {
        await executor.shutdown()
        switch store {
        case .clickhouse:
            if let admin = try? ClickHouseClient(dsn: DevStack.clickhouseDSN) {
                _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name)")
            }
        case .postgres:
            guard let admin = try? await PostgresConnection.connect(dsn: DevStack.postgresDSN) else { return }
            defer { admin.close() }
            _ = try? await admin.execute("DROP SCHEMA IF EXISTS \(name) CASCADE")
            _ = try? await admin.execute("DROP ROLE IF EXISTS \(name)_reader")
        }
    }
}
