import ArgumentParser
import Columnstore

/// `projection-migrate plan`: prints what `apply` would run, without writing or locking anything.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the migrations apply would run.",
        discussion: "Exits 0 when apply could run (or has nothing to do), 1 if an applied migration was edited.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        do {
            let resolved = try store.resolve(try MigrateEnvironment.current())
            let (backend, plan) = try await resolved.readPlan()
            print(MigrationReport.header("plan", backend: backend, directory: resolved.directory))
            for migration in plan.migrations { print(MigrationReport.planLine(migration)) }
            try plan.checkNoneModified()
            let files = plan.toApply
            if files.isEmpty {
                print("plan: nothing to apply (\(MigrationReport.summary(plan)))")
            } else {
                let count = files.reduce(0) { $0 + $1.statementsToRun }
                print("plan: \(files.count) file(s), \(MigrationReport.statements(count)) to apply")
            }
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }
}
