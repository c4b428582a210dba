import Columnstore
import Foundation
@testable import QueryAPI
import Testing

/// A large answer keeps its concurrency slot until it has been written: a client that asks and never
/// reads cannot make the server hold more answers than there are slots (before, the slot went back as
/// the store query ended, so every connection could park a multi-megabyte answer in the server).
/// Through the real server over a gated stub store; no verdict depends on timing (the waits are hang guards).
@Suite("Query answers hold their slot until written", .serialized)
struct QueryAnswerSlotTests {
    static let generous: Duration = .seconds(60)
    static let body = #"{"fromDay":"2026-11-01","toDay":"2026-11-02"}"#
    static let request = "POST \(QueryAPITestServer.servicePath)/GetTopCustomers HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nx-tenant-id: acme\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body

    static let orderBody = #"{"orderId":"o1"}"#
    static let orderRequest = "POST \(QueryAPITestServer.servicePath)/GetOrder HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nx-tenant-id: acme\r\nContent-Length: \(orderBody.utf8.count)\r\n\r\n" + orderBody

    /// Waits until `condition` holds; the wait is a hang guard, never the verdict.
    static func until(_ what: String, _ condition: () -> Bool) async throws {
        let end = ContinuousClock.now + generous
        while !condition(), ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(10)) }
        try #require(condition(), "\(what): not within \(generous)")
    }

    @Test("an unread 16 MB answer holds the only slot; read, it frees it")
    func unreadAnswerHoldsItsSlot() async throws {
        // 160 customers with 100 kB ids: a 16 MB answer, beyond what the sockets buffer.
        let rows: [[String: ColumnValue]] = (0..<160).map { n in
            ["customer_id": .string(String(repeating: "c", count: 100_000) + String(n)), "order_count": .int64(1),
             "gross_cents": .int64(Int64(n)), "net_cents": .int64(Int64(n))]
        }
        let executor = GatedExecutor(rows: rows)
        var configuration = QueryConfiguration(
            storeKind: .postgres, storeDSN: "postgresql://unused@127.0.0.1/none", httpPort: 0, httpHost: "127.0.0.1",
            sqlDirectory: QueryStoreFixture.sqlDirectory)
        configuration.maxConcurrency = 1
        configuration.readTimeout = .seconds(300)  // the write stall may not end it first
        let (router, logger) = try executor.router(configuration: configuration)
        try await QueryAPITestServer.run(router: router, configuration: configuration, logger: logger) { port in
            // The reader's request takes the only slot first: its query waits at the closed gate, nothing else asks.
            let reader = try await RawHTTPConnection.open(host: "127.0.0.1", port: port, reading: false, sending: Self.request)
            try await Self.until("the reader's query runs") { executor.queriesRunning == 1 }
            executor.openGate()
            try await Self.until("the reader's query ends") { executor.queriesRunning == 0 }

            // Its 16 MB answer waits unread: every other client is turned away (GetOrder's answer is small, so a
            // client that were served would give its slot back at once; only the reader can hold it).
            for _ in 0..<5 {
                let other = try await RawHTTPConnection.open(host: "127.0.0.1", port: port, sending: Self.orderRequest)
                let status = await other.waitForStatus(within: Self.generous)
                other.close()
                #expect(status == 429, "the unread answer gave its slot back before it was written")
            }

            // Read, the answer frees the slot: the next client is served (once the last bytes are written).
            try await reader.startReading()
            let served = ContinuousClock.now + Self.generous
            var status: Int?
            while status != 200, ContinuousClock.now < served {
                let other = try await RawHTTPConnection.open(host: "127.0.0.1", port: port, sending: Self.orderRequest)
                status = await other.waitForStatus(within: Self.generous)
                other.close()
                if status != 200 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == 200, "the slot stayed taken after the answer was read")
            #expect(reader.received.hasPrefix("HTTP/1.1 200"))
            reader.close()
        }
    }
}
