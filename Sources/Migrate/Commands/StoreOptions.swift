import ArgumentParser
import Columnstore
import Foundation

/// Where `apply`, `plan`, `status` and `hash` work: the store from `PROJECTION_STORE_KIND` /
/// `PROJECTION_STORE_DSN` (flags override) and its migration folder `<sql-dir>/<store>`.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("store-kind"), help: "clickhouse or postgres_table (default: $PROJECTION_STORE_KIND, else clickhouse).")
    var storeKind: String?

    @Option(help: "Store DSN (default: $PROJECTION_STORE_DSN; prefer the environment, command lines are visible to other users).")
    var dsn: String?

    @Option(name: .customLong("sql-dir"), help: "Root of the migration folders; files come from <sql-dir>/<store>.")
    var sqlDirectory: String = "sql"

    /// The store, DSN and folder, with flags over settings.
    /// - Throws: `ConfigurationError` naming the setting (or flag) that is missing or invalid.
    func resolve(_ environment: MigrateEnvironment) throws -> ResolvedStore {
        let kind: StoreKind
        if let storeKind {
            // The flag also takes the store folder name `postgres`.
            guard let value = StoreKind.environmentChoices[storeKind] ?? StoreKind(rawValue: storeKind) else {
                throw ConfigurationError(code: .invalid, setting: "--store-kind", reason: "expected clickhouse or postgres_table, got \"\(storeKind)\"")
            }
            kind = value
        } else {
            kind = environment.storeKind
        }
        let dsn: String
        if let flag = self.dsn, !flag.isEmpty {
            dsn = flag
        } else if let setting = environment.storeDSN {
            dsn = setting
        } else {
            throw ConfigurationError(code: .missing, setting: MigrateSettings.storeDSN.name, reason: "the \(kind.environmentValue) DSN to migrate (or pass --dsn)")
        }
        let directory = (sqlDirectory as NSString).appendingPathComponent(kind.rawValue)
        return ResolvedStore(kind: kind, dsn: dsn, directory: directory)
    }
}
