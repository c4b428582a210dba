/// The store side of a migration run: the ledger, the cross-process lock and the applier.
///
/// `ClickHouseMigrationBackend` and `PostgresMigrationBackend` implement it; `MigrationRunner`
/// drives it. Errors thrown are `MigrationError`s, safe to show.
public protocol MigrationBackend: Sendable {
    /// The store kind.
    var store: StoreKind { get }
    /// Where the migrations go, with the password redacted.
    var location: String { get }

    /// The ledger's rows; empty when the ledger table does not exist yet. Writes nothing.
    func readLedger() async throws -> [MigrationLedgerEntry]
    /// Creates the ledger (and lock) tables when missing.
    func prepareLedger() async throws
    /// Takes the cross-process lock, waiting up to `timeout` for another run to finish, runs `body`
    /// holding it, and releases it (best effort: a lost lock expires or dies with the session)
    /// before returning, whether `body` returned or threw. Whatever keeps the lock alive runs
    /// inside this call.
    /// - Throws: `MigrationError` with code `.lockTimeout` when it stays taken; what `body` throws.
    func withLock<T: Sendable>(
        timeout: Duration, onEvent: @escaping @Sendable (MigrationEvent) -> Void, _ body: @Sendable () async throws -> T
    ) async throws -> T
    /// Applies one pending or partly applied migration and records it in the ledger.
    func apply(_ migration: PlannedMigration, runID: String, onEvent: @escaping @Sendable (MigrationEvent) -> Void) async throws
    /// Closes connections.
    func close() async
}
