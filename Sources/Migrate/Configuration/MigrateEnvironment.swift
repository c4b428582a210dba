import Columnstore

/// projection-migrate's settings, read once through `MigrateSettings` (the environment over
/// `PROJECTION_CONFIG_FILE`). Flags are applied over these by the commands.
struct MigrateEnvironment: Sendable {
    var storeKind: StoreKind
    /// Holds the password; never printed.
    var storeDSN: String?
    var projection: String
    var descriptorSet: String?
    /// The live consumers `rebuild` and `rollback` act on.
    var live: RebuildGeneration
    /// Replica mode (`PROJECTION_PARTITIONS`); nil for one hand-configured consumer.
    var partitions: RebuildPartitions?
    var adminToken: String?
    /// Test-only fault injection of `apply`; 0 is off.
    var crashAfterStatements: Int

    /// - Throws: `ConfigurationError` naming the setting that is invalid.
    init(settings: SettingsSource) throws {
        storeKind = try settings.oneOf(MigrateSettings.storeKind, choices: StoreKind.environmentChoices)
        storeDSN = settings.string(MigrateSettings.storeDSN)
        projection = settings.string(MigrateSettings.name) ?? "orders-analytics"
        descriptorSet = settings.string(MigrateSettings.descriptorSet)
        live = try RebuildGeneration.live(from: settings)
        partitions = try RebuildPartitions(settings)
        adminToken = settings.string(MigrateSettings.adminToken)
        crashAfterStatements = try settings.int(MigrateSettings.crashAfterStatements) ?? 0
    }

    /// The process's settings.
    static func current() throws -> MigrateEnvironment {
        try MigrateEnvironment(settings: SettingsSource.fromEnvironment())
    }
}
