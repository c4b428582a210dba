import Columnstore
import Foundation

/// A store fixture reached through a `BlackholeProxy`, with half a corpus published and an ingest set up
/// to consume it through the proxy: the setup the silent-store tests share.
struct SilencedStore {
    let fixture: StoreFixture
    let proxy: BlackholeProxy
    let stream: String
    let corpus: FactCorpus
    /// The stream's last sequence after the first half of the corpus.
    let firstLast: UInt64
    /// The ingest environment: the proxied DSN, the stream and a durable of its own, plus `extra`.
    let environment: [String: String]

    static func make(_ kind: StoreKind, prefix: String, seed: UInt64, extra: [String: String]) async throws -> SilencedStore {
        let fixture = try await StoreFixture.make(kind, prefix: prefix)
        var target = URLComponents(string: fixture.dsn)!
        let proxy = try await BlackholeProxy.start(targetHost: target.host ?? "127.0.0.1", targetPort: target.port ?? (kind == .postgres ? 5432 : 8123))
        target.host = "127.0.0.1"
        target.port = proxy.port
        let stream = DevStack.uniqueName(prefix.uppercased()).uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 200, seed: seed)
        let firstLast = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<(corpus.messages.count / 2))
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": target.string!,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "\(prefix)-\(subject)",
        ].merging(extra) { $1 }
        return SilencedStore(fixture: fixture, proxy: proxy, stream: stream, corpus: corpus, firstLast: firstLast, environment: environment)
    }

    /// Publishes the second half of the corpus; returns the stream's last sequence.
    func publishRest() async throws -> UInt64 {
        try await FactPublisher.publish(corpus, stream: stream, subjects: [environment["PROJECTION_SUBJECTS"]!],
                                        range: (corpus.messages.count / 2)..<corpus.messages.count)
    }

    func tearDown() async {
        await proxy.stop()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
