import ArgumentParser
import JetStream

/// Publishes facts `[from, from+facts)` of the corpus as fast as JetStream acknowledges them
/// (asynchronous publishes, `Nats-Msg-Id` set like a real producer).
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish", abstract: "Publish the deterministic corpus to a stream.")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var corpus: CorpusOptions

    @Option(help: "Index of the first fact (to extend an earlier run).")
    var from: Int = 0

    @Flag(help: "Also compute the corpus totals (orders, gross, refunds) for verification.")
    var totals = false

    func run() async throws {
        let connection = try await NATSConnection.connect(url: stream.nats, name: "projection-bench-publish")
        let js = try connection.jetStream(options: .init(maxPendingAsyncPublishes: 20_000, asyncPublishStallWait: .seconds(30)))
        try await js.ensureStream(name: stream.stream, subjects: stream.subjects, storage: .file, replicas: stream.streamReplicas)
        let generator = corpus.generator
        var progress = ProgressLine(label: "publish", total: corpus.facts)
        var batch: [OutboundMessage] = []
        batch.reserveCapacity(1000)
        var bytes = 0
        let start = ContinuousClock.now
        for i in from..<(from + corpus.facts) {
            let fact = generator.fact(at: i)
            let body = fact.body
            bytes += body.count
            batch.append(OutboundMessage(subject: stream.subject(for: fact), data: body, messageID: fact.factID))
            if batch.count == 1000 {
                try await js.publishAsync(batch)
                batch.removeAll(keepingCapacity: true)
                progress.update(i - from + 1)
            }
        }
        try await js.publishAsync(batch)
        try await js.publishAsyncComplete(timeout: .seconds(120))
        let seconds = (ContinuousClock.now - start).seconds
        progress.update(corpus.facts, force: true)
        progress.finish()
        let info = try await js.streamInfo(name: stream.stream)
        await connection.close()
        var result: [String: Any] = [
            "published": corpus.facts, "seconds": seconds, "facts_per_second": Double(corpus.facts) / seconds,
            "avg_fact_bytes": corpus.facts > 0 ? Double(bytes) / Double(corpus.facts) : 0,
            "stream_messages": info.messages, "first_sequence": info.firstSequence, "last_sequence": info.lastSequence,
        ]
        if totals {
            result["expected"] = ExpectedTotals(generator: generator, count: from + corpus.facts).json
        }
        try ResultOutput.emit(result)
    }
}
