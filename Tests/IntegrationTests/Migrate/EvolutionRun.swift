import Columnstore
import Foundation
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// One store's walk through the `evo` versions (`EvolutionProjection`) with the real executables: generate,
/// apply, ingest the phase's facts with that version, compare every row with `EvolutionFacts`.
struct EvolutionRun {
    let sandbox: MigrationSandbox
    /// Version → compiled descriptor set.
    let descriptorSets: [Int: String]
    let facts: EvolutionFacts
    let stream: String

    var kind: StoreKind { sandbox.kind }

    /// What the ingest, `rebuild` and `hash` get (a deployment's settings), without the descriptor set.
    var settings: [String: String] {
        sandbox.environment.merging([
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(facts.subject).>", "PROJECTION_DURABLE": "evo-\(sandbox.name)", "PROJECTION_NAME": "evo",
        ]) { _, new in new }
    }

    func generate(_ version: Int, allowDestructive: Bool = false) async throws -> MigrateProcess.Outcome {
        try await MigrateProcess.run(
            ["generate", "--descriptor-set", descriptorSets[version]!, "--out", sandbox.sqlRoot.path, "--store", kind.rawValue]
                + (allowDestructive ? ["--allow-destructive"] : []),
            environment: [:])
    }

    /// Publishes phase `phase`, runs the ingest with projection `version` until it has applied everything so far,
    /// and returns the `schema_hash` its `/version` reports.
    func ingest(_ version: Int, phase: Int) async throws -> String? {
        try await MigrationSandbox.publish(facts.messages(phase: phase), stream: stream, subjects: ["\(facts.subject).>"])
        let ingest = IngestProcess(environment: settings.merging(["PROJECTION_DESCRIPTOR_SET": descriptorSets[version]!]) { _, new in new })
        try ingest.start()
        try await ingest.waitForCheckpoint(UInt64(facts.messageCount(through: phase)), timeout: .seconds(120))
        let identity = await ingest.request("GET", "/version")
        _ = await ingest.terminate()
        return identity?.body["schema_hash"] as? String
    }

    /// `rebuild --descriptor-set vN --cutover --live-stopped`: the documented path after a destructive migration.
    func rebuild(_ version: Int) async throws -> MigrateProcess.Outcome {
        try await MigrateProcess(
            ["rebuild", "--descriptor-set", descriptorSets[version]!, "--cutover", "--live-stopped", "--catch-up-lag", "0"],
            environment: settings
        ).wait(timeout: .seconds(240))
    }

    /// Every row of every table of projection `version` equals the model after phases 1...phase.
    func expectExact(through phase: Int, version: Int, _ step: String) async throws {
        let views = try await sandbox.evolutionViews(version: version)
        #expect(views == facts.views(through: phase, version: version), "\(kind) \(step): views")
        let totals = try await sandbox.evolutionItemTotals(version: version)
        #expect(totals == facts.itemTotals(through: phase, version: version), "\(kind) \(step): item_totals")
        let tables = try await sandbox.projectedTables()
        if (2...3).contains(version) {
            #expect(try await sandbox.evolutionPurchases() == facts.purchases(through: phase), "\(kind) \(step): purchases")
            #expect(tables == ["views", "item_totals", "purchases"], "\(kind) \(step): \(tables)")
        } else {
            #expect(tables == ["views", "item_totals"], "\(kind) \(step): \(tables)")
        }
    }

    /// The schema hash of the last ledger entry, as `status` reports it, and the file it came with.
    func ledgerSchemaHash() async throws -> (hash: String, file: String)? {
        let backend: any MigrationBackend = kind == .clickhouse
            ? try ClickHouseMigrationBackend(dsn: sandbox.dsn) : PostgresMigrationBackend(dsn: sandbox.dsn)
        let ledger = try await backend.readLedger()
        await backend.close()
        let files = try MigrationFile.load(directory: sandbox.migrationDirectory.path)
        return MigrationRunPlan(files: files, ledger: ledger).recordedSchemaHash
    }

    /// SHA-256 of the folder's `schema.lock.json`.
    var lockHash: String { MigrationRunner.schemaLockHash(directory: sandbox.migrationDirectory.path) }

    /// `hash --json` of projection `version`: table → tenant → digest (and the table's digest under "*").
    func stateHash(_ version: Int) async throws -> [String: [String: String]] {
        let outcome = try await MigrateProcess.run(["hash", "--descriptor-set", descriptorSets[version]!, "--json"], environment: settings)
        #expect(outcome.status == 0, "\(kind) hash: \(outcome.all)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any]
        var result: [String: [String: String]] = [:]
        for table in json?["tables"] as? [[String: Any]] ?? [] {
            let name = table["table"] as? String ?? "?"
            result[name, default: [:]]["*"] = table["sha256"] as? String
            for tenant in table["tenants"] as? [[String: Any]] ?? [] {
                result[name, default: [:]][tenant["tenant"] as? String ?? "?"] = tenant["sha256"] as? String
            }
        }
        return result
    }

    /// Migration files in the folder, by name.
    func migrationNames() throws -> [String] {
        try MigrationFile.load(directory: sandbox.migrationDirectory.path).map(\.name)
    }
}
