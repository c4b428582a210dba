import Foundation

/// Runs `plan`, `status` and `apply` for one migration folder against one store.
public struct MigrationRunner: Sendable {
    public let backend: any MigrationBackend
    /// The store's folder, e.g. `sql/clickhouse`.
    public let directory: String
    /// Identifies this run in the ledger's `applied_by` column.
    public let runID: String

    public init(backend: any MigrationBackend, directory: String, runID: String = "run-" + UUID().uuidString.lowercased()) {
        self.backend = backend
        self.directory = directory
        self.runID = runID
    }

    /// The folder's files against the ledger, without writing anything or taking the lock.
    public func plan() async throws -> MigrationRunPlan {
        let files = try MigrationFile.load(directory: directory)
        return MigrationRunPlan(files: files, ledger: try await backend.readLedger())
    }

    /// Applies every pending migration in order, holding the lock throughout.
    ///
    /// The plan is computed again once the lock is held, so a run that waited for another one
    /// sees its work and does nothing twice.
    /// - Returns: the plan that was carried out (`isUpToDate` when nothing was to do).
    /// - Throws: `MigrationError` (`.modified` before anything runs if an applied file changed).
    public func apply(lockTimeout: Duration, onEvent: @escaping @Sendable (MigrationEvent) -> Void) async throws -> MigrationRunPlan {
        let files = try MigrationFile.load(directory: directory)
        try await backend.prepareLedger()
        let (backend, directory, runID) = (backend, directory, runID)
        return try await backend.withLock(timeout: lockTimeout, onEvent: onEvent) {
            let plan = MigrationRunPlan(files: files, ledger: try await backend.readLedger())
            try plan.checkNoneModified()
            let schemaHash = Self.schemaLockHash(directory: directory)
            for var migration in plan.toApply {
                migration.schemaHash = schemaHash
                try await backend.apply(migration, runID: runID, onEvent: onEvent)
            }
            return plan
        }
    }

    /// SHA-256 (hex) of `<directory>/schema.lock.json`, the file `generate` writes beside the migrations; empty
    /// when there is none (hand-written folders). Equal to `BuildInfo.schemaHash` of the schema it records.
    public static func schemaLockHash(directory: String) -> String {
        let path = (directory as NSString).appendingPathComponent(SchemaSnapshot.fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return SHA256.hexDigest(Array(data))
    }
}
