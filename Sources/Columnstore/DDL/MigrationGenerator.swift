/// `projection-migrate generate`: plans and writes the next migration per target.
public enum MigrationGenerator {
    /// Generates into `<outputRoot>/<target.directoryName>` and returns what was planned.
    @discardableResult
    public static func generate(
        schema: ProjectionSchema, target: DDLTarget, outputRoot: String, allowDestructive: Bool = false
    ) throws -> MigrationPlan {
        let directory = MigrationDirectory(root: outputRoot, target: target)
        let plan = try MigrationPlanner.plan(
            schema: schema, target: target,
            existingFiles: try directory.migrationFileNames(),
            lock: try directory.readLock(),
            allowDestructive: allowDestructive
        )
        try directory.write(plan)
        return plan
    }
}
