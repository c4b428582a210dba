import Columnstore
import Foundation
import Testing

/// The ingest's HTTP port (probes, metrics, admin) closes connections whose headers trickle in past
/// `PROJECTION_HTTP_READ_TIMEOUT_MS`, as the query API does: sending one byte at a time keeps a
/// connection from ever being idle, so the idle timeout alone cannot catch it.
@Suite("Ingest hostile clients", .serialized)
struct IngestHostileClientTests {
    /// Long enough for any machine; the verdict is that the connection closes, not when.
    static let generous: Duration = .seconds(60)

    @Test("headers that trickle in past the read timeout close the connection; probes still answer")
    func tricklingHeaders() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "trickle")
        let stream = DevStack.uniqueName("TRICKLE").uppercased()
        let subject = stream.lowercased()
        let last = try await FactPublisher.publish(FactCorpus(subjectPrefix: subject, orders: 10, seed: 5), stream: stream, subjects: ["\(subject).>"])
        let ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "trickle-\(subject)",
            "PROJECTION_HTTP_READ_TIMEOUT_MS": "1000", "PROJECTION_HTTP_IDLE_TIMEOUT_MS": "300000",
        ])
        try ingest.start()
        try await ingest.waitForCheckpoint(last)

        let connection = try await RawHTTPConnection.open(port: ingest.port, sending: "GET /healthz HTTP/1.1\r\nHost: localhost\r\nx-pad: ")
        #expect(await connection.trickleUntilClosed(within: Self.generous), "still open after \(Self.generous)")
        #expect(connection.received.isEmpty)
        #expect(await ingest.get("/healthz") == 200, "well-behaved requests still answer")

        _ = await ingest.terminate()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }

    @Test("an /admin body that trickles in past the read timeout is 408; an unknown key is quoted short; an Upgrade request is answered, then closed")
    func adminBodyAndUpgrade() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "trickleb")
        let stream = DevStack.uniqueName("TRICKLEB").uppercased()
        let subject = stream.lowercased()
        let last = try await FactPublisher.publish(FactCorpus(subjectPrefix: subject, orders: 10, seed: 6), stream: stream, subjects: ["\(subject).>"])
        let token = "hostile-test-admin-token"
        let ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "trickleb-\(subject)",
            // The /admin body deadline (this read timeout, no ingress here): 10 s, well inside the trickle's
            // 60 s. Not shorter: the head deadline runs from connect, and a test process descheduled
            // between connecting and sending would meet a short one.
            "PROJECTION_HTTP_READ_TIMEOUT_MS": "10000", "PROJECTION_HTTP_IDLE_TIMEOUT_MS": "300000",
            "PROJECTION_ADMIN_TOKEN": token,
        ])
        try ingest.start()
        try await ingest.waitForCheckpoint(last)

        // One body byte at a time keeps the connection from ever being idle.
        let connection = try await RawHTTPConnection.open(host: "127.0.0.1", port: ingest.port)
        try await connection.send("POST /admin/quarantine/redrive HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
            + "content-type: application/json\r\ncontent-length: 1000\r\n\r\n{")
        let end = ContinuousClock.now + Self.generous
        var status: Int?
        while status == nil, ContinuousClock.now < end, connection.isOpen {
            try? await connection.send(" ")
            status = await connection.waitForStatus(within: .milliseconds(200))
        }
        if status == nil { status = await connection.waitForStatus(within: .milliseconds(1)) }
        #expect(status == 408, "\(connection.received)")
        connection.close()

        let key = String(repeating: "k", count: 100_000)
        let answer = await ingest.request("POST", "/admin/quarantine/redrive", token: token, body: "{\"\(key)\":1}")
        #expect(answer?.status == 400)
        let text = "\(answer?.body ?? [:])"
        #expect(text.contains("unknown field") && text.count < 1000, "\(text.prefix(300))…")

        let upgrade = try await RawHTTPConnection.open(host: "127.0.0.1", port: ingest.port)
        try await upgrade.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
        #expect(await upgrade.waitForStatus(within: Self.generous) == 200)
        _ = await upgrade.stream(total: 64 << 20, within: Self.generous)
        #expect(await upgrade.waitUntilClosed(within: Self.generous), "still open")

        _ = await ingest.terminate()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
