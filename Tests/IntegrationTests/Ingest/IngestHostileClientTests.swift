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

        let connection = try await RawHTTPConnection.open(port: ingest.port)
        try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nx-pad: ")
        #expect(await connection.trickleUntilClosed(within: Self.generous), "still open after \(Self.generous)")
        #expect(connection.received.isEmpty)
        #expect(await ingest.get("/healthz") == 200, "well-behaved requests still answer")

        _ = await ingest.terminate()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
