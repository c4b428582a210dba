import ClickHouseBackend
import ClickHouseHTTP
import Columnstore
import Logging
import PostgresBackend

/// The one place a store kind becomes a backend. Every executable builds one of these from
/// `PROJECTION_STORE_KIND` and `PROJECTION_STORE_DSN` and asks it for the ingest store, query executor,
/// migration backend, state hash reader or rebuilder; none of them imports a backend module itself.
public struct StoreBackend: Sendable, CustomStringConvertible {
    public let kind: StoreKind
    /// Holds the password; never printed (`description` is the kind only).
    @usableFromInline let dsn: String

    /// Checks the DSN's form once, here, so a bad one stops a process at startup naming the setting.
    /// - Throws: `ConfigurationError` `.invalid` for `PROJECTION_STORE_DSN` when a ClickHouse DSN does not
    ///   parse (the DSN is not echoed).
    public init(kind: StoreKind, dsn: String) throws {
        if kind == .clickhouse {
            do {
                _ = try ClickHouseDSN(parsing: dsn)
            } catch {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_STORE_DSN", reason: "not a ClickHouse DSN (http(s)://user:password@host:port/database)")
            }
        }
        self.kind = kind
        self.dsn = dsn
    }

    public var description: String { "StoreBackend(\(kind.environmentValue))" }

    /// Opens the ingest's store and hands `visitor` a factory of it with its concrete type, so the
    /// generic pipeline is specialised per backend without the caller naming one.
    /// ClickHouse: one client (a pool of keep-alive connections) shared by every store the factory makes.
    /// Postgres: one connection per store, each committing its own transactions.
    /// Inlinable so the caller's module sees the concrete store types and specialises its pipeline
    /// for them (see `SpecializedService`); unspecialised, it costs about 1 µs of CPU per fact.
    @inlinable
    public func withProjectionStore<Visitor: ProjectionStoreVisitor>(
        schema: ProjectionSchema, options: ProjectionStoreOptions, _ visitor: Visitor
    ) async throws -> Visitor.Result {
        switch kind {
        case .clickhouse:
            let client = try ClickHouseClient(dsn: dsn, configuration: .init(requestTimeout: options.timeout), logger: Logger(label: "projection.clickhouse"))
            return try await visitor.visit { ClickHouseProjectionStore(client: client, schema: schema) }
        case .postgres:
            let dsn = self.dsn
            return try await visitor.visit {
                PostgresProjectionStore(dsn: dsn, schema: schema, logger: options.logger, statementDeadline: options.timeout,
                                        idleTransactionTimeout: options.idleTransactionTimeout)
            }
        }
    }

    /// The query executor (and its connection pool) for `limits`.
    public func queryExecutor(limits: QueryLimits) throws -> any QueryExecutor {
        switch kind {
        case .clickhouse: try ClickHouseQueryExecutor(dsn: dsn, limits: limits)
        case .postgres: PostgresQueryExecutor(dsn: dsn, limits: limits)
        }
    }

    /// The migration backend.
    /// - Parameters:
    ///   - lease: the ClickHouse lock lease.
    ///   - tableLocks: Postgres: how long a statement waits for a table lock, and a file is retried.
    ///   - afterRecord: test-only fault injection (projection-migrate's `PROJECTION_MIGRATE_TEST_CRASH_AFTER_STATEMENTS`).
    public func migrationBackend(lease: Duration = .seconds(30), tableLocks: DDLLockPolicy = DDLLockPolicy(), afterRecord: (@Sendable (Int) -> Void)? = nil) throws -> any MigrationBackend {
        switch kind {
        case .clickhouse: try ClickHouseMigrationBackend(dsn: dsn, lease: lease, afterRecord: afterRecord)
        case .postgres: PostgresMigrationBackend(dsn: dsn, tableLocks: tableLocks)
        }
    }

    /// The state hash reader.
    public func stateHashReader() throws -> any StateHashReader {
        switch kind {
        case .clickhouse: try ClickHouseStateHashReader(dsn: dsn)
        case .postgres: PostgresStateHashReader(dsn: dsn)
        }
    }

    /// The state hash of `schema`'s tables (or one `table`, one `tenant`) as stored now, read through a
    /// reader that is closed before this returns, whether or not the hash could be computed.
    public func stateHashReport(schema: ProjectionSchema, table: String?, tenant: String?) async throws -> StateHashReport {
        let reader = try stateHashReader()
        let tables: [TableStateHash]
        do {
            let logger = Logger(label: "projection.hash")
            let hash = StateHash(schema: schema, reader: reader) { table, tenant in
                logger.warning("the store's row order differs from the hash's key order: this tenant was hashed in memory",
                               metadata: ["table": "\(table)", "tenant": "\(tenant)"])
            }
            tables = try await hash.compute(table: table, tenant: tenant)
            await reader.close()
        } catch {
            await reader.close()
            throw error
        }
        return StateHashReport(store: kind, location: reader.location, projection: schema.name, tables: tables)
    }

    /// The rebuilder of `schema`'s tables.
    public func rebuilder(schema: ProjectionSchema) throws -> any ProjectionRebuilder {
        switch kind {
        case .clickhouse: ClickHouseRebuilder(client: try ClickHouseClient(dsn: dsn, configuration: ClickHouseRebuilder.clientConfiguration), schema: schema)
        case .postgres: PostgresRebuilder(dsn: dsn, schema: schema)
        }
    }
}
