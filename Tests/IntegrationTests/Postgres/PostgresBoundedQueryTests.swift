import Foundation
import LibPQ
import Testing

/// The query API's statement path (`query(_:_:timeout:maxRows:maxBytes:prepared:)`): prepared
/// statements answer exactly like unnamed ones, survive the server changing or forgetting them, and
/// keep the row and byte bounds and the client-side deadline.
@Suite("PostgresConnection bounded and prepared queries against the dev stack")
struct PostgresBoundedQueryTests {
    private func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
    }

    private func bounded(
        _ connection: PostgresConnection, _ sql: String, _ params: [PostgresValue] = [], prepared: Bool,
        timeout: Duration = .seconds(60), maxRows: Int = 1000, maxBytes: Int = 1 << 20
    ) async throws -> PostgresRows {
        try await connection.query(sql, params, timeout: timeout, maxRows: maxRows, maxBytes: maxBytes, prepared: prepared)
    }

    @Test func preparedAnswersExactlyLikeUnnamed() async throws {
        let connection = try await connect()
        defer { connection.close() }
        let sql = "SELECT n, CASE WHEN n % 2 = 0 THEN NULL ELSE $1::text || n END AS label FROM generate_series(1, $2::int8) AS n"
        let unnamed = try await bounded(connection, sql, [.text("x"), .int64(7)], prepared: false)
        // The first call prepares, the later ones reuse the statement with other parameters.
        for round in 0..<3 {
            let rows = try await bounded(connection, sql, [.text("x"), .int64(7)], prepared: true)
            #expect(rows.columns == unnamed.columns, "round \(round)")
            #expect(rows.columnTypes == unnamed.columnTypes)
            #expect(rows.map { [$0[0], $0[1]] } == unnamed.map { [$0[0], $0[1]] })
            let other = try await bounded(connection, sql, [.text("y"), .int64(2)], prepared: true)
            #expect(other.map { [$0[0], $0[1]] } == [["1", "y1"], ["2", nil]])
        }
        // A server error is the same error both ways, and the connection keeps working.
        let failing = "SELECT 1 / ($1::int8 - 1) AS q"
        let plain = await #expect(throws: PostgresError.self) { try await bounded(connection, failing, [.int64(1)], prepared: false) }
        let named = await #expect(throws: PostgresError.self) { try await bounded(connection, failing, [.int64(1)], prepared: true) }
        #expect(plain?.sqlState == "22012")
        #expect(named?.sqlState == plain?.sqlState)
        #expect(named?.code == .server)
        #expect(try await bounded(connection, failing, [.int64(3)], prepared: true)[0]["q"] == "0")
        #expect(connection.isAlive)
    }

    @Test func preparedStatementSurvivesAChangedResultType() async throws {
        let table = DevStack.uniqueName("pg_prep")
        let connection = try await connect()
        let admin = try await connect()
        defer { connection.close(); admin.close() }
        try await admin.execute("CREATE TABLE \(table) (id int8 PRIMARY KEY, amount int4); INSERT INTO \(table) VALUES (1, 5)")
        do {
            let sql = "SELECT * FROM \(table) WHERE id = $1::int8"
            #expect(try await bounded(connection, sql, [.int64(1)], prepared: true)[0]["amount"] == "5")
            // Another session changes the column's type: the server refuses the cached plan (0A000)
            // and the call re-prepares instead of failing.
            try await admin.execute("ALTER TABLE \(table) ALTER COLUMN amount TYPE numeric(10, 2)")
            let rows = try await bounded(connection, sql, [.int64(1)], prepared: true)
            #expect(rows[0]["amount"] == "5.00")
            #expect(rows.columnTypes[1] == 1700)
            #expect(try await bounded(connection, sql, [.int64(1)], prepared: true)[0]["amount"] == "5.00")
        } catch {
            try? await admin.execute("DROP TABLE IF EXISTS \(table)")
            throw error
        }
        try await admin.execute("DROP TABLE IF EXISTS \(table)")
    }

    @Test func aStatementTheServerForgotRunsUnnamed() async throws {
        let connection = try await connect()
        defer { connection.close() }
        let sql = "SELECT $1::text AS echo"
        #expect(try await bounded(connection, sql, [.text("a")], prepared: true)[0]["echo"] == "a")
        // What a transaction-mode pooler does to a session's statements (26000 on the next use).
        try await connection.execute("DEALLOCATE ALL")
        #expect(try await bounded(connection, sql, [.text("b")], prepared: true)[0]["echo"] == "b")
        #expect(try await bounded(connection, "SELECT $1::int8 + 1 AS n", [.int64(1)], prepared: true)[0]["n"] == "2")
        #expect(connection.isAlive)
    }

    @Test(arguments: [false, true])
    func boundsHoldAndTheConnectionStaysUsable(prepared: Bool) async throws {
        let connection = try await connect()
        defer { connection.close() }
        let rows = "SELECT n FROM generate_series(1, $1::int8) AS n"
        #expect(try await bounded(connection, rows, [.int64(3)], prepared: prepared, maxRows: 3).count == 3)
        let tooMany = await #expect(throws: PostgresError.self) {
            try await bounded(connection, rows, [.int64(1_000_000)], prepared: prepared, maxRows: 3)
        }
        #expect(tooMany?.code == .resultTooLarge)
        let bytes = "SELECT repeat('x', 100) AS filler FROM generate_series(1, $1::int8)"
        let tooLarge = await #expect(throws: PostgresError.self) {
            try await bounded(connection, bytes, [.int64(1_000)], prepared: prepared, maxBytes: 1_000)
        }
        #expect(tooLarge?.code == .resultTooLarge)
        #expect(connection.isAlive)
        #expect(try await bounded(connection, rows, [.int64(2)], prepared: prepared).count == 2)
    }

    @Test(arguments: [false, true])
    func theDeadlineInterruptsAStatementAndFinishesTheConnection(prepared: Bool) async throws {
        let connection = try await connect()
        defer { connection.close() }
        let admin = try await connect()
        defer { admin.close() }
        let pid = try #require(try await connection.query("SELECT pg_backend_pid()")[0].int64(at: 0))
        // Prepared first, so the deadline meets the statement itself, not its preparation.
        _ = try await bounded(connection, "SELECT pg_sleep($1::float8)", [.double(0)], prepared: prepared)
        let error = await #expect(throws: PostgresError.self) {
            try await bounded(connection, "SELECT pg_sleep($1::float8)", [.double(60)], prepared: prepared, timeout: .milliseconds(300))
        }
        #expect(error?.code == .timedOut)
        #expect(!connection.isAlive)
        // The cancel request reaches the server: the sleeping backend goes away (eventually; not timed).
        let gone = ContinuousClock.now + .seconds(30)
        var running = true
        while running, ContinuousClock.now < gone {
            running = try await admin.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int4 AND state = 'active'", [.int64(pid)])[0].int64(at: 0) == 1
            if running { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(!running)
    }
}
