import Foundation
import JetStream
import Testing

/// `PROJECTION_NATS_URL` may name several servers separated by commas (a cluster's nodes): libnats
/// connects to one that answers and, when it is lost, reconnects to another.
@Suite("NATS server lists", .enabled(if: ScratchNATSServer.executable != nil, "needs the nats-server binary"))
struct NATSServerListTests {
    @Test func connectsThroughAListAndFailsOverToAnotherServer() async throws {
        let first = ScratchNATSServer()
        let second = ScratchNATSServer()
        defer { first.stop(); second.stop() }
        // Only the second runs: connecting must skip the dead first entry.
        try second.start()
        let options = NATSConnection.Options(reconnectWait: .milliseconds(100), connectTimeout: .milliseconds(500))
        let list = "\(first.url), \(second.url)"
        let connection = try await NATSConnection.connectWhenUp(list, name: "server-list-test", options: options)
        #expect(connection.isConnected)
        #expect(!connection.redactedURL.isEmpty)
        var events = connection.events.makeAsyncIterator()

        // The first comes up and the second goes away: the connection moves to the first.
        try first.start()
        try await waitUntilListening(first.port)
        second.stop()
        #expect(await events.next() == .disconnected)
        #expect(await nextSignificant(&events) == .reconnected)
        #expect(connection.isConnected)
        try await connection.flush()
        await connection.close()
    }

    @Test func noServerOfTheListAnsweringFailsTheConnect() async throws {
        let first = ScratchNATSServer()
        let second = ScratchNATSServer()
        let options = NATSConnection.Options(connectTimeout: .milliseconds(300))
        await #expect(throws: NATSError.self) {
            _ = try await NATSConnection.connect(url: "\(first.url),\(second.url)", name: "server-list-test", options: options)
        }
    }

    /// A plain connection to one server, until it accepts one (the process needs a moment).
    private func waitUntilListening(_ port: Int) async throws {
        let probe = try await NATSConnection.connectWhenUp("nats://127.0.0.1:\(port)", name: "server-list-probe")
        await probe.close()
    }

    private func nextSignificant(_ events: inout AsyncStream<ConnectionEvent>.Iterator) async -> ConnectionEvent? {
        while let event = await events.next() {
            switch event {
            case .disconnected, .asyncError: continue
            default: return event
            }
        }
        return nil
    }
}
