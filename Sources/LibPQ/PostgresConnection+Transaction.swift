extension PostgresConnection {
    /// Runs `body` inside BEGIN … COMMIT; on any error it rolls back and rethrows.
    ///
    /// The connection stays usable after a rollback. If a statement failed inside `body` but
    /// `body` swallowed the error, Postgres turns COMMIT into a rollback; that is reported as an
    /// error (SQLSTATE 25P02) instead of silently losing the writes. Transactions do not nest.
    public func transaction<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await execute("BEGIN")
        let value: T
        do {
            value = try await body(self)
        } catch {
            // A broken connection has no transaction left to roll back; report the original error.
            _ = try? await execute("ROLLBACK")
            throw error
        }
        let commit = try await query("COMMIT")
        if commit.commandTag == "ROLLBACK" {
            throw PostgresError(
                code: .server, sqlState: "25P02",
                message: "the transaction was aborted by an earlier error and has been rolled back"
            )
        }
        return value
    }
}
