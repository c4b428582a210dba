/// One migration as `plan`, `status` and `apply` see it: the file on disk against its ledger row.
public struct PlannedMigration: Sendable, Hashable {
    /// Where a migration stands.
    public enum State: Sendable, Hashable {
        /// Applied completely, with the same checksum as the file.
        case applied
        /// Not in the ledger: `apply` runs every statement.
        case pending
        /// Interrupted (ClickHouse): `apply` resumes after the recorded `statementsApplied`.
        case partial(statementsApplied: Int)
        /// The file changed after it was (partly) applied: `apply` refuses to run.
        case modified
        /// In the ledger but no longer on disk: reported, not an error.
        case missingFile
    }

    public var name: String
    public var state: State
    /// The file on disk, when there is one.
    public var file: MigrationFile?
    /// The ledger row, when there is one.
    public var entry: MigrationLedgerEntry?
    /// The schema hash `apply` records with the file (see `MigrationLedgerEntry.schemaHash`).
    public var schemaHash = ""

    public init(name: String, state: State, file: MigrationFile?, entry: MigrationLedgerEntry?) {
        self.name = name
        self.state = state
        self.file = file
        self.entry = entry
    }

    /// Statements in the file (or as recorded, for a missing file).
    public var statementCount: Int { file?.statements.count ?? entry?.statementsTotal ?? 0 }

    /// Statements `apply` would run.
    public var statementsToRun: Int {
        switch state {
        case .pending: return statementCount
        case .partial(let applied): return max(0, statementCount - applied)
        case .applied, .modified, .missingFile: return 0
        }
    }
}
