import ArgumentParser
import JetStream

/// The NATS-side raw limit: fetch (batches of `--fetch-batch`) and ack the whole stream on a durable
/// of its own, with no decoding and no store. Acks as the ingest does: the consumer acks all and the
/// last message of each fetch is acked (`--ack-each` acks every message on an explicit-ack consumer).
struct RawNATSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "raw-nats", abstract: "Bare JetStream fetch + ack of a whole stream.")

    @OptionGroup var stream: StreamOptions

    @Option(help: "Durable consumer name (created from sequence 1, deleted afterwards).")
    var durable: String

    @Option(help: "Messages per fetch, as the ingest uses.")
    var fetchBatch: Int = 500

    @Option(help: "Max ack pending, as the ingest uses.")
    var maxAckPending: Int = 20_000

    @Flag(help: "Ack every message (explicit ack policy) instead of the last of each fetch (ack all).")
    var ackEach = false

    @Option(help: "Stop after this many messages (default: the stream's message count).")
    var expect: Int?

    func run() async throws {
        let connection = try await NATSConnection.connect(url: stream.nats, name: "projection-bench-raw-nats")
        let js = try connection.jetStream()
        var total = expect ?? 0
        if expect == nil { total = Int(try await js.streamInfo(name: stream.stream).messages) }
        try await js.ensurePullConsumer(
            stream: stream.stream,
            config: ConsumerConfig(durableName: durable, filterSubject: stream.subjects.first, maxAckPending: maxAckPending, deliverPolicy: .all,
                                  ackPolicy: ackEach ? .explicit : .all))
        let subscription = try await js.bindPullConsumer(stream: stream.stream, durable: durable)
        var progress = ProgressLine(label: "raw-nats", total: total)
        var received = 0
        var bytes = 0
        var idleFetches = 0
        let start = ContinuousClock.now
        while received < total {
            let messages = try await subscription.fetch(batch: fetchBatch, timeout: .seconds(2))
            if messages.isEmpty {
                idleFetches += 1
                guard idleFetches < 10 else {
                    throw BenchError(.timeout, operation: "raw-nats", "stream ran dry after \(received) of \(total) messages")
                }
                continue
            }
            for message in messages {
                bytes += message.dataCount
                if ackEach { try message.ack() }
            }
            if !ackEach { try messages.last?.ack() }
            received += messages.count
            progress.update(received)
        }
        // The acks are fire-and-forget: wait until the server has them all before stopping the clock.
        try await connection.flush(timeout: .seconds(30))
        let seconds = (ContinuousClock.now - start).seconds
        progress.update(received, force: true)
        progress.finish()
        subscription.destroy()
        try? await js.deleteConsumer(stream: stream.stream, durable: durable)
        await connection.close()
        try ResultOutput.emit([
            "messages": received, "bytes": bytes, "seconds": seconds, "facts_per_second": Double(received) / seconds,
            "fetch_batch": fetchBatch, "ack": ackEach ? "each" : "last_of_fetch",
        ])
    }
}
