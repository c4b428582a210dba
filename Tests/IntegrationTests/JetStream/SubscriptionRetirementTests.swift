import Foundation
@testable import JetStream
import Testing

/// libnats 3.4.1's read loop may still use a subscription it looked up before an unsubscribe, without a
/// reference (nats.c #637); freeing one while a delivery for it was being read crashed a replica during
/// the cluster faults (docs/RELIABILITY.md). These tests churn subscriptions while deliveries for them keep
/// arriving — the race's conditions — and check the answers stay exact and every retired subscription is
/// freed once its read-loop fence passed (nothing kept). The race is rare per cycle, so each test makes
/// hundreds of cycles; a regression shows as a crash of the test process.
@Suite("Subscriptions retired while deliveries arrive")
struct SubscriptionRetirementTests {
    @Test("pull subscriptions dropped while their abandoned pulls still deliver: every one freed, every message acked")
    func pullSubscriptionsDroppedMidDelivery() async throws {
        let publishing = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-churn-publisher")
        let consuming = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-churn-consumer")
        let publisher = try publishing.jetStream()
        let js = try consuming.jetStream()
        let stream = DevStack.uniqueName("subchurn")
        _ = try await js.ensureStream(name: stream, subjects: ["\(stream).>"])
        // A short ack wait: what a dropped subscription was sent comes back to a later one.
        try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "churn", ackWait: .seconds(1)))
        let total = 3_000
        var acked = Set<UInt64>()
        var cycles = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // One message per publish, so deliveries trickle into pulls that were already abandoned.
                for n in 0..<total {
                    try await publisher.publishAsync([OutboundMessage(subject: "\(stream).s", data: Array(String(n).utf8))])
                }
                try await publisher.publishAsyncComplete(timeout: .seconds(60))
            }
            // 300 subscriptions, each dropped right after a pull that gave up after 1 ms: deliveries for
            // it are still arriving while it is unsubscribed and freed.
            for _ in 0..<300 {
                let subscription = try await js.bindPullConsumer(stream: stream, durable: "churn")
                let messages = try await subscription.fetch(batch: 20, timeout: .milliseconds(1))
                for message in messages {
                    try message.ack()
                    acked.insert(message.metadata.streamSequence)
                }
                subscription.destroy()
                cycles += 1
            }
            try await group.waitForAll()
        }
        // Then one subscription that stays: what the dropped ones were sent comes back after the ack wait.
        let subscription = try await js.bindPullConsumer(stream: stream, durable: "churn")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120) // "eventually" guard only
        while acked.count < total, clock.now < deadline {
            for message in try await subscription.fetch(batch: 500, timeout: .milliseconds(500)) {
                try message.ack()
                acked.insert(message.metadata.streamSequence)
            }
        }
        subscription.destroy()
        #expect(acked == Set(1...UInt64(total)), "every message acked once it reached a live subscription (\(acked.count) of \(total) after \(cycles) dropped subscriptions)")
        try await Eventually.wait("every dropped subscription freed", timeout: .seconds(30)) {
            if consuming.retired.count == 0 { return true }
            // A fence that failed leaves its subscriptions for the next one.
            let subscription = try await js.bindPullConsumer(stream: stream, durable: "churn")
            subscription.destroy()
            return false
        }
        try await js.deleteStream(name: stream)
        await publishing.close()
        await consuming.close()
    }
}
