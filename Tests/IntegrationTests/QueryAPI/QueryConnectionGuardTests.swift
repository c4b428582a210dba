import Foundation
import Hummingbird
import NIOCore
import Testing
@testable import QueryAPI

/// The connection guards every HTTP server here runs (`GuardedHTTP1`), against the query API's real server:
/// what NIO's decoder would hold is bounded, a connection that sends nothing or reads nothing is closed.
/// Verdicts never depend on the machine's speed: the timeouts under test are short, the waits generous
/// upper bounds, and what is asserted is that a close happened, not when.
@Suite("Query API connection guards", .serialized)
struct QueryConnectionGuardTests {
    /// A bound no healthy run gets near; only a hang reaches it.
    static let generous: Duration = .seconds(60)
    /// Far more than any guard lets a connection hold.
    static let flood = 64 << 20

    @Test("a request asking to switch protocols is answered, then its connection is closed", arguments: [
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
        "CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n",
    ])
    func upgradeRequestIsAnsweredThenClosed(request: String) async throws {
        try await GuardedTestServer.with(configure: {
            // Far beyond the test's length: only the upgrade guard can close the connection.
            $0.idleTimeout = .seconds(300)
            $0.readTimeout = .seconds(300)
        }) { port in
            let connection = try await RawHTTPConnection.open(host: "127.0.0.1", port: port)
            try await connection.send(request)
            let status = await connection.waitForStatus(within: Self.generous)
            #expect(status != nil, "no answer")
            if request.hasPrefix("GET") { #expect(status == 200, "\(connection.received)") }
            // NIO's decoder parses nothing after such a request: what follows would pile up unread.
            let sent = await connection.stream(total: Self.flood, within: Self.generous)
            #expect(await connection.waitUntilClosed(within: Self.generous), "still open after \(sent) bytes more")
            #expect(connection.received.lowercased().contains("connection: close"), "\(connection.received)")
        }
    }

    @Test("bytes after an upgrade request whose answer is slow are bounded: the connection is closed")
    func bytesBehindASlowUpgradeAreBounded() async throws {
        let (gate, open) = AsyncStream<Void>.makeStream()
        try await GuardedTestServer.with(configure: {
            $0.idleTimeout = .seconds(300)
            $0.readTimeout = .seconds(300)
        }, routes: { router in
            // Answers only once the test opens the gate: the bytes that follow the request meet no answer.
            router.get("slow") { _, _ in
                for await _ in gate {}
                return "late\n"
            }
        }) { port in
            let connection = try await RawHTTPConnection.open(host: "127.0.0.1", port: port)
            try await connection.send("GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
            let sent = await connection.stream(total: Self.flood, within: Self.generous)
            let closed = await connection.waitUntilClosed(within: Self.generous)
            open.finish()
            #expect(closed, "still open after \(sent) bytes more")
            #expect(connection.received.isEmpty, "\(connection.received)")
        }
    }

    @Test("a connection that sends nothing is closed after the read timeout")
    func silentConnectionIsClosed() async throws {
        try await GuardedTestServer.with(configure: {
            $0.idleTimeout = .seconds(300)
            $0.readTimeout = .seconds(1)
        }) { port in
            let silent = try await RawHTTPConnection.open(host: "127.0.0.1", port: port)
            #expect(await silent.waitUntilClosed(within: Self.generous), "still open after \(Self.generous)")
            #expect(silent.received.isEmpty)
            // A well-behaved client is served, and kept alive after its answer.
            let client = try await RawHTTPConnection.open(host: "127.0.0.1", port: port, sending: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await client.waitForStatus(within: Self.generous) == 200)
            client.close()
        }
    }

    @Test("a client that pipelines requests and never reads the answers is closed after the read timeout")
    func clientThatNeverReadsIsClosed() async throws {
        let abandoned = AbandonedAnswers()
        let size = 32 << 20
        try await GuardedTestServer.with(configure: {
            $0.idleTimeout = .seconds(300)
            $0.readTimeout = .seconds(1)
        }, routes: { router in
            // 32 MiB in 1 MiB writes; a write that fails means the server closed the connection.
            router.get("big") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(contentLength: size) { writer in
                    do {
                        for _ in 0..<(size >> 20) { try await writer.write(ByteBuffer(repeating: UInt8(ascii: "a"), count: 1 << 20)) }
                        try await writer.finish(nil)
                    } catch {
                        abandoned.record()
                        throw error
                    }
                })
            }
        }) { port in
            let connection = try await RawHTTPConnection.open(
                host: "127.0.0.1", port: port, reading: false, sending: String(repeating: "GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n", count: 2))
            // Seen from the server: it gave up writing to the client.
            let end = ContinuousClock.now + Self.generous
            while abandoned.count == 0, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(50)) }
            #expect(abandoned.count == 1, "the answer was never abandoned")
            // Seen from the client: what the kernels buffered, then the end of the connection.
            try await connection.startReading()
            #expect(await connection.waitUntilClosed(within: Self.generous), "still open")
            #expect(connection.receivedCount < 2 * size, "received \(connection.receivedCount) bytes")
        }
    }
}
