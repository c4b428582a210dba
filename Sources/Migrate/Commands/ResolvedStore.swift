import Columnstore
import StoreBackends

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
    func backend(lease: Duration = .seconds(30), tableLocks: DDLLockPolicy = DDLLockPolicy(), afterRecord: (@Sendable (Int) -> Void)? = nil) throws -> any MigrationBackend {
        try StoreBackend(kind: kind, dsn: dsn).migrationBackend(lease: lease, tableLocks: tableLocks, afterRecord: afterRecord)
    }

    /// The backend of this store, for the rebuilder and state hash reader.
    /// - Throws: `ConfigurationError` for `PROJECTION_STORE_DSN` when it does not parse.
    var storeBackend: StoreBackend {
        get throws { try StoreBackend(kind: kind, dsn: dsn) }
    }
}
