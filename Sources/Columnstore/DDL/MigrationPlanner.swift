/// Decides the next migration for a target from the schema and the recorded state.
///
/// Pure: the caller supplies the directory listing and lock; `MigrationDirectory`
/// does the file I/O.
public enum MigrationPlanner {
    /// Plans what `generate` writes for `target`.
    /// - Parameters:
    ///   - existingFiles: names of the `.sql` files already in the store directory
    ///     (generated or hand-written); the new file is numbered after the highest.
    ///   - lock: the recorded state (`schema.lock.json`), `nil` before the first migration.
    ///   - allowDestructive: permit drops, type changes and table recreation.
    public static func plan(
        schema: ProjectionSchema, target: DDLTarget, existingFiles: [String], lock: SchemaSnapshot?,
        allowDestructive: Bool = false
    ) throws -> MigrationPlan {
        guard schema.storeKinds.contains(target.store) else {
            throw MigrationGeneratorError(.unsupportedStore, "projection '\(schema.name)' does not support store \(target.store.rawValue)")
        }
        if case .clickhouse(let cluster?) = target, !isValidClusterName(cluster) {
            throw MigrationGeneratorError(.invalidCluster, "cluster name '\(cluster)' must match [A-Za-z_][A-Za-z0-9_]*")
        }
        let snapshot = SchemaSnapshot(schema, target: target)
        let lockFile = GeneratedFile(name: SchemaSnapshot.fileName, contents: try snapshot.encoded())
        let number = nextNumber(after: existingFiles)

        guard let lock else {
            let changes = schema.tables.map(SchemaChange.createTable)
            let statements = internalStatements(target) + changes.flatMap { ddl(for: $0, target: target) }
            let text = MigrationScript.render(
                projection: schema.name, target: target,
                summary: ["internal tables: _projection_checkpoints, _projection_seen_keys, _projection_quarantine"]
                    + changes.map(\.description),
                statements: statements
            )
            return MigrationPlan(target: target, changes: changes, migration: GeneratedFile(name: fileName(number, "initial"), contents: text), lock: lockFile)
        }

        guard (SchemaSnapshot.oldestFormat...SchemaSnapshot.currentFormat).contains(lock.format),
              lock.internalTables <= InternalTablesUpgrade.currentVersion else {
            throw MigrationGeneratorError(
                .invalidLock,
                "\(SchemaSnapshot.fileName) has format \(lock.format) (internal tables \(lock.internalTables)); this generator writes "
                    + "format \(SchemaSnapshot.currentFormat) (internal tables \(InternalTablesUpgrade.currentVersion)): use a newer projection-migrate"
            )
        }
        guard lock.projection == schema.name else {
            throw MigrationGeneratorError(.projectionMismatch, "the migrations are for projection '\(lock.projection)', not '\(schema.name)'; choose another --out")
        }
        guard lock != snapshot else {
            return MigrationPlan(target: target, changes: [], migration: nil, lock: nil)
        }
        let changes = SchemaDiff.changes(from: lock, to: schema, target: target)
        let destructive = changes.filter(\.isDestructive)
        if !destructive.isEmpty && !allowDestructive {
            let list = destructive.map { "  - \($0.description)" }.joined(separator: "\n")
            throw MigrationGeneratorError(
                .destructiveChange,
                "refusing destructive schema changes for \(target):\n\(list)\nPass --allow-destructive to generate them anyway."
            )
        }
        // Internal tables first: they are independent of the projection's tables, and an upgrade that
        // fails then leaves the projection's tables untouched.
        let upgrades = InternalTablesUpgrade.steps(after: lock.internalTables)
        // The steps this migration carries DDL for: a step for the other store moves this folder's lock only.
        let expressed = upgrades.filter { step in
            if case .postgres = target { return step.changesPostgres }
            return step.changesClickHouse
        }
        let statements = upgrades.flatMap { upgradeStatements(for: $0, target: target) } + changes.flatMap { ddl(for: $0, target: target) }
        guard !statements.isEmpty else {
            // Nothing this store expresses changed (e.g. a TTL for Postgres): record the state only.
            return MigrationPlan(target: target, changes: changes, internalUpgrades: upgrades, migration: nil, lock: lockFile)
        }
        let text = MigrationScript.render(
            projection: schema.name, target: target, summary: expressed.map(\.description) + changes.map(\.description), statements: statements
        )
        let slug = changes.isEmpty ? expressed.map(\.slug).joined(separator: "_") : slug(for: changes)
        return MigrationPlan(
            target: target, changes: changes, internalUpgrades: upgrades,
            migration: GeneratedFile(name: fileName(number, String(slug.prefix(60))), contents: text),
            lock: lockFile
        )
    }

    private static func upgradeStatements(for upgrade: InternalTablesUpgrade, target: DDLTarget) -> [String] {
        switch target {
        case .clickhouse(let cluster): return ClickHouseDDL(cluster: cluster).internalTableStatements(for: upgrade)
        case .postgres: return PostgresDDL.internalTableStatements(for: upgrade)
        }
    }

    private static func internalStatements(_ target: DDLTarget) -> [String] {
        switch target {
        case .clickhouse(let cluster): return ClickHouseDDL(cluster: cluster).internalTableStatements()
        case .postgres: return PostgresDDL.internalTableStatements
        }
    }

    private static func ddl(for change: SchemaChange, target: DDLTarget) -> [String] {
        switch target {
        case .clickhouse(let cluster): return ClickHouseDDL(cluster: cluster).statements(for: change)
        case .postgres: return PostgresDDL().statements(for: change)
        }
    }

    /// One more than the highest `NNNN_` prefix among existing `.sql` files.
    static func nextNumber(after files: [String]) -> Int {
        let numbers = files.compactMap { name -> Int? in
            guard name.hasSuffix(".sql") else { return nil }
            let digits = name.prefix(while: \.isNumber)
            guard !digits.isEmpty, name.dropFirst(digits.count).first == "_" else { return nil }
            return Int(digits)
        }
        return (numbers.max() ?? 0) + 1
    }

    private static func fileName(_ number: Int, _ slug: String) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + slug + ".sql"
    }

    private static func slug(for changes: [SchemaChange]) -> String {
        var slug: String
        if changes.count == 1, let change = changes.first {
            switch change {
            case .createTable(let t): slug = "create_\(t.name)"
            case .dropTable(let name): slug = "drop_\(name)"
            case .recreateTable(let t, _): slug = "recreate_\(t.name)"
            case .addColumn(let t, let c): slug = "add_\(t.name)_\(c.name)"
            case .dropColumn(let table, let column): slug = "drop_\(table)_\(column)"
            case .modifyColumn(let t, let c, _, _): slug = "modify_\(t.name)_\(c.name)"
            case .modifyTTL(let t): slug = "ttl_\(t.name)"
            case .replaceSortIndex(let t): slug = "index_\(t.name)"
            }
        } else {
            var tables: [String] = []
            for change in changes where !tables.contains(change.tableName) { tables.append(change.tableName) }
            slug = "alter_" + tables.joined(separator: "_")
        }
        return String(slug.prefix(60))
    }

    private static func isValidClusterName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
