import Columnstore
import Foundation
import LibPQ
import Testing

/// `apply` on Postgres never leaves a DDL statement queued behind a long transaction for more than
/// `--ddl-lock-timeout` (queries of that table would queue behind the DDL): the file is rolled back and
/// tried again until `--lock-timeout`.
@Suite("Postgres migrations and table locks")
struct PostgresTableLockTests {
    static let create = ["0001_create.sql": "CREATE TABLE lock_target (a integer);\n"]
    static let alter = "ALTER TABLE lock_target ADD COLUMN b integer;\n"

    /// A session that has read `lock_target` in an open transaction (it holds ACCESS SHARE until it ends).
    static func reader(_ sandbox: MigrationSandbox) async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(dsn: sandbox.dsn)
        try await connection.execute("BEGIN")
        _ = try await connection.query("SELECT count(*) AS n FROM lock_target")
        return connection
    }

    /// The table created and applied, then an ALTER of it pending while a reader holds it.
    static func alterBehindReader(_ sandbox: MigrationSandbox) async throws -> PostgresConnection {
        #expect(try await sandbox.migrate("apply").status == 0)
        try Data(alter.utf8).write(to: sandbox.migrationDirectory.appendingPathComponent("0002_alter.sql"))
        return try await reader(sandbox)
    }

    static func hasColumnB(_ sandbox: MigrationSandbox) async throws -> Bool {
        let rows = try await sandbox.rows("""
            SELECT count(*) FROM information_schema.columns
            WHERE table_schema = '\(sandbox.name)' AND table_name = 'lock_target' AND column_name = 'b'
            """)
        return rows.first?.first == "1"
    }

    @Test("a table lock held past --lock-timeout: exit 3 naming the file and statement, the file rolled back")
    func givesUp() async throws {
        try await MigrationSandbox.with(.postgres, files: Self.create) { sandbox in
            let holder = try await Self.alterBehindReader(sandbox)
            defer { holder.close() }
            let blocked = try await sandbox.migrate("apply", ["--lock-timeout", "5", "--ddl-lock-timeout", "0.2"])
            #expect(blocked.status == 3, "\(blocked.all)")
            // Whether a retry fitted in the budget depends on this machine's speed, so the retry line is not
            // asserted here (`retries` waits for it); the verdict and what it names are.
            #expect(blocked.error.contains("another session holds a lock on a table"), "\(blocked.all)")
            #expect(blocked.error.contains("0002_alter.sql"), "\(blocked.all)")
            #expect(try await sandbox.ledger().map { $0[0] } == ["0001_create.sql"])
            #expect(try await !Self.hasColumnB(sandbox))
            // Giving up left nothing holding or queued for the table: a new reader gets it at once
            // (lock_timeout 1 ms: it would fail, not wait, behind a leftover DDL lock request).
            let other = try await PostgresConnection.connect(dsn: sandbox.dsn)
            defer { other.close() }
            try await other.execute("SET lock_timeout = '1ms'")
            #expect(try await other.query("SELECT count(*) AS n FROM lock_target").single?.int64("n") == 0)
            try await holder.execute("COMMIT")
            let again = try await sandbox.migrate("apply")
            #expect(again.status == 0, "\(again.all)")
            #expect(try await Self.hasColumnB(sandbox))
        }
    }

    @Test("a deadlock with another session (two tables locked in the other order): the file is rolled back and applied on a later attempt")
    func retriesAfterDeadlock() async throws {
        let create = ["0001_create.sql": "CREATE TABLE lock_target (a integer);\n\nCREATE TABLE lock_other (a integer);\n"]
        try await MigrationSandbox.with(.postgres, files: create) { sandbox in
            #expect(try await sandbox.migrate("apply").status == 0)
            try Data("ALTER TABLE lock_target ADD COLUMN b integer;\n\nALTER TABLE lock_other ADD COLUMN c integer;\n".utf8)
                .write(to: sandbox.migrationDirectory.appendingPathComponent("0002_alter.sql"))
            // Another session writes lock_other in an open transaction, as a batch holds the tables it wrote.
            let other = try await PostgresConnection.connect(dsn: sandbox.dsn)
            defer { other.close() }
            try await other.execute("BEGIN")
            try await other.execute("INSERT INTO lock_other VALUES (1)")
            // The lock wait outlasts Postgres's deadlock check (deadlock_timeout, 1 s by default).
            let run = try sandbox.start("apply", ["--lock-timeout", "300", "--ddl-lock-timeout", "60"])
            // Once apply holds lock_target and waits for lock_other, the other session asks for lock_target:
            // a cycle. Postgres aborts one side: apply (it waited first, so its check runs first) or, on a
            // slow turn, the other session. Either way apply must end with the file applied.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            let waiting = """
                SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE NOT l.granted AND c.relname = 'lock_other' AND c.relnamespace = current_schema()::regnamespace
                """
            while try await sandbox.rows(waiting).first?.first != "1", clock.now < deadline {
                try await clock.sleep(for: .milliseconds(20))
            }
            _ = try? await other.query("SELECT count(*) AS n FROM lock_target")
            try? await other.execute("COMMIT")
            let outcome = await run.wait()
            #expect(outcome.status == 0, "\(outcome.all)")
            #expect(try await sandbox.ledger().map { $0[0] } == ["0001_create.sql", "0002_alter.sql"])
            #expect(try await Self.hasColumnB(sandbox))
            #expect(try await sandbox.rows("SELECT count(*) FROM information_schema.columns WHERE table_schema = '\(sandbox.name)' AND table_name = 'lock_other' AND column_name = 'c'") == [["1"]])
        }
    }

    @Test("a table lock released while apply retries: the file is applied on a later attempt")
    func retries() async throws {
        try await MigrationSandbox.with(.postgres, files: Self.create) { sandbox in
            let holder = try await Self.alterBehindReader(sandbox)
            defer { holder.close() }
            let run = try sandbox.start("apply", ["--lock-timeout", "300", "--ddl-lock-timeout", "0.1"])
            // Wait (however long this machine needs) until an attempt has given up, then end the reader.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while !run.outputSoFar().contains("waiting for a table lock"), clock.now < deadline {
                try await clock.sleep(for: .milliseconds(50))
            }
            #expect(run.outputSoFar().contains("waiting for a table lock"))
            try await holder.execute("COMMIT")
            let outcome = await run.wait()
            #expect(outcome.status == 0, "\(outcome.all)")
            #expect(outcome.output.contains("0002_alter.sql: done"), "\(outcome.all)")
            #expect(try await sandbox.ledger().map { $0[0] } == ["0001_create.sql", "0002_alter.sql"])
            #expect(try await Self.hasColumnB(sandbox))
        }
    }
}
