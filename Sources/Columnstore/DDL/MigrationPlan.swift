/// What `generate` would write for one target.
public struct MigrationPlan: Sendable, Hashable {
    public var target: DDLTarget
    /// Changes since the recorded state (empty when up to date).
    public var changes: [SchemaChange]
    /// Internal-table layout steps since the recorded state; they come first in the migration.
    public var internalUpgrades: [InternalTablesUpgrade]
    /// The new numbered migration, when a change needs DDL.
    public var migration: GeneratedFile?
    /// The new `schema.lock.json`, when the recorded state changes.
    public var lock: GeneratedFile?

    public init(
        target: DDLTarget, changes: [SchemaChange], internalUpgrades: [InternalTablesUpgrade] = [],
        migration: GeneratedFile?, lock: GeneratedFile?
    ) {
        self.target = target
        self.changes = changes
        self.internalUpgrades = internalUpgrades
        self.migration = migration
        self.lock = lock
    }

    /// Whether nothing needs to be written.
    public var isUpToDate: Bool { migration == nil && lock == nil }
}
