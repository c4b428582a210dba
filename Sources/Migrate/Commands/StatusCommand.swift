import ArgumentParser
import Columnstore

/// `projection-migrate status`: applied, pending, partly applied, modified and missing migrations.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show applied, pending and modified migrations.",
        discussion: "Read-only. Exits 0 whenever the store could be read, even with modified files (plan and apply refuse those).")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        do {
            let resolved = try store.resolve(try MigrateEnvironment.current())
            let (backend, plan) = try await resolved.readPlan()
            print(MigrationReport.header("status", backend: backend, directory: resolved.directory))
            for migration in plan.migrations { print(MigrationReport.statusLine(migration)) }
            print("status: \(MigrationReport.summary(plan))")
            for line in MigrationReport.schemaHashLines(plan, directory: resolved.directory) { print(line) }
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }
}
