/// What `apply` would do: every migration file matched against the store's ledger.
public struct MigrationRunPlan: Sendable, Hashable {
    /// Files and ledger rows, by name.
    public var migrations: [PlannedMigration]

    public init(migrations: [PlannedMigration]) {
        self.migrations = migrations
    }

    /// Matches `files` against `ledger` (pure; no I/O).
    public init(files: [MigrationFile], ledger: [MigrationLedgerEntry]) {
        let entries = Dictionary(ledger.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [PlannedMigration] = files.map { file in
            guard let entry = entries[file.name] else {
                return PlannedMigration(name: file.name, state: .pending, file: file, entry: nil)
            }
            let state: PlannedMigration.State
            if entry.checksum != file.checksum, entry.statementsApplied <= 0 {
                // Started but no statement ran (ClickHouse records the start before statement 1, which
                // failed): nothing of the old text is in the store, so the fixed file runs from the start.
                // Postgres rolls a failed file back, ledger row included, so it has this freedom anyway.
                state = .pending
            } else if entry.checksum != file.checksum {
                state = .modified
            } else if entry.statementsApplied >= file.statements.count {
                state = .applied
            } else {
                state = .partial(statementsApplied: max(0, entry.statementsApplied))
            }
            return PlannedMigration(name: file.name, state: state, file: file, entry: entry)
        }
        let onDisk = Set(files.map(\.name))
        for entry in ledger where !onDisk.contains(entry.name) {
            result.append(PlannedMigration(name: entry.name, state: .missingFile, file: nil, entry: entry))
        }
        migrations = result.sorted { $0.name < $1.name }
    }

    /// Migrations `apply` runs, in order (pending and partly applied).
    public var toApply: [PlannedMigration] {
        migrations.filter {
            switch $0.state {
            case .pending, .partial: return true
            case .applied, .modified, .missingFile: return false
            }
        }
    }

    /// Applied migrations whose file changed since.
    public var modified: [PlannedMigration] { migrations.filter { $0.state == .modified } }

    /// Whether `apply` has nothing to do.
    public var isUpToDate: Bool { toApply.isEmpty }

    /// Throws `MigrationError.Code.modified`, naming every edited file, when there is one.
    public func checkNoneModified() throws {
        guard let first = modified.first else { return }
        let names = modified.map(\.name).joined(separator: ", ")
        throw MigrationError(
            .modified, file: first.name,
            "checksum differs from the one recorded when it was applied (\(names)); applied migrations must not be edited — add a new migration instead")
    }
}
