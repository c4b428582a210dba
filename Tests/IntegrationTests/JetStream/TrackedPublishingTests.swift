import Foundation
import JetStream
import Testing

/// `publishTracked` against the dev stack's nats-server: each message's own PubAck, in order, with
/// duplicates answered by the original's sequence, and failures reported per message.
@Suite("JetStream tracked publishing")
struct TrackedPublishingTests {
    @Test func everyMessageGetsItsOwnAckInOrder() async throws {
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-tracked")
        let js = try connection.jetStream(options: .init(tracksAsyncAcks: true))
        let stream = DevStack.uniqueName("jstracked")
        try await js.ensureStream(name: stream, subjects: ["\(stream).>"], duplicateWindow: .seconds(60))
        do {
            try await check(js, connection: connection, stream: stream)
        } catch {
            try? await js.deleteStream(name: stream)
            throw error
        }
        try await js.deleteStream(name: stream)
        await connection.close()
    }

    /// A call is sent from the caller's task only while few acks are awaited (at most 8 messages and
    /// half of `maxPendingAsyncPublishes`, here 2); past that it goes through the publish queue, where
    /// libnats may wait for room. 40 concurrent calls of 1–3 messages take both paths; each gets its own ack.
    @Test func concurrentSmallCallsPastThePendingLimitEachGetTheirAck() async throws {
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-tracked-room")
        let js = try connection.jetStream(options: .init(maxPendingAsyncPublishes: 4, tracksAsyncAcks: true))
        let stream = DevStack.uniqueName("jsroom")
        try await js.ensureStream(name: stream, subjects: ["\(stream).>"], duplicateWindow: .seconds(60))
        let results = await withTaskGroup(of: [Result<PubAck, NATSError>?].self) { group in
            for call in 0..<40 {
                group.addTask {
                    let count = call % 3 + 1
                    return await js.publishTracked((0..<count).map {
                        OutboundMessage(subject: "\(stream).a", data: [UInt8(call)], messageID: "c\(call)-\($0)")
                    }, timeout: .seconds(30))
                }
            }
            return await group.reduce(into: []) { $0.append(contentsOf: $1) }
        }
        let acks = results.compactMap { try? $0?.get() }
        let expected = (0..<40).reduce(0) { $0 + $1 % 3 + 1 }
        #expect(acks.count == expected)
        #expect(Set(acks.map(\.sequence)) == Set(1...UInt64(expected)))
        #expect(acks.allSatisfy { !$0.duplicate })
        #expect(try await js.streamInfo(name: stream).messages == UInt64(expected))
        try await js.deleteStream(name: stream)
        await connection.close()
    }

    private func check(_ js: JetStreamContext, connection: NATSConnection, stream: String) async throws {

        let messages = (0..<50).map { OutboundMessage(subject: "\(stream).a", data: [UInt8($0)], messageID: "m\($0)") }
        let first = await js.publishTracked(messages, timeout: .seconds(30))
        let sequences = try first.map { try #require($0).get() }
        #expect(sequences.map(\.sequence) == Array(1...50))
        #expect(sequences.allSatisfy { $0.stream == stream && !$0.duplicate })

        // Two concurrent calls repeating ids: each gets the original's sequence, marked duplicate; new ids are new.
        async let a = js.publishTracked([messages[3], OutboundMessage(subject: "\(stream).a", data: [1], messageID: "new-a")], timeout: .seconds(30))
        async let b = js.publishTracked([messages[3], messages[7]], timeout: .seconds(30))
        let (ra, rb) = await (a, b)
        let acksA = try ra.map { try #require($0).get() }, acksB = try rb.map { try #require($0).get() }
        #expect(acksA[0].sequence == 4 && acksA[0].duplicate)
        #expect(acksB.map(\.sequence) == [4, 8] && acksB.allSatisfy(\.duplicate))
        #expect(acksA[1].sequence == 51 && !acksA[1].duplicate)
        #expect(try await js.streamInfo(name: stream).messages == 51)

        // A subject no stream captures: that message fails, the others are stored.
        let mixed = await js.publishTracked([OutboundMessage(subject: "\(stream)_nowhere", data: [1], messageID: "x1"),
                                             OutboundMessage(subject: "\(stream).b", data: [2], messageID: "x2")], timeout: .seconds(60))
        #expect(mixed.count == 2)
        if case .success? = mixed[0] { Issue.record("a message no stream captures was acknowledged") }
        #expect(try #require(mixed[1]).get().sequence == 52)

        // Without tracking, the call refuses rather than guess.
        let plain = try connection.jetStream()
        let refused = await plain.publishTracked([messages[0]], timeout: .seconds(1))
        guard case .failure(let error)? = refused.first else { Issue.record("untracked context accepted"); return }
        #expect(error.code == .invalidArgument)
    }
}
