extension PostgresConnection {
    /// Takes the session-level advisory lock `key` if free (`pg_try_advisory_lock`).
    /// - Returns: whether this session now holds it.
    public func tryAdvisoryLock(_ key: Int64) async throws -> Bool {
        try await boolQuery("SELECT pg_try_advisory_lock($1)", key)
    }

    /// Waits until the session-level advisory lock `key` is taken (`pg_advisory_lock`).
    public func advisoryLock(_ key: Int64) async throws {
        _ = try await query("SELECT pg_advisory_lock($1)", [.int64(key)])
    }

    /// Releases one hold of the session-level advisory lock `key` (`pg_advisory_unlock`).
    /// - Returns: false if this session did not hold it.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) async throws -> Bool {
        try await boolQuery("SELECT pg_advisory_unlock($1)", key)
    }

    /// Takes the transaction-level advisory lock `key` if free (`pg_try_advisory_xact_lock`);
    /// it is released at COMMIT or ROLLBACK. Call it inside `transaction`.
    public func tryAdvisoryTransactionLock(_ key: Int64) async throws -> Bool {
        try await boolQuery("SELECT pg_try_advisory_xact_lock($1)", key)
    }

    /// Waits for the transaction-level advisory lock `key` (`pg_advisory_xact_lock`).
    public func advisoryTransactionLock(_ key: Int64) async throws {
        _ = try await query("SELECT pg_advisory_xact_lock($1)", [.int64(key)])
    }

    private func boolQuery(_ sql: String, _ key: Int64) async throws -> Bool {
        let rows = try await query(sql, [.int64(key)])
        guard let value = rows.single?.bool(at: 0) else {
            throw PostgresError(code: .protocol, message: "expected one boolean from \(sql)")
        }
        return value
    }
}
