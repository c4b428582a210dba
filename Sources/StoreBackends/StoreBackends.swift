import Columnstore

/// Shorthands over `StoreBackend` for callers that hold a kind and a DSN.
public enum StoreBackends {
    /// The state hash reader of a store.
    /// - Throws: `StateHashError` `.store` when a ClickHouse DSN does not parse (the DSN is not echoed).
    public static func stateHashReader(store: StoreKind, dsn: String) throws -> any StateHashReader {
        let backend: StoreBackend
        do {
            backend = try StoreBackend(kind: store, dsn: dsn)
        } catch {
            throw StateHashError(.store, "not a ClickHouse DSN (http(s)://user:password@host:port/database)")
        }
        return try backend.stateHashReader()
    }
}
