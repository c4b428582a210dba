import Foundation
@testable import JetStream
import Testing

/// Against the dev stack's nats-server (JetStream enabled). Each test uses its own stream
/// `<name>` capturing `<name>.>` and deletes it afterwards.
@Suite("JetStream client")
struct JetStreamClientTests {
    // MARK: - Streams

    @Test func ensureStreamIsIdempotentAndUpdatesSubjects() async throws {
        try await withStream { js, stream in
            let again = try await js.ensureStream(name: stream, subjects: ["\(stream).>"])
            #expect(again.name == stream)
            #expect(again.subjects == ["\(stream).>"])

            try await js.publish(subject: "\(stream).a", data: [1])
            let widened = try await js.ensureStream(name: stream, subjects: ["\(stream).>", "\(stream)_extra"])
            #expect(Set(widened.subjects) == ["\(stream).>", "\(stream)_extra"])
            #expect(widened.messages == 1, "updating subjects keeps the stored messages")

            let ack = try await js.publish(subject: "\(stream)_extra", data: [2])
            #expect(ack.stream == stream)
            #expect(ack.sequence == 2)
        }
    }

    @Test func streamInfoPurgeAndDelete() async throws {
        let connection = try await connect()
        let js = try connection.jetStream()
        let stream = DevStack.uniqueName("jstest")
        try await js.ensureStream(name: stream, subjects: ["\(stream).>"], storage: .memory)
        for index in 0..<3 {
            try await js.publish(subject: "\(stream).x", data: [UInt8(index)])
        }
        let info = try await js.streamInfo(name: stream)
        #expect(info.messages == 3)
        #expect(info.firstSequence == 1)
        #expect(info.lastSequence == 3)

        try await js.purgeStream(name: stream)
        let purged = try await js.streamInfo(name: stream)
        #expect(purged.messages == 0)
        #expect(purged.lastSequence == 3, "sequences continue after a purge")

        try await js.deleteStream(name: stream)
        let error = try await #require(throws: NATSError.self) { try await js.streamInfo(name: stream) }
        #expect(error.code == .notFound)
        #expect(error.jetStreamErrorCode == 10059)
    }

    @Test func firstSequenceFindsTheNextMessageOfASubject() async throws {
        try await withStream { js, stream in
            for subject in ["a", "b", "a", "c.x"] {
                try await js.publish(subject: "\(stream).\(subject)", data: [1])
            }
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 1, subject: "\(stream).b") == 2)
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 2, subject: "\(stream).a") == 3)
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 1, subject: "\(stream).c.*") == 4)
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 3, subject: "\(stream).b") == nil)
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 2, subject: ">") == 2)
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 9, subject: ">") == nil)
            try await js.purgeStream(name: stream)
            #expect(try await js.firstSequence(stream: stream, atOrAfter: 1, subject: ">") == nil, "purged messages are gone")
            let error = try await #require(throws: NATSError.self) {
                try await js.firstSequence(stream: "\(stream)_missing", atOrAfter: 1, subject: ">")
            }
            #expect(error.code == .notFound)
        }
    }

    // MARK: - Publishing

    @Test func publishWithSameMessageIDIsStoredOnce() async throws {
        try await withStream { js, stream in
            let first = try await js.publish(subject: "\(stream).e", data: Array("one".utf8), messageID: "fact-1")
            let second = try await js.publish(subject: "\(stream).e", data: Array("one".utf8), messageID: "fact-1")
            let other = try await js.publish(subject: "\(stream).e", data: Array("two".utf8), messageID: "fact-2")
            #expect(!first.duplicate)
            #expect(second.duplicate)
            #expect(second.sequence == first.sequence)
            #expect(!other.duplicate)
            #expect(try await js.streamInfo(name: stream).messages == 2)
        }
    }

    /// A re-drive names the stream it must land in: when another stream captures the subject, the server
    /// refuses the message (JetStream error 10060) and stores it nowhere.
    @Test func publishWithAnExpectedStreamIsRefusedByAnotherStream() async throws {
        try await withStream { js, stream in
            let stored = try await js.publish(subject: "\(stream).e", data: Array("one".utf8), messageID: "x-1", expectedStream: stream)
            #expect(stored.stream == stream)
            let error = try await #require(throws: NATSError.self) {
                try await js.publish(subject: "\(stream).e", data: Array("two".utf8), messageID: "x-2", expectedStream: stream + "_OTHER")
            }
            #expect(error.jetStreamErrorCode == 10060, "\(error)")
            #expect(try await js.streamInfo(name: stream).messages == 1, "nothing stored")
        }
    }

    @Test func headersAndPayloadRoundTrip() async throws {
        try await withStream { js, stream in
            let headers = [
                "ce-specversion": "1.0",
                "ce-type": "com.example.order.placed",
                "ce-id": "0b7f6c1e-1",
                "Content-Type": "application/protobuf",
            ]
            let payload: [UInt8] = [0, 1, 2, 255, 10, 13]
            try await js.publish(subject: "\(stream).orders", data: payload, headers: headers, messageID: "0b7f6c1e-1")
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "reader"))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "reader")
            defer { sub.destroy() }

            let messages = try await sub.fetch(batch: 10, timeout: .seconds(30))
            let message = try #require(messages.first)
            #expect(messages.count == 1)
            #expect(message.subject == "\(stream).orders")
            #expect(message.data == payload)
            #expect(message.dataCount == payload.count)
            #expect(message.withUnsafeData { Array($0) } == payload)
            for (name, value) in headers {
                #expect(message.headers[name] == [value])
            }
            #expect(message.headers["Nats-Msg-Id"] == ["0b7f6c1e-1"])
            #expect(message.header("CE-TYPE") == "com.example.order.placed")
            #expect(message.header("content-type") == "application/protobuf")
            #expect(message.header("missing") == nil)
            try message.ack()
        }
    }

    @Test func asyncPublishOf20000MessagesIsComplete() async throws {
        try await withStream { js, stream in
            let messages = (0..<20_000).map { index in
                OutboundMessage(subject: "\(stream).bulk", data: Array("event \(index)".utf8), messageID: "id-\(index)")
            }
            for chunk in stride(from: 0, to: messages.count, by: 5_000) {
                try await js.publishAsync(Array(messages[chunk..<chunk + 5_000]))
            }
            try await js.publishAsyncComplete(timeout: .seconds(30))
            let info = try await js.streamInfo(name: stream)
            #expect(info.messages == 20_000)
            #expect(info.lastSequence == 20_000)
        }
    }

    @Test func asyncPublishToSubjectWithoutStreamIsReported() async throws {
        let connection = try await connect()
        let js = try connection.jetStream()
        let nowhere = DevStack.uniqueName("nostream")
        try await js.publishAsync(subject: "\(nowhere).x", data: [1])
        let error = try await #require(throws: NATSError.self) {
            try await js.publishAsyncComplete(timeout: .seconds(60))
        }
        #expect(error.code == .publishFailed)
        // The failures were collected; the next completion is clean.
        try await js.publishAsyncComplete(timeout: .seconds(60))
    }

    // MARK: - Consuming

    @Test func fetchReturnsBatchesInStreamOrder() async throws {
        try await withStream { js, stream in
            for index in 1...7 {
                try await js.publish(subject: "\(stream).s", data: [UInt8(index)])
            }
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "batches"))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "batches")
            defer { sub.destroy() }

            var seen: [UInt64] = []
            for expected in [[1, 2, 3], [4, 5, 6], [7]] as [[UInt64]] {
                let batch = try await sub.fetch(batch: 3, timeout: .seconds(30))
                #expect(batch.map(\.metadata.streamSequence) == expected)
                #expect(batch.allSatisfy { $0.metadata.numDelivered == 1 })
                #expect(batch.map { UInt64($0.data[0]) } == expected)
                for message in batch { try message.ack() }
                seen += batch.map(\.metadata.streamSequence)
            }
            #expect(seen == Array(1...7))
        }
    }

    /// Deliveries are released through `projection_natsMsg_DestroyNow` (CNATS' shim), which frees them at
    /// once instead of queueing them for libnats' garbage collector and relies on nats.c 3.x's message
    /// layout: the linked library must be a 3.x (re-check the shim before an upgrade), and deliveries whose
    /// headers were parsed (libnats then holds a header table per message) are released a batch at a time
    /// while the subscription keeps delivering. Which thread frees them is not observable here; the effect
    /// is measured in bench/ (docs/BENCHMARKS.md, "Quiet machine").
    @Test func releasedDeliveriesWithParsedHeaders() async throws {
        #expect(NATSLibrary.majorVersion == 3, "the release path relies on nats.c 3.x's message layout; re-check CNATS/shim.h")
        try await withStream { js, stream in
            let total = 6000
            for index in 0..<total {
                try await js.publish(OutboundMessage(subject: "\(stream).s", data: Array("fact \(index)".utf8),
                                                     headers: ["ce-id": "\(index)"]))
            }
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "freed"))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "freed")
            defer { sub.destroy() }
            // Until every event has been read, under a generous guard: an empty fetch or a redelivery on a
            // slow machine is retried or counted once, never a verdict.
            var ids = Set<String>()
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while ids.count < total, clock.now < deadline {
                for message in try await sub.fetch(batch: 1000, timeout: .seconds(5)) {
                    ids.insert(message.header("ce-id") ?? "")
                    try message.ack()
                }
            }
            #expect(ids == Set((0..<total).map { "\($0)" }), "every delivery read back with its header")
        }
    }

    @Test func fetchOnEmptyStreamReturnsNothing() async throws {
        try await withStream { js, stream in
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "idle"))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "idle")
            defer { sub.destroy() }
            let messages = try await sub.fetch(batch: 100, timeout: .milliseconds(300))
            #expect(messages.isEmpty)
        }
    }

    /// The server ends a deleted consumer's waiting pulls with 409 "Consumer Deleted": the fetch reports
    /// it instead of waiting out its timeout or taking it for "no messages".
    @Test func deletingTheConsumerFailsAWaitingFetch() async throws {
        try await withStream { js, stream in
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "gone"))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "gone")
            defer { sub.destroy() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let error = await #expect(throws: NATSError.self) { _ = try await sub.fetch(batch: 10, timeout: .seconds(60)) }
                    #expect(error?.status == "409")
                }
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(30)
                while try await js.consumerInfo(stream: stream, durable: "gone").numWaiting == 0, clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await js.deleteConsumer(stream: stream, durable: "gone")
                try await group.waitForAll()
            }
            let missing = await #expect(throws: NATSError.self) { _ = try await js.bindPullConsumer(stream: stream, durable: "gone") }
            #expect(missing?.code == .notFound)
        }
    }

    /// The ingest deletes and re-creates its durable under the same name (a fetch failure, a lost delivery)
    /// while a batch may be in flight; that batch's ack, with the old consumer's message, used to reach the
    /// new consumer. With ack-all its old delivery sequence moved the new consumer's ack floor past every
    /// delivery the new one would make, so all its later acks were ignored.
    @Test func messagesOfARetiredSubscriptionAreNotSettledOnTheRecreatedConsumer() async throws {
        try await withStream { js, stream in
            for index in 1...20 {
                try await js.publish(subject: "\(stream).d", data: [UInt8(index)])
            }
            let config = ConsumerConfig(durableName: "again", ackWait: .seconds(30), ackPolicy: .all)
            try await js.ensurePullConsumer(stream: stream, config: config)
            let old = try await js.bindPullConsumer(stream: stream, durable: "again")
            var held: [JetStreamMessage] = []
            while held.count < 20 {
                let more = try await old.fetch(batch: 20 - held.count, timeout: .seconds(5))
                if more.isEmpty { break }
                held += more
            }
            #expect(held.last?.metadata.streamSequence == 20)
            // 1…10 are applied; 11…20 are a batch in flight when the consumer is re-created from 11, as
            // JetStreamSource.consume(from:) does.
            await old.retire()
            try await js.deleteConsumer(stream: stream, durable: "again")
            var from11 = config
            from11.deliverPolicy = .startSequence(11)
            try await js.ensurePullConsumer(stream: stream, config: from11)
            old.destroy()
            let new = try await js.bindPullConsumer(stream: stream, durable: "again")
            defer { new.destroy() }
            func fetch(_ count: Int) async throws -> [JetStreamMessage] {
                var delivered: [JetStreamMessage] = []
                while delivered.count < count {
                    let more = try await new.fetch(batch: count - delivered.count, timeout: .seconds(5))
                    if more.isEmpty { break }
                    delivered += more
                }
                return delivered
            }
            // The new consumer delivers 11…20 (delivery sequences 1…10) before the batch's write ends;
            // then the batch is settled with the message it holds from the old binding (delivery sequence 20).
            let again = try await fetch(10)
            #expect(again.map(\.metadata.streamSequence) == Array(11...20))
            JetStreamMessage.settle(acked: [held.last!], terminated: [])
            JetStreamMessage.settle(acked: [again.last!], terminated: [])
            for index in 21...25 {
                try await js.publish(subject: "\(stream).d", data: [UInt8(index)])
            }
            let later = try await fetch(5)
            #expect(later.map(\.metadata.streamSequence) == Array(21...25))
            JetStreamMessage.settle(acked: [later.last!], terminated: [])
            // Before: the old ack set the new consumer's ack floor to delivery 20, so this ack (delivery
            // 15) was ignored and 21…25 stayed pending.
            try await Eventually.wait("the new consumer's acks settle its deliveries", timeout: .seconds(20)) {
                let info = try await js.consumerInfo(stream: stream, durable: "again")
                return info.numAckPending == 0 && info.ackFloorStreamSequence == 25
            }
        }
    }

    @Test func durableSurvivesDestroyAndRebindingContinuesAfterAcks() async throws {
        try await withStream { js, stream in
            for index in 1...10 {
                try await js.publish(subject: "\(stream).d", data: [UInt8(index)])
            }
            let config = ConsumerConfig(durableName: "durable", filterSubject: "\(stream).>", ackWait: .seconds(30))
            try await js.ensurePullConsumer(stream: stream, config: config)

            let first = try await js.bindPullConsumer(stream: stream, durable: "durable")
            let batch = try await first.fetch(batch: 5, timeout: .seconds(30))
            #expect(batch.map(\.metadata.streamSequence) == [1, 2, 3, 4, 5])
            for message in batch.dropLast() { try message.ack() }
            try await batch.last!.ackSync()
            first.destroy()
            await #expect(throws: NATSError.self) { try await first.fetch(batch: 1, timeout: .milliseconds(10)) }

            let info = try await js.consumerInfo(stream: stream, durable: "durable")
            #expect(info.ackFloorStreamSequence == 5)
            #expect(info.numPending == 5)
            #expect(info.filterSubject == "\(stream).>")

            // Ensuring again with the same config is a no-op that keeps the position.
            let ensured = try await js.ensurePullConsumer(stream: stream, config: config)
            #expect(ensured.ackFloorStreamSequence == 5)

            let second = try await js.bindPullConsumer(stream: stream, durable: "durable")
            defer { second.destroy() }
            let rest = try await second.fetch(batch: 10, timeout: .seconds(30))
            #expect(rest.map(\.metadata.streamSequence) == [6, 7, 8, 9, 10])
            #expect(rest.allSatisfy { $0.metadata.numDelivered == 1 })
        }
    }

    /// The consumer's fetch while a batch lingers (FetchPlan): one pull stays open and the server
    /// delivers into it as messages arrive, instead of the fetch returning at the first message.
    @Test func fillingFetchCollectsWhatArrivesDuringItsPull() async throws {
        try await withStream { js, stream in
            for index in 1...2 {
                try await js.publish(subject: "\(stream).f", data: [UInt8(index)])
            }
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "fill", filterSubject: "\(stream).>", ackWait: .seconds(30)))
            let subscription = try await js.bindPullConsumer(stream: stream, durable: "fill")
            defer { subscription.destroy() }
            // The generous timeout only guards a hang: the fetch ends once its batch of 5 is full.
            async let filled = subscription.fetch(batch: 5, timeout: .seconds(30), fill: true)
            // Its pull is open (the two stored messages already taken) before the other three are published.
            try await Eventually.wait("the filling fetch's pull is open", timeout: .seconds(60)) {
                try await js.consumerInfo(stream: stream, durable: "fill").numWaiting == 1
            }
            for index in 3...5 {
                try await js.publish(subject: "\(stream).f", data: [UInt8(index)])
            }
            #expect(try await filled.map(\.metadata.streamSequence) == [1, 2, 3, 4, 5])

            // Fewer messages than the batch: what arrived, once the pull expires (repeated until it came,
            // so a slow machine only takes more rounds, never changes the verdict).
            try await js.publish(subject: "\(stream).f", data: [6])
            var partial: [UInt64] = []
            try await Eventually.wait("message 6 returned by an expiring filling fetch", timeout: .seconds(60)) {
                partial += try await subscription.fetch(batch: 100, timeout: .milliseconds(300), fill: true).map(\.metadata.streamSequence)
                return !partial.isEmpty
            }
            #expect(partial == [6])
            let none = try await subscription.fetch(batch: 100, timeout: .milliseconds(50), fill: true)
            #expect(none.isEmpty)
            try await Eventually.wait("the expired pulls are gone", timeout: .seconds(60)) {
                try await js.consumerInfo(stream: stream, durable: "fill").numWaiting == 0
            }
        }
    }

    @Test func ensurePullConsumerUpdatesChangedSettings() async throws {
        try await withStream { js, stream in
            let created = try await js.ensurePullConsumer(
                stream: stream, config: ConsumerConfig(durableName: "tuned", ackWait: .seconds(30), maxAckPending: 100)
            )
            #expect(created.ackWait == .seconds(30))
            #expect(created.maxAckPending == 100)
            #expect(created.maxDeliver == -1)

            let updated = try await js.ensurePullConsumer(
                stream: stream,
                config: ConsumerConfig(durableName: "tuned", ackWait: .seconds(10), maxAckPending: 500, maxDeliver: 5)
            )
            #expect(updated.ackWait == .seconds(10))
            #expect(updated.maxAckPending == 500)
            #expect(updated.maxDeliver == 5)
        }
    }

    @Test func deliverPolicyStartSequenceSkipsEarlierMessages() async throws {
        try await withStream { js, stream in
            for index in 1...5 {
                try await js.publish(subject: "\(stream).p", data: [UInt8(index)])
            }
            try await js.ensurePullConsumer(
                stream: stream, config: ConsumerConfig(durableName: "late", deliverPolicy: .startSequence(4))
            )
            let sub = try await js.bindPullConsumer(stream: stream, durable: "late")
            defer { sub.destroy() }
            let batch = try await sub.fetch(batch: 10, timeout: .seconds(30))
            #expect(batch.map(\.metadata.streamSequence) == [4, 5])
        }
    }

    @Test func nakWithDelayRedelivers() async throws {
        try await withStream { js, stream in
            try await js.publish(subject: "\(stream).n", data: [42])
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "nak"))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "nak")
            defer { sub.destroy() }

            let first = try #require(try await sub.fetch(batch: 1, timeout: .seconds(30)).first)
            #expect(first.metadata.numDelivered == 1)
            try first.nak(delay: .milliseconds(200))

            let again = try #require(try await sub.fetch(batch: 1, timeout: .seconds(30)).first)
            #expect(again.metadata.streamSequence == first.metadata.streamSequence)
            #expect(again.metadata.numDelivered == 2)
            #expect(again.data == [42])
            try again.ack()
        }
    }

    @Test func termedMessageIsNotRedelivered() async throws {
        try await withStream { js, stream in
            try await js.publish(subject: "\(stream).t", data: [1])
            try await js.publish(subject: "\(stream).t", data: [2])
            try await js.ensurePullConsumer(
                stream: stream, config: ConsumerConfig(durableName: "term", ackWait: .seconds(3))
            )
            let sub = try await js.bindPullConsumer(stream: stream, durable: "term")
            defer { sub.destroy() }

            let batch = try await sub.fetch(batch: 2, timeout: .seconds(30))
            #expect(batch.count == 2)
            try batch[0].term()
            try batch[1].ack()
            try await js.connection.flush()

            // Longer than ackWait: an un-termed message would come back within this fetch. (An ackWait of
            // 3 s: a pause of the test between the fetch and the term longer than that would redeliver.)
            let later = try await sub.fetch(batch: 1, timeout: .milliseconds(4000))
            #expect(later.isEmpty)
            let info = try await js.consumerInfo(stream: stream, durable: "term")
            #expect(info.numAckPending == 0)
        }
    }

    @Test func unackedMessageIsRedeliveredAfterAckWait() async throws {
        try await withStream { js, stream in
            try await js.publish(subject: "\(stream).u", data: [7])
            try await js.ensurePullConsumer(
                stream: stream, config: ConsumerConfig(durableName: "slow", ackWait: .seconds(1))
            )
            let sub = try await js.bindPullConsumer(stream: stream, durable: "slow")
            defer { sub.destroy() }

            let first = try #require(try await sub.fetch(batch: 1, timeout: .seconds(30)).first)
            #expect(first.metadata.numDelivered == 1)
            // Not acked: the server redelivers once ackWait has passed.
            let again = try #require(try await sub.fetch(batch: 1, timeout: .seconds(30)).first)
            #expect(again.metadata.streamSequence == first.metadata.streamSequence)
            #expect(again.metadata.numDelivered == 2)
            try await again.ackSync()

            let info = try await js.consumerInfo(stream: stream, durable: "slow")
            #expect(info.numAckPending == 0)
            #expect(info.ackFloorStreamSequence == 1)
        }
    }

    @Test func consumerInfoCountsPendingAndUnacked() async throws {
        try await withStream { js, stream in
            for index in 1...5 {
                try await js.publish(subject: "\(stream).c", data: [UInt8(index)])
            }
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "counts"))
            let fresh = try await js.consumerInfo(stream: stream, durable: "counts")
            #expect(fresh.numPending == 5)
            #expect(fresh.numAckPending == 0)

            let sub = try await js.bindPullConsumer(stream: stream, durable: "counts")
            defer { sub.destroy() }
            let batch = try await sub.fetch(batch: 3, timeout: .seconds(30))
            #expect(batch.count == 3)
            #expect(batch.last?.metadata.numPending == 2)
            // ackSync: a plain ack may not be applied yet when consumerInfo asks.
            try await batch[0].ackSync()

            let info = try await js.consumerInfo(stream: stream, durable: "counts")
            #expect(info.stream == stream)
            #expect(info.name == "counts")
            #expect(info.numPending == 2)
            #expect(info.numAckPending == 2)
            #expect(info.deliveredStreamSequence == 3)
            #expect(info.ackFloorStreamSequence == 1)
            #expect(info.numRedelivered == 0)

            try await js.deleteConsumer(stream: stream, durable: "counts")
            let error = try await #require(throws: NATSError.self) {
                try await js.consumerInfo(stream: stream, durable: "counts")
            }
            #expect(error.code == .notFound)
        }
    }

    @Test func ackAllSettlesEveryEarlierDeliveryWithOneAck() async throws {
        try await withStream { js, stream in
            for index in 1...5 {
                try await js.publish(subject: "\(stream).c", data: [UInt8(index)])
            }
            let created = try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "cumulative", ackPolicy: .all))
            #expect(created.ackPolicy == .all)
            let sub = try await js.bindPullConsumer(stream: stream, durable: "cumulative")
            defer { sub.destroy() }
            let batch = try await sub.fetch(batch: 5, timeout: .seconds(30))
            #expect(batch.count == 5)
            try await batch[2].ackSync()

            let info = try await js.consumerInfo(stream: stream, durable: "cumulative")
            #expect(info.ackFloorStreamSequence == 3)
            #expect(info.numAckPending == 2)
            // Terminating a message below the floor changes nothing for delivery.
            try batch[1].term()
            try await batch[4].ackSync()
            let settled = try await js.consumerInfo(stream: stream, durable: "cumulative")
            #expect(settled.ackFloorStreamSequence == 5)
            #expect(settled.numAckPending == 0)

            // The policy is fixed at creation: asking for another one names the problem.
            let error = try await #require(throws: NATSError.self) {
                try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "cumulative"))
            }
            #expect(error.code == .invalidArgument)
            #expect(error.description.contains("ack policy"))
        }
    }

    // MARK: - Connection

    @Test func connectionReportsStateAndCloses() async throws {
        let connection = try await connect()
        #expect(connection.isConnected)
        #expect(!connection.isClosed)
        await connection.close()
        #expect(connection.isClosed)
        #expect(!connection.isConnected)
        var events: [ConnectionEvent] = []
        for await event in connection.events { events.append(event) }
        #expect(events.last == .closed)
    }

    @Test func drainingCloseDeliversPendingPublishes() async throws {
        let connection = try await connect()
        let js = try connection.jetStream()
        let stream = DevStack.uniqueName("jstest")
        try await js.ensureStream(name: stream, subjects: ["\(stream).>"], storage: .memory)
        try await js.publishAsync((0..<100).map { OutboundMessage(subject: "\(stream).q", data: [UInt8($0)]) })
        try await js.publishAsyncComplete(timeout: .seconds(60))
        await connection.close(drainTimeout: .seconds(5))
        #expect(connection.isClosed)
        await #expect(throws: NATSError.self) { try await js.streamInfo(name: stream) }

        let other = try await connect()
        let otherJS = try other.jetStream()
        #expect(try await otherJS.streamInfo(name: stream).messages == 100)
        try await otherJS.deleteStream(name: stream)
        await other.close()
    }

    @Test func connectingToClosedPortFails() async throws {
        let error = try await #require(throws: NATSError.self) {
            _ = try await NATSConnection.connect(
                url: "nats://user:topsecret@127.0.0.1:1", name: "closed-port",
                options: .init(connectTimeout: .milliseconds(500))
            )
        }
        #expect(error.code == .connection)
        #expect(error.isTransient)
        #expect(!error.description.contains("topsecret"))
    }

    // MARK: - Helpers

    private func connect() async throws -> NATSConnection {
        try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests")
    }

    /// Runs `body` with a fresh file stream `<name>` on `<name>.>`, deleting it afterwards.
    /// libnats 3.4.1 overflows its fetch array when more than half a batch of late deliveries is waiting
    /// (docs/DESIGN.md, "History"). Fetches that give up after a millisecond leave such deliveries behind;
    /// every later fetch must still return at most its batch, each message once, in order.
    @Test func fetchesAfterAbandonedPullsNeverExceedTheirBatch() async throws {
        try await withStream { js, stream in
            let total = 20_000
            var outbound: [OutboundMessage] = []
            for index in 0..<total {
                outbound.append(OutboundMessage(subject: "\(stream).s", data: Array(String(index).utf8)))
                if outbound.count == 1000 { try await js.publishAsync(outbound); outbound.removeAll() }
            }
            try await js.publishAsyncComplete(timeout: .seconds(30))
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "late", ackWait: .seconds(60), maxAckPending: 100_000))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "late")
            defer { sub.destroy() }

            var seen = Set<UInt64>()
            var duplicates = 0, calls = 0
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while seen.count < total, clock.now < deadline {
                // Alternate a 1 ms pull (abandoned while the server still delivers) with normal ones.
                let batch = try await sub.fetch(batch: 500, timeout: calls % 2 == 0 ? .milliseconds(1) : .milliseconds(200))
                calls += 1
                #expect(batch.count <= 500)
                for message in batch {
                    if !seen.insert(message.metadata.streamSequence).inserted { duplicates += 1 }
                    try message.ack()
                }
            }
            #expect(seen.count == total, "every message arrives")
            #expect(duplicates == 0, "no message twice (nothing was redelivered within the ack wait)")
        }
    }

    /// A pull's bytes are bounded (raised to the server's max payload + 64 KiB, so no message is too big for
    /// a pull), also when abandoned pulls leave late deliveries and their status messages waiting.
    @Test func fetchesStayWithinTheirByteBound() async throws {
        try await withStream { js, stream in
            let total = 400, size = 50_000
            var outbound: [OutboundMessage] = []
            for index in 0..<total {
                outbound.append(OutboundMessage(subject: "\(stream).s", data: Array(String(index).utf8) + [UInt8](repeating: 0x2E, count: size)))
                if outbound.count == 100 { try await js.publishAsync(outbound); outbound.removeAll() }
            }
            try await js.publishAsyncComplete(timeout: .seconds(30))
            try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(durableName: "bytes", ackWait: .seconds(60), maxAckPending: 100_000))
            let sub = try await js.bindPullConsumer(stream: stream, durable: "bytes")
            defer { sub.destroy() }
            // The server's max payload is 1 MiB in the dev stack: a pull holds at most that + 64 KiB, plus the
            // one message that crossed the bound.
            let bound = PullSubscription.effectiveMaxBytes(1, serverMaxPayload: 1 << 20) + size + 100

            var seen = Set<UInt64>()
            var duplicates = 0, calls = 0, largest = 0
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while seen.count < total, clock.now < deadline {
                let batch = try await sub.fetch(batch: 500, maxBytes: 1, timeout: calls % 2 == 0 ? .milliseconds(1) : .milliseconds(200))
                calls += 1
                let bytes = batch.reduce(0) { $0 + $1.dataCount }
                largest = max(largest, bytes)
                #expect(bytes <= bound, "a pull of \(bytes) bytes")
                for message in batch {
                    if !seen.insert(message.metadata.streamSequence).inserted { duplicates += 1 }
                    try message.ack()
                }
            }
            #expect(seen.count == total, "every message arrives")
            #expect(duplicates == 0)
            #expect(largest > size, "pulls carried more than one message")
        }
    }

    private func withStream(_ body: (JetStreamContext, String) async throws -> Void) async throws {
        let connection = try await connect()
        let js = try connection.jetStream()
        let stream = DevStack.uniqueName("jstest")
        let created = try await js.ensureStream(name: stream, subjects: ["\(stream).>"], duplicateWindow: .seconds(60))
        #expect(created.messages == 0)
        do {
            try await body(js, stream)
        } catch {
            try? await js.deleteStream(name: stream)
            throw error
        }
        try await js.deleteStream(name: stream)
        await connection.close()
    }
}
