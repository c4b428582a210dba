import Columnstore
import ClickHouseBackend
import PostgresBackend

/// The store a command migrates, after settings and flags are resolved.
struct ResolvedStore: Sendable {
    var kind: StoreKind
    /// Holds the password; never printed (use `backend.location`).
    var dsn: String
    /// `<sql-dir>/<store>`.
    var directory: String

    /// Opens the backend for this store.
    /// - Parameters:
    ///   - lease: the ClickHouse lock lease.
    ///   - afterRecord: test-only fault injection, see `ApplyCommand`.
    func backend(lease: Duration = .seconds(30), afterRecord: (@Sendable (Int) -> Void)? = nil) throws -> any MigrationBackend {
        switch kind {
        case .clickhouse:
            do {
                return try ClickHouseMigrationBackend(dsn: dsn, lease: lease, afterRecord: afterRecord)
            } catch {
                throw ConfigurationError(code: .invalid, setting: "PROJECTION_STORE_DSN", reason: "not a ClickHouse DSN (http(s)://user:password@host:port/database)")
            }
        case .postgres:
            return PostgresMigrationBackend(dsn: dsn)
        }
    }
}
