import ArgumentParser
import Columnstore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `projection-migrate apply`: applies pending migrations in order under a cross-process lock.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply pending migrations to the store.",
        discussion: """
        Runs every <sql-dir>/<store>/NNNN_*.sql not yet in the ledger (_projection_migrations), in order. \
        Refuses to run if an applied file changed. A concurrent run waits for the lock up to --lock-timeout. \
        On Postgres, a statement waits at most --ddl-lock-timeout for a table lock (so queries of that table never \
        queue behind it for long); the file is then rolled back and tried again, for up to --lock-timeout. \
        On ClickHouse, progress is recorded per statement and an interrupted file resumes where it stopped. \
        Exit codes: 0 applied or nothing to do, 1 failure, 2 invalid configuration, 3 lock timeout (either lock).
        """)

    /// Test-only fault injection: `_exit(137)` right after the Nth ClickHouse statement of this run is
    /// recorded, as a `kill -9` at the worst moment would. Never set it in a deployment.
    static let crashAfterStatementsSetting = "PROJECTION_MIGRATE_TEST_CRASH_AFTER_STATEMENTS"

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a concurrent run's lock (0: try once).")
    var lockTimeout: Int = 60

    @Option(name: .customLong("ddl-lock-timeout"), help: "Postgres: seconds a statement waits for a table lock before its file is rolled back and tried again (until --lock-timeout).")
    var ddlLockTimeout: Double = 5

    @Option(name: .customLong("lock-lease"), help: "ClickHouse lock lease in seconds, renewed while applying; a crashed run blocks others at most this long.")
    var lockLease: Int = 30

    func validate() throws {
        guard lockTimeout >= 0 else { throw ValidationError("--lock-timeout must be 0 or more seconds") }
        guard ddlLockTimeout >= 0.001, ddlLockTimeout <= 3_600 else { throw ValidationError("--ddl-lock-timeout must be between 0.001 and 3600 seconds") }
        guard lockLease >= 2 else { throw ValidationError("--lock-lease must be at least 2 seconds") }
    }

    func run() async throws {
        do {
            let environment = try MigrateEnvironment.current()
            let resolved = try store.resolve(environment)
            let crashAfter = environment.crashAfterStatements
            var afterRecord: (@Sendable (Int) -> Void)?
            if crashAfter > 0 {
                afterRecord = { recorded in Self.crashIfDue(recorded: recorded, limit: crashAfter) }
            }
            let tableLocks = DDLLockPolicy(attempt: .milliseconds(Int64(ddlLockTimeout * 1_000)), total: .seconds(lockTimeout))
            let backend = try resolved.backend(lease: .seconds(lockLease), tableLocks: tableLocks, afterRecord: afterRecord)
            print(MigrationReport.header("apply", backend: backend, directory: resolved.directory))
            let plan: MigrationRunPlan
            do {
                plan = try await MigrationRunner(backend: backend, directory: resolved.directory)
                    .apply(lockTimeout: .seconds(lockTimeout), onEvent: Self.report)
                await backend.close()
            } catch {
                await backend.close()
                throw error
            }
            let applied = plan.toApply
            if applied.isEmpty {
                print("apply: nothing to apply (\(MigrationReport.summary(plan)))")
            } else {
                let count = applied.reduce(0) { $0 + $1.statementsToRun }
                print("apply: applied \(applied.count) file(s), \(MigrationReport.statements(count))")
            }
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }

    /// The fault injection of `crashAfterStatementsSetting`.
    static func crashIfDue(recorded: Int, limit: Int) {
        guard recorded >= limit else { return }
        FileHandle.standardError.write(Data("projection-migrate: \(crashAfterStatementsSetting)=\(limit): exiting abruptly\n".utf8))
        _exit(137)
    }

    @Sendable static func report(_ event: MigrationEvent) {
        // Each line reaches a job's log as it happens: there stdout is a pipe or a file, which C buffers
        // fully, so a run waiting on a lock would show nothing until it exits. (nil: every stream.)
        defer { fflush(nil) }
        switch event {
        case .waitingForLock(let holder):
            print("apply: waiting for the migration lock, held by \(holder)")
        case .lockAcquired:
            print("apply: lock acquired")
        case .fileStarted(let name, let statements, let resumingAt):
            if resumingAt > 0 {
                print("apply: \(name): resuming at statement \(resumingAt + 1) of \(statements)")
            } else {
                print("apply: \(name): \(MigrationReport.statements(statements))")
            }
        case .statementApplied(let file, let number, let total, let recorded):
            print("  \(file): statement \(number)/\(total) \(recorded ? "applied and recorded" : "applied")")
        case .waitingForTableLock(let file, let statement, let attempt):
            print("apply: \(file): statement \(statement) is waiting for a table lock another session holds; rolled back, trying again (attempt \(attempt + 1))")
        case .fileApplied(let name, _):
            print("apply: \(name): done")
        }
    }
}
