import ArgumentParser
import Columnstore
import Foundation

/// `projection-migrate generate`: writes the next numbered migration per store
/// when the annotated schema changed since `schema.lock.json`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate migrations for schema changes (deterministic; never edits existing files).",
        discussion: """
        Diffs the schema from the descriptor set against <out>/<store>/schema.lock.json and writes \
        <out>/<store>/NNNN_<name>.sql for the difference. Destructive changes (drops, renames, type or \
        key changes) are refused unless --allow-destructive is given. A folder generated before a change \
        of the internal _projection_* tables gets that change in its next migration. With --cluster, ClickHouse DDL \
        goes to <out>/clickhouse-cluster with ON CLUSTER, Replicated* and Distributed tables.
        """
    )

    @Option(name: .customLong("descriptor-set"), help: "FileDescriptorSet to read (default: $PROJECTION_DESCRIPTOR_SET, else the built-in orders-analytics).")
    var descriptorSet: String?

    @Option(help: "Projection name to pick when the descriptor set declares several.")
    var projection: String?

    @Option(help: "Root of the migration folders.")
    var out: String = "sql"

    @Option(help: "clickhouse, postgres or all (the stores the projection supports).")
    var store: StoreSelection = .all

    @Option(help: "ClickHouse cluster name: emit ON CLUSTER, Replicated* and Distributed tables.")
    var cluster: String?

    @Flag(name: .customLong("allow-destructive"), help: "Permit drops, type changes and table recreation (data loss).")
    var allowDestructive = false

    func run() throws {
        let schema = try ProjectionSchema.resolve(descriptorSetPath: descriptorSet, projection: projection)
        for warning in Self.queryWarnings(schema) { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        for store in store.stores(supportedBy: schema) {
            let target: DDLTarget = store == .clickhouse ? .clickhouse(cluster: cluster) : .postgres
            let plan = try MigrationGenerator.generate(schema: schema, target: target, outputRoot: out, allowDestructive: allowDestructive)
            let directory = MigrationDirectory(root: out, target: target).path
            if let migration = plan.migration {
                print("\(target): wrote \(directory)/\(migration.name)")
                for upgrade in plan.internalUpgrades { print("  - \(upgrade)") }
                for change in plan.changes { print("  - \(change)") }
            } else if plan.lock != nil {
                print("\(target): no DDL needed; updated \(directory)/\(SchemaSnapshot.fileName)")
            } else {
                print("\(target): up to date")
            }
        }
    }

    /// Query RPCs without `idempotency_level = NO_SIDE_EFFECTS`: Connect clients can call them only
    /// by POST (no GET, so no HTTP caching), and the query API answers their GET with 405.
    static func queryWarnings(_ schema: ProjectionSchema) -> [String] {
        guard let service = schema.queryService else { return [] }
        return service.methods.filter { !$0.hasNoSideEffects }.map { method in
            "\(service.fullName).\(method.name): query RPCs read only; add `option idempotency_level = NO_SIDE_EFFECTS;` "
                + "so Connect clients may call it with GET (the query API refuses GET without it: 405)"
        }
    }
}
