import ClickHouseBackend
import ClickHouseHTTP
import Columnstore
import Logging
import PostgresBackend

/// The one place a store kind becomes a backend: each executable asks here for the store, query
/// executor, migration backend, state hash reader or rebuilder of `PROJECTION_STORE_KIND`.
public enum StoreBackends {
    /// The state hash reader of a store.
    /// - Throws: `StateHashError` `.store` when a ClickHouse DSN does not parse (the DSN is not echoed).
    public static func stateHashReader(store: StoreKind, dsn: String) throws -> any StateHashReader {
        switch store {
        case .clickhouse:
            do {
                return try ClickHouseStateHashReader(dsn: dsn)
            } catch {
                throw StateHashError(.store, "not a ClickHouse DSN (http(s)://user:password@host:port/database)")
            }
        case .postgres:
            return PostgresStateHashReader(dsn: dsn)
        }
    }
}
