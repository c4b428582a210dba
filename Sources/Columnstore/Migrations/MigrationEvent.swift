/// Progress of a migration run, for the command line to print.
public enum MigrationEvent: Sendable, Hashable {
    /// Another run holds the lock; this one waits (sent once per wait).
    case waitingForLock(holder: String)
    /// This run holds the lock.
    case lockAcquired
    /// A file starts; `resumingAt` statements of it were applied by an earlier, interrupted run.
    case fileStarted(name: String, statements: Int, resumingAt: Int)
    /// Statement `number` (1-based) of `file` ran. `recorded` is true when the ledger already
    /// shows it (ClickHouse, per statement); on Postgres the whole file commits at once.
    case statementApplied(file: String, number: Int, total: Int, recorded: Bool)
    /// Statement `statement` of `file` waited its whole `lock_timeout` for a table lock another session
    /// holds (Postgres); the file was rolled back and is tried again after a pause.
    case waitingForTableLock(file: String, statement: Int, attempt: Int)
    /// A file is applied and recorded in the ledger.
    case fileApplied(name: String, statements: Int)
}
