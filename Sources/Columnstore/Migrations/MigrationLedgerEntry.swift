/// One row of the store's `_projection_migrations` ledger: a file that was (or is being) applied.
public struct MigrationLedgerEntry: Sendable, Hashable {
    /// The migration file name, e.g. `0001_initial.sql`.
    public var name: String
    /// SHA-256 of the file when it was applied.
    public var checksum: String
    /// Statements applied so far; below `statementsTotal` only on ClickHouse after an interrupted run.
    public var statementsApplied: Int
    public var statementsTotal: Int
    /// When the row was last written, as the store prints it (UTC).
    public var appliedAt: String
    /// The run that wrote the row (random per run), so a report can tell runs apart.
    public var appliedBy: String
    /// SHA-256 (hex) of the folder's `schema.lock.json` when the row was written: the schema the store has once
    /// the file is applied, the same value `BuildInfo.schemaHash` (`/version`, `projection_build_info`) reports.
    /// Empty for hand-written folders without a lock and for rows written before the ledger had the column.
    public var schemaHash: String

    public init(
        name: String, checksum: String, statementsApplied: Int, statementsTotal: Int, appliedAt: String = "", appliedBy: String = "",
        schemaHash: String = ""
    ) {
        self.name = name
        self.checksum = checksum
        self.statementsApplied = statementsApplied
        self.statementsTotal = statementsTotal
        self.appliedAt = appliedAt
        self.appliedBy = appliedBy
        self.schemaHash = schemaHash
    }

    /// Whether every statement of the file has been applied.
    public var isComplete: Bool { statementsApplied >= statementsTotal }
}
