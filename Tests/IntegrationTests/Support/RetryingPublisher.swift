import Foundation
import JetStream

/// A producer that keeps publishing through NATS faults the way SCALING.md tells producers to: chunks of
/// messages with `Nats-Msg-Id`, each message without an ack within a few seconds (a leader election, a
/// node restarting under its connection) published again with the same id until it is stored. The
/// stream's duplicate window drops a repeat whose first attempt was stored after all; one that lands
/// twice anyway is a producer duplicate, which the store's idempotency keys absorb.
enum RetryingPublisher {
    /// Publishes `messages` to whatever streams capture their subjects; `pause` between chunks keeps
    /// facts arriving while a fault plays out. Gives up (throws) only after `deadline`.
    static func publish(_ messages: ArraySlice<FactCorpus.Message>, natsURL: String, chunk: Int = 500, pause: Duration = .zero,
                        deadline: Duration = .seconds(180)) async throws -> (retries: Int, retriedFor: Duration) {
        let connection = try await NATSConnection.connect(url: natsURL, name: "projection-tests-retrying-publisher")
        do {
            let result = try await publish(messages, connection: connection, chunk: chunk, pause: pause, deadline: deadline)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    private static func publish(_ messages: ArraySlice<FactCorpus.Message>, connection: NATSConnection, chunk: Int, pause: Duration,
                                deadline: Duration) async throws -> (retries: Int, retriedFor: Duration) {
        let js = try connection.jetStream(options: .init(requestTimeout: .seconds(3), tracksAsyncAcks: true))
        let clock = ContinuousClock()
        let giveUp = clock.now + deadline
        var retries = 0
        var retriedFor: Duration = .zero
        var start = messages.startIndex
        while start < messages.endIndex {
            let end = min(start + chunk, messages.endIndex)
            var pending = messages[start..<end].map {
                OutboundMessage(subject: $0.subject, data: $0.body, headers: $0.headers, messageID: $0.messageID)
            }
            let began = clock.now
            while !pending.isEmpty {
                let outcomes = await js.publishTracked(pending, timeout: .seconds(3))
                pending = zip(pending, outcomes).compactMap { message, outcome in
                    if case .success = outcome { return nil }
                    return message
                }
                if !pending.isEmpty {
                    retries += pending.count
                    guard clock.now < giveUp else {
                        throw NATSError(code: .timeout, operation: "RetryingPublisher", detail: "\(pending.count) messages still unacknowledged")
                    }
                    try await clock.sleep(for: .milliseconds(200))
                }
            }
            if clock.now - began > .seconds(1) { retriedFor += clock.now - began }
            start = end
            if pause > .zero, start < messages.endIndex { try await clock.sleep(for: pause) }
        }
        return (retries, retriedFor)
    }
}
