import Foundation
import JetStream
import Testing

/// A frozen server (SIGSTOP: a paused VM, a stuck process) differs from a dead one: its kernel still
/// accepts connections and acknowledges TCP, so nothing fails on its own. These tests check, with the
/// connection defaults every projection process uses, that a connection neither hangs on one nor stays
/// on one: connects skip it, a writer and an idle connection both move to the live server. Times are
/// printed, never asserted; the guards are generous "it eventually happens" bounds.
@Suite("A frozen NATS server", .serialized, .enabled(if: ScratchNATSServer.executable != nil, "needs the nats-server binary"))
struct FrozenServerTests {
    @Test("a connect to a frozen server alone fails instead of waiting for its INFO")
    func connectToFrozenServerFails() async throws {
        let server = ScratchNATSServer()
        defer { server.stop() }
        try server.start()
        _ = try await NATSConnection.connectWhenUp(server.url, name: "frozen-test")
        server.freeze()

        await #expect(throws: NATSError.self) {
            _ = try await NATSConnection.connect(url: server.url, name: "frozen-connect-test", options: .init(connectTimeout: .seconds(1)))
        }
    }

    @Test("a connect given a frozen and a live server lands on the live one, whichever order libnats tries")
    func connectSkipsFrozenServer() async throws {
        let frozen = ScratchNATSServer(), live = ScratchNATSServer()
        defer { frozen.stop(); live.stop() }
        try frozen.start()
        try live.start()
        _ = try await NATSConnection.connectWhenUp(frozen.url, name: "frozen-test")
        _ = try await NATSConnection.connectWhenUp(live.url, name: "frozen-test")
        frozen.freeze()

        // libnats shuffles the list, so several connects try the frozen server first. The timeout is
        // generous so that a slow machine's handshake with the live server still fits in it.
        for round in 0..<6 {
            let connection = try await NATSConnection.connect(url: "\(frozen.url),\(live.url)", name: "frozen-skip-\(round)",
                                                              options: .init(connectTimeout: .seconds(5)))
            #expect(connection.connectedURL == live.url, "round \(round)")
            try await connection.flush()
            await connection.close()
        }
    }

    @Test("a connection writing to a server that freezes fails over to the live one (the write deadline)")
    func writerFailsOver() async throws {
        try await failOver(writing: true)
    }

    @Test("an idle connection to a server that freezes fails over to the live one (the PINGs)")
    func idleConnectionFailsOver() async throws {
        try await failOver(writing: false)
    }

    /// Connected to `first` (the only one up at connect time), with `second` in the list; `first` freezes.
    private func failOver(writing: Bool) async throws {
        let first = ScratchNATSServer(), second = ScratchNATSServer()
        defer { first.stop(); second.stop() }
        try first.start()
        let name = "frozen-failover-\(writing ? "writer" : "idle")"
        let connection = try await NATSConnection.connectWhenUp("\(first.url),\(second.url)", name: name, options: .init(reconnectWait: .milliseconds(200)))
        #expect(connection.connectedURL == first.url)
        try second.start()
        _ = try await NATSConnection.connectWhenUp(second.url, name: "frozen-test")

        let clock = ContinuousClock()
        let frozenAt = clock.now
        first.freeze()
        var movedAfter: Duration?
        try await withThrowingTaskGroup(of: Void.self) { group in
            if writing {
                // 64 KiB messages fill the socket's buffers within a moment of the freeze. Without a
                // write deadline this task blocks inside libnats (holding the connection's lock) until
                // the thaw below, and the connection never leaves the frozen server.
                let js = try connection.jetStream()
                let payload = [UInt8](repeating: 0x78, count: 64 * 1024)
                group.addTask {
                    while !Task.isCancelled {
                        try? await js.publishAsync((0..<16).map { _ in OutboundMessage(subject: "frozen.flood", data: payload) })
                    }
                }
            }
            // Asked of the live server: a client stuck in a write holds its connection's lock, so asking
            // the client would block this test too.
            try await Eventually.wait("the connection on the live server", timeout: .seconds(90)) {
                await second.clientNames().contains(name)
            }
            if await second.clientNames().contains(name) { movedAfter = clock.now - frozenAt }
            first.thaw() // releases a writer stuck without a deadline, so the group can end either way
            group.cancelAll()
        }
        #expect(movedAfter != nil, "left the frozen server")
        #expect(connection.connectedURL == second.url)
        try await connection.flush(timeout: .seconds(10))
        await connection.close()
        print("frozen server, \(writing ? "writing" : "idle") connection: on the live server \(movedAfter.map { "\($0)" } ?? "never") after the freeze")
    }
}
