import Columnstore
import Foundation
import JetStream
import Testing

/// A stream deleted and re-created under a running projection numbers its facts from 1 again. The
/// consumer resumes after the checkpoint, so the new stream's facts up to it would be skipped without a
/// word; ingest reports it instead (`/admin/ingestion` `stream_problem`, `projection_stream_problem`).
@Suite("Stream re-created under a checkpoint", .serialized)
struct StreamRecreationTests {
    @Test("the real binary reports a re-created stream and applies none of its facts up to the checkpoint")
    func recreatedStreamIsReported() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "recreate")
        let stream = DevStack.uniqueName("RECREATE").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 40, seed: 51)
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        let ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "recreate-\(subject)",
        ])
        try ingest.start()
        try await ingest.waitForCheckpoint(last)
        #expect(await ingest.admin()?["stream_problem"] as? String == nil, "no problem while the stream holds what was applied")
        let applied = try await fixture.orders().values.map(\.count).reduce(0, +)

        // The stream goes away and comes back with a few new facts (their own message ids).
        await FactPublisher.deleteStream(stream)
        var again = FactCorpus(subjectPrefix: subject, tenants: ["fresh"], orders: 3, seed: 52)
        again.messages = again.messages.map { var m = $0; m.messageID = "again-" + m.messageID; return m }
        let newLast = try await FactPublisher.publish(again, stream: stream, subjects: ["\(subject).>"])
        #expect(newLast < last)

        // The verdict is read from the first status whose stream refresh saw the new stream (its last
        // sequence below the old one), so it does not depend on when that refresh came; the bound only
        // keeps a build that never refreshes from hanging the suite.
        var refreshed: [String: Any]?
        for _ in 0..<1_500 {
            if let status = await ingest.admin(), let seen = (status["stream_last_sequence"] as? NSNumber)?.uint64Value, seen < last {
                refreshed = status
                break
            }
            try await ContinuousClock().sleep(for: .milliseconds(200))
        }
        let status = try #require(refreshed, "ingest never refreshed the stream's bounds after it was re-created")
        let reported = try #require(status["stream_problem"] as? String, "no stream_problem in \(status)")
        #expect(reported.contains("re-created") && reported.contains("checkpoint \(last)"), "\(reported)")
        #expect(await ingest.checkpoint() == last, "the checkpoint does not move over the new stream's facts")
        #expect(try await fixture.orders().values.map(\.count).reduce(0, +) == applied)
        let metrics = await ingest.metricsText()
        let gauge = metrics.split(separator: "\n").first { $0.hasPrefix("projection_stream_problem{") }
        #expect(gauge.map { $0.hasSuffix(" 1.0") || $0.hasSuffix(" 1") } == true, "\(gauge ?? "no projection_stream_problem series")")

        _ = await ingest.terminate()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
