import Foundation
import Testing
@testable import ClickHouseHTTP

/// Against the dev stack's ClickHouse HTTP endpoint (`dev/stack up`).
@Suite("ClickHouseClient", .serialized)
struct ClickHouseClientTests {
    private func makeClient(_ configuration: ClickHouseClient.Configuration = .init()) throws -> ClickHouseClient {
        try ClickHouseClient(dsn: DevStack.clickhouseDSN, configuration: configuration)
    }

    /// Creates a uniquely named table, runs `body`, and drops the table even if `body` throws.
    private func withTable(
        _ client: ClickHouseClient,
        columns: String,
        orderBy: String = "id",
        _ body: (String) async throws -> Void
    ) async throws {
        let table = DevStack.uniqueName("ch_client")
        try await client.execute("""
            CREATE TABLE \(table) (\(columns)) ENGINE = MergeTree ORDER BY \(orderBy)
            SETTINGS non_replicated_deduplication_window = 100
            """)
        do {
            try await body(table)
        } catch {
            _ = try? await client.execute("DROP TABLE IF EXISTS \(table)")
            throw error
        }
        try await client.execute("DROP TABLE IF EXISTS \(table)")
    }

    private func count(_ client: ClickHouseClient, _ table: String) async throws -> Int {
        let response = try await client.query("SELECT count() FROM \(table) FORMAT TabSeparated")
        return try #require(Int(response.text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// RowBinary for `(id UInt64, name String)` rows `range`.
    private func idNameRows(_ range: Range<Int>) -> [UInt8] {
        var writer = RowBinaryWriter()
        for id in range {
            writer.writeUInt64(UInt64(id))
            writer.writeString("name-\(id)")
        }
        return writer.bytes
    }

    @Test func selectOneRoundTrip() async throws {
        let client = try makeClient()
        #expect(try await client.ping())
        let response = try await client.query("SELECT 1 FORMAT TabSeparated")
        #expect(response.status == 200)
        #expect(response.text == "1\n")
    }

    @Test func parametersAreBoundAsData() async throws {
        let client = try makeClient()
        let hostile = "it's; DROP TABLE x; -- \"quoted\" & {braces}"
        let response = try await client.query(
            "SELECT {x:String} AS v, {n:UInt32} + 1 AS n FORMAT JSONEachRow",
            parameters: ["x": hostile, "n": "41"])
        struct Row: Decodable { var v: String; var n: Int }
        let row = try JSONDecoder().decode(Row.self, from: response.data)
        #expect(row.v == hostile)
        #expect(row.n == 42)
    }

    @Test func settingsTravelAsURLParameters() async throws {
        let client = try makeClient()
        await #expect {
            _ = try await client.query(
                "SELECT number FROM system.numbers LIMIT 10 FORMAT TabSeparated",
                settings: ["max_result_rows": "1", "result_overflow_mode": "throw"])
        } throws: { error in
            guard let error = error as? ClickHouseError else { return false }
            return error.code == .server && error.serverCode == 396  // TOO_MANY_ROWS_OR_BYTES
        }
    }

    /// Facts are acked on an insert's answer: the insert must not be an async one, even when the DSN (or
    /// the user's profile) turns async inserts on. The engine reports the setting each statement ran with.
    @Test func insertsAreSynchronousWhateverTheDSNSays() async throws {
        let dsn = DevStack.clickhouseDSN + (DevStack.clickhouseDSN.contains("?") ? "&" : "?") + "async_insert=1"
        let client = try ClickHouseClient(dsn: dsn)
        // The default is evaluated by the insert, with the insert's settings.
        try await withTable(client, columns: "id UInt64, setting String DEFAULT toString(getSetting('async_insert'))") { table in
            try await client.execute("INSERT INTO \(table) (id) VALUES (1)")
            var row = RowBinaryWriter()
            row.writeUInt64(2)
            try await client.insert("INSERT INTO \(table) (id) FORMAT RowBinary", body: .bytes(row.bytes))
            let rows = try await client.query("SELECT id, setting FROM \(table) ORDER BY id FORMAT TabSeparated")
            #expect(rows.text == "1\tfalse\n2\tfalse\n", "\(rows.text)")
            // The DSN's setting holds for queries (nothing to keep synchronous there).
            #expect(try await client.query("SELECT toString(getSetting('async_insert')) FORMAT TabSeparated").text == "true\n")
        }
    }

    @Test func queryIDRoundTrips() async throws {
        let client = try makeClient()
        let queryID = "projection-test-\(UUID().uuidString)"
        let response = try await client.query("SELECT 1", queryID: queryID)
        #expect(response.queryID == queryID)
    }

    @Test func streamedRowBinaryInsertInSeveralChunks() async throws {
        let client = try makeClient(.init(compressRequestBody: false))
        try await withTable(client, columns: """
            id UInt64, name String, ts DateTime64(3, 'UTC'), amount Nullable(Float64),
            tag LowCardinality(String), day Date, ok Bool, uid UUID, small Int8
            """) { table in
            let uid = try #require(UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF"))
            let chunkCount = 5
            let rowsPerChunk = 1000
            let chunks = AsyncStream<[UInt8]> { continuation in
                for chunk in 0..<chunkCount {
                    var writer = RowBinaryWriter()
                    for row in 0..<rowsPerChunk {
                        let id = chunk * rowsPerChunk + row
                        writer.writeUInt64(UInt64(id))
                        writer.writeString("név-\(id)")
                        writer.writeDateTime64(Date(timeIntervalSince1970: 1_704_164_645.5 + Double(id)))
                        writer.writeNullable(id % 2 == 0 ? Double(id) / 4 : nil) { $0.writeFloat64($1) }
                        writer.writeString(id % 3 == 0 ? "fizz" : "plain")
                        writer.writeDate(daysSinceEpoch: 19_724)
                        writer.writeBool(id % 2 == 1)
                        writer.writeUUID(uid)
                        writer.writeInt8(-5)
                    }
                    continuation.yield(writer.bytes)
                }
                continuation.finish()
            }
            let response = try await client.insert(into: table, body: .stream(chunks))
            #expect(!response.requestBodyCompressed)
            #expect(response.summary?.writtenRows == UInt64(chunkCount * rowsPerChunk))
            #expect(try await count(client, table) == chunkCount * rowsPerChunk)

            let row = try await client.query("""
                SELECT id, name, toString(ts), toString(amount), tag, toString(day), ok, toString(uid), small
                FROM \(table) WHERE id IN (42, 43) ORDER BY id FORMAT TabSeparated
                """)
            #expect(row.text == """
                42\tnév-42\t2024-01-02 03:04:47.500\t10.5\tfizz\t2024-01-02\tfalse\t00112233-4455-6677-8899-aabbccddeeff\t-5
                43\tnév-43\t2024-01-02 03:04:48.500\t\\N\tplain\t2024-01-02\ttrue\t00112233-4455-6677-8899-aabbccddeeff\t-5

                """)
        }
    }

    @Test func gzipRequestBodies() async throws {
        let client = try makeClient(.init(compressRequestBody: true, compressionThreshold: 1024))
        try await withTable(client, columns: "id UInt64, name String") { table in
            let inMemory = try await client.insert(into: table, columns: ["id", "name"], body: .bytes(idNameRows(0..<20_000)))
            #expect(inMemory.requestBodyCompressed)
            #expect(try await count(client, table) == 20_000)

            let pieces = (0..<4).map { idNameRows((20_000 + $0 * 5000)..<(25_000 + $0 * 5000)) }
            let streamed = try await client.insert(into: table, body: .stream(pieces.async))
            #expect(streamed.requestBodyCompressed)
            #expect(try await count(client, table) == 40_000)

            // Below the threshold the body goes as it is.
            let small = try await client.insert(into: table, body: .bytes(idNameRows(40_000..<40_001)))
            #expect(!small.requestBodyCompressed)
            #expect(try await count(client, table) == 40_001)
        }
    }

    @Test func failingBodySourceFailsTheInsert() async throws {
        struct SourceBroke: Error {}
        let client = try makeClient(.init(compressRequestBody: false))
        try await withTable(client, columns: "id UInt64, name String") { table in
            let chunks = AsyncThrowingStream<[UInt8], Error> { continuation in
                continuation.yield(idNameRows(0..<10))
                continuation.finish(throwing: SourceBroke())
            }
            await #expect(throws: SourceBroke.self) {
                try await client.insert(into: table, body: .stream(chunks))
            }
            #expect(try await count(client, table) == 0)
            // The pooled connection is still usable afterwards.
            try await client.insert(into: table, body: .bytes(idNameRows(0..<3)))
            #expect(try await count(client, table) == 3)
        }
    }

    @Test func requestTimeoutIsATimeoutError() async throws {
        let client = try makeClient(.init(requestTimeout: .milliseconds(300)))
        // The answer takes 10 s (one row per block, half a second each): only the timeout ends the
        // request first, however late a loaded machine runs it.
        let error = try await #require(throws: ClickHouseError.self) {
            _ = try await client.query("SELECT sleepEachRow(0.5) FROM numbers(20) FORMAT TabSeparated", settings: ["max_block_size": "1"])
        }
        #expect(error.code == .timeout)
    }

    @Test func gzipResponseIsDecoded() async throws {
        let client = try makeClient()
        let response = try await client.query("SELECT number FROM system.numbers LIMIT 200000 FORMAT TabSeparated")
        #expect(response.headers["content-encoding"] == "gzip")
        let lines = response.text.split(separator: "\n")
        #expect(lines.count == 200_000)
        #expect(lines.first == "0")
        #expect(lines.last == "199999")
    }

    @Test func deduplicationTokenInsertsOnce() async throws {
        let client = try makeClient()
        try await withTable(client, columns: "id UInt64, name String") { table in
            let token = "dedup-\(UUID().uuidString)"
            let body = idNameRows(0..<100)
            for _ in 0..<2 {
                try await client.insert(
                    into: table, body: .bytes(body), settings: ["insert_deduplication_token": token])
            }
            #expect(try await count(client, table) == 100)
            try await client.insert(
                into: table, body: .bytes(body), settings: ["insert_deduplication_token": token + "-other"])
            #expect(try await count(client, table) == 200)
        }
    }

    @Test func syntaxErrorIsTyped() async throws {
        let client = try makeClient()
        let error = try await #require(throws: ClickHouseError.self) {
            _ = try await client.query("SELEC 1")
        }
        #expect(error.code == .server)
        #expect(error.serverCode == 62)  // SYNTAX_ERROR
        #expect(error.message.contains("Syntax error"))
        #expect(error.queryID != nil)
    }

    @Test func unknownTableIsCode60() async throws {
        let client = try makeClient()
        let table = DevStack.uniqueName("missing")
        let error = try await #require(throws: ClickHouseError.self) {
            _ = try await client.query("SELECT * FROM \(table)")
        }
        #expect(error.code == .server)
        #expect(error.serverCode == 60)
        #expect(error.message.contains(table))
        #expect(error.httpStatus != nil && error.httpStatus != 200)
    }

    @Test func exceptionAfterA200IsAnError() async throws {
        let client = try makeClient(.init(acceptCompressedResponse: false))
        let error = try await #require(throws: ClickHouseError.self) {
            _ = try await client.query(
                "SELECT throwIf(number = 100000, 'boom') FROM system.numbers LIMIT 200000 FORMAT TabSeparated",
                settings: ["wait_end_of_query": "0", "max_block_size": "1000", "send_progress_in_http_headers": "0"])
        }
        #expect(error.code == .server)
        #expect(error.serverCode == 395)  // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
        #expect(error.message.contains("boom"))
    }

    @Test func rowHoldingExceptionTextIsData() async throws {
        // Error text in a value is data: the server marks errors by status, header or tagged frame.
        let client = try makeClient()
        let value = "Code: 1. DB::Exception: boom"
        try await withTable(client, columns: "id UInt64, name String") { table in
            var writer = RowBinaryWriter()
            writer.writeUInt64(1)
            writer.writeString(value)
            try await client.insert(into: table, columns: ["id", "name"], body: .bytes(writer.bytes))
            // The value closes the body, where the old plain-text scan looked for late exceptions.
            let text = try await client.query("SELECT name FROM \(table) FORMAT TabSeparated")
            #expect(text.text == value + "\n")
            let raw = try await client.query("SELECT name FROM \(table) FORMAT TabSeparatedRaw")
            #expect(raw.text == value + "\n")
            let json = try await client.query(
                "SELECT name FROM \(table) WHERE name = {v:String} FORMAT JSONEachRow", parameters: ["v": value])
            struct Row: Decodable { var name: String }
            #expect(try JSONDecoder().decode(Row.self, from: json.data).name == value)
        }
    }

    @Test("string parameters arrive as sent: backslashes, tabs, newlines, NUL")
    func parametersArriveAsSent() async throws {
        let client = try makeClient()
        for value in ["a\\", "a\\tb", "tab\there", "line\nbreak\r", "nul\u{0}x", "\\N", "plain é 😀"] {
            let answer = try await client.query("SELECT hex({v:String}) FORMAT TabSeparated", parameters: ["v": value])
            let expected = value.utf8.map { String(format: "%02X", $0) }.joined()
            #expect(answer.text == expected + "\n", "\(value.debugDescription)")
        }
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        var dsn = try ClickHouseDSN(parsing: DevStack.clickhouseDSN)
        let password = "wrong-\(UUID().uuidString)"
        dsn.password = password
        let client = ClickHouseClient(dsn: dsn)
        let error = try await #require(throws: ClickHouseError.self) {
            _ = try await client.query("SELECT 1")
        }
        #expect(error.code == .authentication)
        #expect(!error.description.contains(password))
        #expect(!"\(client.dsn)".contains(password))
    }

    @Test func closedPortIsAConnectionError() async throws {
        // Port 1 (tcpmux) is not served on the dev machine, so the connect is refused.
        let client = try ClickHouseClient(
            dsn: "http://projection:sekret-pw@127.0.0.1:1/projection",
            configuration: .init(connectTimeout: .seconds(2)))
        let error = try await #require(throws: ClickHouseError.self) {
            _ = try await client.query("SELECT 1")
        }
        #expect(error.code == .connection)
        #expect(!error.description.contains("sekret-pw"))
    }

    @Test func concurrentQueriesShareThePool() async throws {
        let client = try makeClient(.init(poolSize: 4))
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<16 {
                group.addTask {
                    let response = try await client.query(
                        "SELECT {i:UInt32} * 2 FORMAT TabSeparated", parameters: ["i": "\(index)"])
                    return (index, response.text)
                }
            }
            var results: [Int: String] = [:]
            for try await (index, text) in group { results[index] = text }
            return results
        }
        #expect(results.count == 16)
        for (index, text) in results { #expect(text == "\(index * 2)\n") }
        #expect(client.pool.createdCount <= 4)
    }

    @Test func cancellationStopsARequest() async throws {
        let client = try makeClient()
        // 20 s of answer (a sleeping row per block): the cancellation ends it, not a race with its end.
        let task = Task {
            try await client.query("SELECT sleepEachRow(0.5) FROM numbers(40) FORMAT TabSeparated", settings: ["wait_end_of_query": "1", "max_block_size": "1"])
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(throws: ClickHouseError.self) { try result.get() }
        if case .failure(let error as ClickHouseError) = result { #expect(error.code == .cancelled) }
    }
}

extension Array where Element: Sendable {
    /// The elements as an AsyncSequence, for streamed-insert tests.
    fileprivate var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
