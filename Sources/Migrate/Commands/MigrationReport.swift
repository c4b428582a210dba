import Columnstore

/// The text `plan`, `status` and `apply` print.
enum MigrationReport {
    static func header(_ command: String, backend: any MigrationBackend, directory: String) -> String {
        "\(command): \(backend.store.rawValue) at \(backend.location), migrations from \(directory)"
    }

    static func statements(_ count: Int) -> String {
        count == 1 ? "1 statement" : "\(count) statements"
    }

    /// One line per migration for `plan`: what apply would do with it.
    static func planLine(_ migration: PlannedMigration) -> String {
        let name = migration.name.padding(toLength: max(migration.name.count, 32), withPad: " ", startingAt: 0)
        switch migration.state {
        case .pending:
            return "  apply     \(name) \(statements(migration.statementCount))"
        case .partial(let applied):
            return "  resume    \(name) statements \(applied + 1)-\(migration.statementCount) of \(migration.statementCount) (interrupted run)"
        case .applied:
            return "  applied   \(name) \(statements(migration.statementCount))"
        case .modified:
            return "  MODIFIED  \(name) checksum changed since it was applied"
        case .missingFile:
            return "  missing   \(name) in the ledger but not on disk"
        }
    }

    /// One line per migration for `status`, with the ledger details.
    static func statusLine(_ migration: PlannedMigration) -> String {
        let name = migration.name.padding(toLength: max(migration.name.count, 32), withPad: " ", startingAt: 0)
        var at = migration.entry.map { " at \($0.appliedAt) UTC by \($0.appliedBy)" } ?? ""
        if let hash = migration.entry?.schemaHash, !hash.isEmpty { at += ", schema \(prefix(hash))" }
        switch migration.state {
        case .pending:
            return "  pending   \(name) \(statements(migration.statementCount))"
        case .partial(let applied):
            return "  partial   \(name) \(applied)/\(migration.statementCount) statements\(at)"
        case .applied:
            return "  applied   \(name) \(statements(migration.statementCount))\(at)"
        case .modified:
            return "  modified  \(name) file checksum \(prefix(migration.file?.checksum)) ≠ applied \(prefix(migration.entry?.checksum))\(at)"
        case .missingFile:
            return "  missing   \(name) applied\(at), file no longer on disk"
        }
    }

    static func summary(_ plan: MigrationRunPlan) -> String {
        var counts: [String: Int] = [:]
        for migration in plan.migrations {
            switch migration.state {
            case .applied: counts["applied", default: 0] += 1
            case .pending: counts["pending", default: 0] += 1
            case .partial: counts["partial", default: 0] += 1
            case .modified: counts["modified", default: 0] += 1
            case .missingFile: counts["missing", default: 0] += 1
            }
        }
        return ["applied", "pending", "partial", "modified", "missing"]
            .map { "\(counts[$0, default: 0]) \($0)" }.joined(separator: ", ")
    }

    /// The schema hash the store records against the folder's `schema.lock.json`, for `status`: an operator
    /// compares it with `schema_hash` of `/version` on ingest and query.
    static func schemaHashLines(_ plan: MigrationRunPlan, directory: String) -> [String] {
        let lock = MigrationRunner.schemaLockHash(directory: directory)
        var lines: [String] = []
        if let recorded = plan.recordedSchemaHash {
            lines.append("status: schema hash \(recorded.hash) (recorded with \(recorded.file))")
            if !lock.isEmpty {
                lines.append(lock == recorded.hash
                    ? "status: \(SchemaSnapshot.fileName) matches the store"
                    : "status: \(SchemaSnapshot.fileName) is \(lock): the store is not migrated to it "
                        + "(apply pending migrations; a lock changed without DDL is recorded with the next migration)")
            }
        } else {
            lines.append("status: schema hash unknown (no applied migration recorded one)"
                + (lock.isEmpty ? "" : "; \(SchemaSnapshot.fileName) is \(lock)"))
        }
        return lines
    }

    private static func prefix(_ checksum: String?) -> String {
        String((checksum ?? "?").prefix(12))
    }
}
