import ArgumentParser
import Columnstore
import StoreBackends

/// `projection-migrate hash`: the deterministic state hash per table and tenant (replay validation).
struct HashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print a deterministic hash of each projected table's state, per tenant.",
        discussion: """
        Reads every projected table (or --table) fully merged, per tenant (or --tenant), in key order, \
        renders the rows canonically (the same text on ClickHouse and Postgres) and hashes them with \
        SHA-256. Equal digests mean equal state: compare a rebuild with a live store, or ClickHouse with \
        Postgres. Version columns and stream sequences are left out (see docs/OPERATIONS.md). Read-only. \
        Exit codes: 0 hashed, 1 store failure or unknown table, 2 invalid configuration (e.g. a DSN that does not parse).
        """)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("descriptor-set"), help: "FileDescriptorSet to read (default: $PROJECTION_DESCRIPTOR_SET, else the built-in orders-analytics).")
    var descriptorSet: String?

    @Option(help: "Projection name to pick when the descriptor set declares several.")
    var projection: String?

    @Option(help: "Hash only this table.")
    var table: String?

    @Option(help: "Hash only this tenant (listed even when it has no rows).")
    var tenant: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        do {
            let resolved = try store.resolve(try MigrateEnvironment.current())
            let schema = try ProjectionSchema.resolve(descriptorSetPath: descriptorSet, projection: projection)
            let report = try await resolved.storeBackend.stateHashReport(schema: schema, table: table, tenant: tenant)
            print(json ? report.json : report.text, terminator: "")
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }
}
