import Foundation
import JetStream
import Testing

/// Stops and restarts a scratch nats-server to watch the connection's events.
@Suite("NATS reconnect", .enabled(if: ScratchNATSServer.executable != nil, "needs the nats-server binary"))
struct NATSReconnectTests {
    @Test func disconnectAndReconnectAreReported() async throws {
        let server = ScratchNATSServer()
        defer { server.stop() }
        try server.start()

        let connection = try await NATSConnection.connectWhenUp(server.url, name: "reconnect-test", options: .init(reconnectWait: .milliseconds(100), connectTimeout: .milliseconds(500)))
        var events = connection.events.makeAsyncIterator()
        #expect(connection.isConnected)

        server.stop()
        #expect(await events.next() == .disconnected)
        #expect(!connection.isConnected)

        try server.start()
        #expect(await nextSignificant(&events) == .reconnected)
        #expect(connection.isConnected)
        try await connection.flush()

        await connection.close()
        #expect(await nextSignificant(&events) == .closed)
    }

    /// Skips repeated disconnects (one per failed reconnect attempt) and async errors.
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
