import ArgumentParser
import Foundation
import JetStream

/// Live freshness: publishes orders at a steady rate, with a probe order every `--probe-interval-ms`,
/// and polls `GetOrder` for each probe until it is visible. Latency = visible − published, where
/// "published" is the instant just before the probe is handed to the NATS client. The resolution is
/// one poll round trip (reported as `poll_rtt`) plus the 1 ms pause between polls.
struct FreshnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "freshness", abstract: "Publish→visible latency at a steady publish rate.")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var target: QueryTargetOptions

    @Option(help: "Facts per second to publish.")
    var rate: Int = 1_000

    @Option(help: "Seconds to publish for.")
    var duration: Double = 10

    @Option(help: "Milliseconds between probes.")
    var probeIntervalMs: Int = 100

    @Option(help: "Unique tag for this run's order ids.")
    var tag: String

    @Option(help: "Tenant of the freshness facts.")
    var tenant: String = "fresh"

    @Option(help: "Seconds to wait for the last probes after publishing ends.")
    var settle: Double = 30

    func run() async throws {
        let connection = try await NATSConnection.connect(url: stream.nats, name: "projection-bench-freshness")
        let js = try connection.jetStream(options: .init(maxPendingAsyncPublishes: 100_000, asyncPublishStallWait: .seconds(30)))
        try await js.ensureStream(name: stream.stream, subjects: stream.subjects, storage: .file, replicas: stream.streamReplicas)
        let book = ProbeBook()
        let poller = try await target.connect(catalog: target.loadCatalog())
        defer { poller.close() }
        let tenant = tenant, tag = tag, settle = settle

        async let polled = Self.poll(poller, book: book, tenant: tenant, tag: tag, settle: settle)
        let published = try await publish(js, book: book)
        book.finish()
        let (latencies, rtt, missing) = try await polled
        try await js.publishAsyncComplete(timeout: .seconds(60))
        await connection.close()
        FileHandle.standardError.write(Data(String(format: "[freshness %@ %d/s] achieved %.0f/s, p50 %.1f ms, p99 %.1f ms, %d probes, %d not seen\n",
            target.label, rate, published.rate, latencies.percentile(50) ?? -1, latencies.percentile(99) ?? -1, latencies.count, missing).utf8))
        try ResultOutput.emit([
            "target_rate": rate, "achieved_rate": published.rate, "published": published.count, "duration_s": duration,
            "probes": book.count, "probes_not_seen": missing, "latency": latencies.summary, "poll_rtt": rtt.summary,
            "via": target.label,
        ])
    }

    /// Publishes at `rate` in 10 ms ticks; returns how many facts went out and the achieved rate.
    private func publish(_ js: JetStreamContext, book: ProbeBook) async throws -> (count: Int, rate: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0
        var probes = 0
        var batch: [OutboundMessage] = []
        while true {
            let elapsed = (clock.now - start).seconds
            if elapsed >= duration { break }
            let due = min(Int(elapsed * Double(rate)) + 1, Int(duration * Double(rate)))
            let probeDue = Int(elapsed * 1000) / probeIntervalMs + 1
            var probeInBatch = false
            while sent < due {
                var fact = BenchFact(
                    kind: .placed, tenant: tenant, factID: "f-\(tag)-\(sent)", orderID: "f-\(tag)-\(sent)", refundID: "",
                    customerID: "c-fresh", amountCents: 100, currency: "EUR", atMillis: Int64(Date().timeIntervalSince1970) * 1000)
                if probes < probeDue && !probeInBatch {
                    fact.orderID = "p-\(tag)-\(probes)"
                    fact.factID = fact.orderID
                    probeInBatch = true
                }
                batch.append(OutboundMessage(subject: stream.subject(for: fact), data: fact.body, messageID: fact.factID))
                sent += 1
            }
            if !batch.isEmpty {
                if probeInBatch { book.record(clock.now); probes += 1 }
                try await js.publishAsync(batch)
                batch.removeAll(keepingCapacity: true)
            }
            try await clock.sleep(for: .milliseconds(10))
        }
        return (sent, Double(sent) / (clock.now - start).seconds)
    }

    /// Polls GetOrder for each probe in turn; returns latencies, poll round trips and probes never seen.
    private static func poll(_ transport: QueryTransport, book: ProbeBook, tenant: String, tag: String, settle: Double)
        async throws -> (LatencySample, LatencySample, Int)
    {
        let clock = ContinuousClock()
        var latencies = LatencySample()
        var rtt = LatencySample()
        var k = 0
        var deadline: ContinuousClock.Instant?
        while true {
            let (instant, done) = book.probe(k)
            if done && deadline == nil { deadline = clock.now + .milliseconds(Int(settle * 1000)) }
            guard let instant else {
                if done { break }
                try await clock.sleep(for: .milliseconds(1))
                continue
            }
            if let deadline, clock.now > deadline { break }
            let id = "p-\(tag)-\(k)"
            let request = QueryRequest(method: "GetOrder", tenant: tenant, fields: [("order_id", .string(id))])
            let sent = clock.now
            let body = try await transport.send(request)
            let now = clock.now
            rtt.add((now - sent).seconds * 1000)
            if QueryLoadCommand.answers(request, body) {
                latencies.add((now - instant).seconds * 1000)
                k += 1
            } else {
                try await clock.sleep(for: .milliseconds(1))
            }
        }
        return (latencies, rtt, book.count - latencies.count)
    }
}
