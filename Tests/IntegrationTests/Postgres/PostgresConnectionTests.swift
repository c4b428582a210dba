import Foundation
import LibPQ
import Testing

@Suite("PostgresConnection against the dev stack")
struct PostgresConnectionTests {
    private func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
    }

    /// The dev-stack DSN with its password or port replaced.
    private func dsn(password: String? = nil, port: Int? = nil) throws -> String {
        var components = try #require(URLComponents(string: DevStack.postgresDSN))
        if let password { components.password = password }
        if let port { components.port = port }
        return try #require(components.string)
    }

    /// Creates a uniquely named table, runs `body`, and drops the table from a fresh connection.
    private func withTable(
        _ columns: String, _ body: (PostgresConnection, String) async throws -> Void
    ) async throws {
        let table = DevStack.uniqueName("pg_test")
        let connection = try await connect()
        try await connection.execute("CREATE TABLE \(table) (\(columns))")
        var failure: (any Error)?
        do { try await body(connection, table) } catch { failure = error }
        connection.close()
        let cleanup = try await connect()
        try await cleanup.execute("DROP TABLE IF EXISTS \(table)")
        cleanup.close()
        if let failure { throw failure }
    }

    @Test func connectAndSelectOne() async throws {
        let connection = try await connect()
        defer { connection.close() }
        let rows = try await connection.query("SELECT 1 AS one, 'x' AS name")
        #expect(rows.columns == ["one", "name"])
        #expect(rows.count == 1)
        #expect(rows[0].int64("one") == 1)
        #expect(rows[0]["name"] == "x")
        #expect(connection.isAlive)
    }

    @Test func hostileStringIsStoredVerbatim() async throws {
        try await withTable("id bigint PRIMARY KEY, body text") { connection, table in
            let hostile = "'; DROP TABLE \(table); -- \"quotes\" \\ back\\slash $1 ünïcode 🚀"
            let insert = try await connection.query("INSERT INTO \(table) VALUES ($1, $2)", [.int64(1), .text(hostile)])
            #expect(insert.affectedRows == 1)
            let rows = try await connection.query("SELECT body FROM \(table) WHERE body = $1", [.text(hostile)])
            #expect(rows.count == 1)
            #expect(rows[0]["body"] == hostile)
        }
    }

    @Test func typedParametersRoundTrip() async throws {
        let connection = try await connect()
        defer { connection.close() }
        let rows = try await connection.query(
            "SELECT $1::int8 + 1 AS i, $2::float8 * 2 AS d, NOT $3 AS b, $4::bytea AS bytes, $5::date AS day,"
                + " extract(epoch FROM $6::timestamptz)::float8 AS epoch",
            [.int64(Int64.max - 1), .double(1.25), .bool(false), .bytea([0, 1, 0xFE]),
             .date(year: 2024, month: 2, day: 29), .timestamptz(microseconds: 1_709_251_199_250_000)]
        )
        let row = try #require(rows.single)
        #expect(row.int64("i") == Int64.max)
        #expect(row.double("d") == 2.5)
        #expect(row.bool("b") == true)
        #expect(row.bytes("bytes") == [0, 1, 0xFE])
        #expect(row["day"] == "2024-02-29")
        #expect(row.double("epoch") == 1_709_251_199.25)
    }

    @Test func nullsComeBackAsNil() async throws {
        try await withTable("id int, note text, amount float8") { connection, table in
            try await connection.query("INSERT INTO \(table) VALUES ($1, $2, $3)", [1, nil, .null])
            let rows = try await connection.query("SELECT id, note, amount FROM \(table)")
            #expect(rows[0].int64("id") == 1)
            #expect(rows[0]["note"] == nil)
            #expect(rows[0].double("amount") == nil)
            #expect(rows[0].contains(column: "note"))
            #expect(!rows[0].contains(column: "missing"))
        }
    }

    @Test func committedTransactionIsVisibleAndRolledBackIsNot() async throws {
        try await withTable("id int") { connection, table in
            let observer = try await connect()
            defer { observer.close() }
            try await connection.transaction { tx in
                try await tx.query("INSERT INTO \(table) VALUES (1)")
                // Not yet visible to another session before COMMIT.
                let during = try await observer.query("SELECT count(*) FROM \(table)")
                #expect(during[0].int64(at: 0) == 0)
            }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await connection.transaction { tx in
                    try await tx.query("INSERT INTO \(table) VALUES (2)")
                    throw Abort()
                }
            }
            let ids = try await observer.query("SELECT id FROM \(table) ORDER BY id")
            #expect(ids.map { $0.int64("id") } == [1])
        }
    }

    @Test func errorInsideTransactionRollsBackAndConnectionKeepsWorking() async throws {
        try await withTable("id int") { connection, table in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.transaction { tx in
                    try await tx.query("INSERT INTO \(table) VALUES (1)")
                    try await tx.query("SELECT * FROM no_such_table_\(table)")
                }
            }
            #expect(error?.sqlState == "42P01")
            #expect(error?.code == .server)
            let count = try await connection.query("SELECT count(*) FROM \(table)")
            #expect(count[0].int64(at: 0) == 0)

            // A swallowed error still aborts the transaction; COMMIT must not pretend success.
            let swallowed = await #expect(throws: PostgresError.self) {
                try await connection.transaction { tx in
                    try await tx.query("INSERT INTO \(table) VALUES (2)")
                    _ = try? await tx.query("SELECT 1/0")
                }
            }
            #expect(swallowed?.sqlState == "25P02")
            let after = try await connection.query("SELECT count(*) FROM \(table)")
            #expect(after[0].int64(at: 0) == 0)
            #expect(connection.isAlive)
        }
    }

    @Test func copyThroughQueryIsRejectedAndConnectionRecovers() async throws {
        try await withTable("id int") { connection, table in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.query("COPY \(table) FROM STDIN")
            }
            #expect(error?.code == .protocol)
            let after = try await connection.query("SELECT 2")
            #expect(after[0].int64(at: 0) == 2)
        }
    }

    @Test func executeRunsMultiStatementScripts() async throws {
        let table = DevStack.uniqueName("pg_script")
        let connection = try await connect()
        defer { connection.close() }
        try await connection.execute(
            "CREATE TABLE \(table) (id int); INSERT INTO \(table) VALUES (1), (2); DROP TABLE IF EXISTS nothing_\(table);"
        )
        #expect(try await connection.query("SELECT sum(id) FROM \(table)")[0].int64(at: 0) == 3)
        try await connection.execute("DROP TABLE \(table)")
    }

    @Test func advisoryLockIsExclusiveAcrossSessions() async throws {
        let key = Int64.random(in: 1...Int64.max)
        let a = try await connect()
        let b = try await connect()
        defer { a.close(); b.close() }
        #expect(try await a.tryAdvisoryLock(key))
        #expect(try await !b.tryAdvisoryLock(key))
        #expect(try await a.advisoryUnlock(key))
        #expect(try await b.tryAdvisoryLock(key))
        #expect(try await !a.tryAdvisoryLock(key))
        #expect(try await b.advisoryUnlock(key))
        #expect(try await !b.advisoryUnlock(key))  // no longer held
        try await a.advisoryLock(key)
        #expect(try await a.advisoryUnlock(key))
    }

    @Test func transactionAdvisoryLockIsReleasedAtCommit() async throws {
        let key = Int64.random(in: 1...Int64.max)
        let a = try await connect()
        let b = try await connect()
        defer { a.close(); b.close() }
        try await a.transaction { tx in
            let locked = try await tx.tryAdvisoryTransactionLock(key)
            let lockedByOther = try await b.tryAdvisoryLock(key)
            #expect(locked)
            #expect(!lockedByOther)
        }
        #expect(try await b.tryAdvisoryLock(key))
        #expect(try await b.advisoryUnlock(key))
    }

    @Test func uniqueViolationHasSQLState23505() async throws {
        try await withTable("id int CONSTRAINT pk_\(UInt32.random(in: 0...UInt32.max)) PRIMARY KEY") { connection, table in
            try await connection.query("INSERT INTO \(table) VALUES (1)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.query("INSERT INTO \(table) VALUES ($1)", [1])
            }
            #expect(error?.sqlState == "23505")
            #expect(error?.constraint?.hasPrefix("pk_") == true)
            #expect(error?.table == table)
            #expect(error?.detail?.contains("(id)=(1)") == true)
            #expect(error?.isTransient == false)
        }
    }

    @Test func wrongPasswordErrorDoesNotRevealThePassword() async throws {
        let wrong = "wrong-\(UInt32.random(in: 0...UInt32.max))"
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(dsn: try dsn(password: wrong))
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.isTransient == false)
        #expect(error?.description.contains(wrong) == false)
        #expect(error?.message.contains(wrong) == false)
    }

    @Test func closedPortFailsWithATransientConnectionError() async throws {
        // Nothing listens on port 1 on the dev machine.
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(dsn: try dsn(port: 1))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isTransient == true)
        #expect(error?.description.contains("projection:projection") == false)
    }

    @Test func terminatedConnectionFailsTransientlyAndResetRecovers() async throws {
        let victim = try await connect()
        let admin = try await connect()
        defer { victim.close(); admin.close() }
        let pid = try #require(try await victim.query("SELECT pg_backend_pid()")[0].int64(at: 0))
        // The same effect on this session as a server restart: the backend goes away.
        #expect(try await admin.query("SELECT pg_terminate_backend($1::int4)", [.int64(pid)])[0].bool(at: 0) == true)
        let error = await #expect(throws: PostgresError.self) {
            try await victim.query("SELECT 1")
        }
        #expect(error?.isTransient == true)
        #expect(error?.code == .connectionLost)
        #expect(!victim.isAlive)
        try await victim.reset()
        #expect(victim.isAlive)
        #expect(try await victim.query("SELECT 1")[0].int64(at: 0) == 1)
    }

    @Test func closedConnectionRejectsCalls() async throws {
        let connection = try await connect()
        connection.close()
        #expect(!connection.isAlive)
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT 1")
        }
        #expect(error?.code == .closed)
    }
}
