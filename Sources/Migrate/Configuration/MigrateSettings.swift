import Columnstore

/// Every setting projection-migrate reads from the environment, declared once: `MigrateEnvironment`
/// reads through these, `--help` and docs/SETTINGS.md list them, and a test fails when the reads and the
/// list differ. Per-invocation choices stay flags (`projection-migrate <command> --help`); where a flag
/// and a setting name the same thing, the flag wins.
enum MigrateSettings {
    static let storeKind = SettingDeclaration.choice(StoreKind.setting, default: "clickhouse", choices: ["clickhouse", "postgres_table"], "the store migrated, hashed or rebuilt (`--store-kind` overrides)")
    static let storeDSN = SettingDeclaration.string("PROJECTION_STORE_DSN", shown: "unset (store commands need it)", "the store's DSN (`--dsn` overrides; prefer the environment, command lines are visible to other users)")
    static let name = SettingDeclaration.string("PROJECTION_NAME", default: "orders-analytics", "the projection whose live consumer `rebuild` and `rollback` act on")
    static let descriptorSet = SettingDeclaration.string(ProjectionSchema.descriptorSetEnvironmentKey, shown: "the built-in orders-analytics", "a compiled descriptor set holding the projection (`--descriptor-set` overrides)")
    static let durable = SettingDeclaration.string("PROJECTION_DURABLE", shown: "as projection-ingest", "the live consumer's durable, as projection-ingest names it")
    static let partition = SettingDeclaration.int("PROJECTION_PARTITION", default: 0, range: 0...1023, "the live single consumer's partition")
    static let partitions = SettingDeclaration.int("PROJECTION_PARTITIONS", default: nil, range: 1...1024, "replica mode: `rebuild` and `rollback` act on every partition, through the lease bucket (docs/SCALING.md)")
    static let natsURL = SettingDeclaration.string("PROJECTION_NATS_URL", default: "nats://127.0.0.1:4222", "the NATS server (replica mode: the lease bucket); the rebuild's ingest reads its own NATS settings from the same environment")
    static let leaseBucket = SettingDeclaration.string("PROJECTION_LEASE_BUCKET", default: "projection_leases", "replica mode: the JetStream KV bucket of leases")
    static let leaseTTL = SettingDeclaration.milliseconds("PROJECTION_LEASE_TTL_MS", default: 15_000, range: 1_000...600_000, "replica mode: a partition lease's time to live")
    static let adminToken = SettingDeclaration.string("PROJECTION_ADMIN_TOKEN", "the live ingest's admin token, for `--live-admin`")
    static let crashAfterStatements = SettingDeclaration.int(ApplyCommand.crashAfterStatementsSetting, default: 0, range: 0...1_000_000, shown: "0 (off)", "tests only: `apply` exits with 137 right after the Nth ClickHouse statement it records")
    static let configFile = SettingDeclaration.string(SettingsSource.configFileSetting, "a file of `NAME=value` lines with defaults the environment overrides")

    /// In the order `--help` and the docs show them.
    static let all: [SettingDeclaration] = [
        storeKind, storeDSN, name, descriptorSet, durable, partition, partitions, natsURL, leaseBucket, leaseTTL, adminToken, crashAfterStatements, configFile,
    ]
}
