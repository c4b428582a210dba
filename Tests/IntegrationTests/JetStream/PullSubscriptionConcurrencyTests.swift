import Foundation
import JetStream
import Testing

/// Fetching while another connection publishes, with pulls abandoned after a millisecond so their
/// deliveries arrive late, during and between later fetches. libnats 3.4.1's own fetch overflowed its
/// message array in exactly this situation (docs/DESIGN.md, "History"); every fetch must return at most its
/// batch, and across all of them every message exactly once.
@Suite("Pull subscription under concurrent publishing")
struct PullSubscriptionConcurrencyTests {
    /// `chunk`: messages per asynchronous publish; 1 makes deliveries trickle into abandoned pulls.
    @Test(arguments: [(batch: 3, maxBytes: nil, chunk: 1), (batch: 10, maxBytes: nil, chunk: 50), (batch: 500, maxBytes: 1, chunk: 50)] as [(batch: Int, maxBytes: Int?, chunk: Int)])
    func fetchesWhilePublishingNeverExceedTheirBatchNorLoseOrRepeat(batch: Int, maxBytes: Int?, chunk: Int) async throws {
        let publishing = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-publisher")
        let consuming = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-consumer")
        let publisher = try publishing.jetStream()
        let js = try consuming.jetStream()
        let stream = DevStack.uniqueName("jsconc")
        _ = try await js.ensureStream(name: stream, subjects: ["\(stream).>"], duplicateWindow: .seconds(60))
        do {
            try await run(js: js, publisher: publisher, stream: stream, batch: batch, maxBytes: maxBytes, chunk: chunk)
        } catch {
            try? await js.deleteStream(name: stream)
            throw error
        }
        try await js.deleteStream(name: stream)
        await publishing.close()
        await consuming.close()
    }

    private func run(js: JetStreamContext, publisher: JetStreamContext, stream: String, batch: Int, maxBytes: Int?, chunk: Int) async throws {
        try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "conc", ackWait: .seconds(120), maxAckPending: 1_000_000))
        let sub = try await js.bindPullConsumer(stream: stream, durable: "conc")
        defer { sub.destroy() }

        let total = 30_000
        var seen = Set<UInt64>()
        var duplicates = 0, fetches = 0, oversized = 0, largest = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Small chunks, so messages keep arriving while the consumer fetches.
                for start in stride(from: 0, to: total, by: chunk) {
                    try await publisher.publishAsync((start..<min(start + chunk, total)).map {
                        OutboundMessage(subject: "\(stream).s", data: Array(String($0).utf8))
                    })
                }
                try await publisher.publishAsyncComplete(timeout: .seconds(60))
            }
            // A stall guard, not a speed verdict: it ends the loop only after 120 s without one new message.
            let clock = ContinuousClock()
            var progressed = clock.now
            while seen.count < total, clock.now - progressed < .seconds(120) {
                // Every other pull gives up after 1 ms while the server still delivers to it.
                let messages = try await sub.fetch(batch: batch, maxBytes: maxBytes, timeout: fetches % 2 == 0 ? .milliseconds(1) : .milliseconds(50))
                fetches += 1
                largest = max(largest, messages.count)
                if messages.count > batch { oversized += 1 }
                for message in messages {
                    if seen.insert(message.metadata.streamSequence).inserted { progressed = clock.now } else { duplicates += 1 }
                }
                JetStreamMessage.settle(acked: messages, terminated: [])
            }
            try await group.waitForAll()
        }
        #expect(oversized == 0, "largest fetch \(largest) for a batch of \(batch)")
        #expect(seen.count == total, "every message arrives (\(seen.count) of \(total) in \(fetches) fetches)")
        #expect(seen == Set(1...UInt64(total)))
        #expect(duplicates == 0, "no message twice (nothing was redelivered within the ack wait)")
        #expect(fetches > 100, "many pulls were made (and half of them abandoned)")

        // Everything fetched was acked: nothing is left for the consumer.
        // Stall guard again: waits while the ack floor keeps moving, gives up after 60 s without a move.
        let clock = ContinuousClock()
        var moved = clock.now
        var info = try await js.consumerInfo(stream: stream, durable: "conc")
        while info.ackFloorStreamSequence < UInt64(total), clock.now - moved < .seconds(60) {
            try await Task.sleep(for: .milliseconds(100))
            let floor = info.ackFloorStreamSequence
            info = try await js.consumerInfo(stream: stream, durable: "conc")
            if info.ackFloorStreamSequence != floor { moved = clock.now }
        }
        #expect(info.ackFloorStreamSequence == UInt64(total))
        #expect(info.numPending == 0)
    }
}
