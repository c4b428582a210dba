import Columnstore
import JetStream
import Testing
@testable import Ingest

/// Memory is bounded by bytes as well as counts: a batch holds at most `maxBytes` of payload (or one
/// bigger fact), and no more is fetched once that much is held.
@Suite("Batch byte bound")
struct BatchByteBoundTests {
    let t0 = ContinuousClock.Instant.now
    let policy = BatchingPolicy(maxFacts: 100, maxBytes: 1_000, linger: .milliseconds(100))

    private func started() -> BatchStateMachine<ExactlyOnce> {
        var machine = BatchStateMachine<ExactlyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(.empty)
        machine.consumerStarted()
        return machine
    }

    private func deliveries(_ sizes: [Int], from first: UInt64 = 1) -> [(sequence: UInt64, delivery: UInt64?, bytes: Int)] {
        sizes.enumerated().map { (sequence: first + UInt64($0.offset), delivery: first + UInt64($0.offset), bytes: $0.element) }
    }

    @Test("a batch is cut once its bytes reach the bound, holding only what fits")
    func cutByBytes() {
        var machine = started()
        #expect(machine.received(deliveries([400, 400]), now: t0).withoutHolds() == [])
        #expect(machine.bufferedBytes == 800)
        #expect(machine.wantsMessages)
        let actions = machine.received(deliveries([400], from: 3), now: t0).withoutHolds()
        // 1,200 bytes held: the first two (800) fit, the third waits for the next batch.
        #expect(actions == [.runStep(.commitTransaction, Batch(range: SequenceRange(first: 1, last: 2), sequences: [1, 2]))])
        #expect(machine.bufferedBytes == 400)
        #expect(machine.bufferedCount == 1)
    }

    @Test("a fetch sent before the last one is received is wanted only if the open batch has room after it")
    func fetchAheadOfReceiving() {
        var machine = started()
        _ = machine.received(deliveries([300]), now: t0).withoutHolds()
        // 300 held: 600 more bytes leave room, 700 fill the batch (1,000), as do 99 more facts (100).
        #expect(machine.wantsMessages(beforeReceiving: 2, bytes: 600))
        #expect(!machine.wantsMessages(beforeReceiving: 2, bytes: 700))
        #expect(machine.wantsMessages(beforeReceiving: 98, bytes: 98))
        #expect(!machine.wantsMessages(beforeReceiving: 99, bytes: 99))
        // Never where a plain fetch is not wanted: while a full batch waits behind the one in flight.
        _ = machine.received(deliveries([800, 900], from: 2), now: t0).withoutHolds()
        #expect(machine.pendingBatch != nil)
        #expect(!machine.wantsMessages)
        #expect(!machine.wantsMessages(beforeReceiving: 1, bytes: 1))
    }

    @Test("no more is wanted while a full batch's bytes are held behind the one in flight")
    func backpressureByBytes() {
        var machine = started()
        _ = machine.received(deliveries([600, 600]), now: t0).withoutHolds()   // cuts [1] (1,200 > 1,000), holds 2
        #expect(machine.pendingBatch?.sequences == [1])
        #expect(machine.wantsMessages, "600 of 1,000 bytes held")
        _ = machine.received(deliveries([500], from: 3), now: t0).withoutHolds()
        #expect(machine.bufferedBytes == 1_100)
        #expect(!machine.wantsMessages, "a full batch's bytes are held: fetching more would grow memory")
        // The batch in flight commits: the next one is cut at once by bytes, and fetching resumes.
        let next = machine.stepSucceeded(now: t0)
        #expect(next == [.ack([1]), .runStep(.commitTransaction, Batch(range: SequenceRange(first: 2, last: 2), sequences: [2]))])
        #expect(machine.bufferedBytes == 500)
        #expect(machine.wantsMessages)
    }

    @Test("a fact bigger than the bound goes alone, never stalls")
    func oversizedFactAlone() {
        var machine = started()
        let actions = machine.received(deliveries([5_000, 10]), now: t0).withoutHolds()
        #expect(actions == [.runStep(.commitTransaction, Batch(range: SequenceRange(first: 1, last: 1), sequences: [1]))])
        #expect(machine.bufferedBytes == 10)
    }

    @Test("a batch sent back by a gap check keeps its bytes")
    func gapKeepsBytes() {
        var machine = started()
        // 2 is missing: the batch [1, 3] is checked against the stream, which holds 2.
        let actions = machine.received([(sequence: 1, delivery: 1, bytes: 300), (sequence: 3, delivery: 2, bytes: 300), (sequence: 4, delivery: 3, bytes: 500)], now: t0).withoutHolds()
        #expect(actions == [.verifyGaps([SequenceRange(first: 2, last: 2)], Batch(range: SequenceRange(first: 1, last: 3), sequences: [1, 3]))])
        #expect(machine.bufferedBytes == 500)
        #expect(machine.gapsVerified(firstFound: 2, now: t0) == [.startConsuming(fromSequence: 2)])
        #expect(machine.bufferedBytes == 1_100, "the batch's 600 bytes are held again")
        #expect(machine.bufferedCount == 3)
    }

    @Test("count still bounds a batch of small facts")
    func countStillBounds() {
        var machine = BatchStateMachine<ExactlyOnce>(policy: BatchingPolicy(maxFacts: 3, maxBytes: 1 << 20))
        _ = machine.start()
        _ = machine.checkpointLoaded(.empty)
        let actions = machine.received(deliveries([10, 10, 10, 10]), now: t0).withoutHolds()
        #expect(actions == [.runStep(.commitTransaction, Batch(range: SequenceRange(first: 1, last: 3), sequences: [1, 2, 3]))])
    }

    @Test("a pull's max_bytes is never below the server's largest message")
    func pullMaxBytes() {
        #expect(PullSubscription.effectiveMaxBytes(4 << 20, serverMaxPayload: 1 << 20) == 4 << 20)
        #expect(PullSubscription.effectiveMaxBytes(1_024, serverMaxPayload: 1 << 20) == (1 << 20) + 65_536)
        #expect(PullSubscription.effectiveMaxBytes(1_024, serverMaxPayload: 8 << 20) == (8 << 20) + 65_536)
    }
}
