import Columnstore
import Testing
@testable import Ingest

@Suite("Batch state machine")
struct BatchStateMachineTests {
    let t0 = ContinuousClock.Instant.now
    let policy = BatchingPolicy(maxFacts: 4, linger: .milliseconds(100))

    @Test("startup loads the checkpoint and consumes right after it")
    func startup() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        #expect(machine.start() == .loadCheckpoint)
        #expect(machine.checkpointLoaded(StoredCheckpoint(committed: 41)) == .startConsuming(fromSequence: 42))
        #expect(machine.checkpoint == 41)
        #expect(machine.wantsMessages)
    }

    @Test("a full batch is cut by count and goes through every ClickHouse step before the ack")
    func countFlushEffectivelyOnce() {
        var machine = started(EffectivelyOnce.self)
        #expect(machine.received([1, 2, 3], now: t0).withoutHolds() == [])
        let batch = Batch(range: SequenceRange(first: 1, last: 4), sequences: [1, 2, 3, 4])
        #expect(machine.received([4, 5], now: t0).withoutHolds() == [.runStep(.persistIntent, batch)])
        #expect(machine.bufferedCount == 1)
        #expect(machine.stepSucceeded(now: t0) == [.runStep(.insertRows, batch)])
        #expect(machine.stepSucceeded(now: t0) == [.runStep(.persistCheckpoint, batch)])
        #expect(machine.checkpoint == 0, "nothing is committed before the last step")
        #expect(machine.stepSucceeded(now: t0) == [.ack([1, 2, 3, 4])])
        #expect(machine.checkpoint == 4)
        #expect(machine.pendingBatch == nil)
    }

    @Test("Postgres batches take one transactional step")
    func exactlyOnceOneStep() {
        var machine = started(ExactlyOnce.self)
        let actions = machine.received([10, 11, 12, 13], now: t0).withoutHolds()
        let batch = Batch(range: SequenceRange(first: 10, last: 13), sequences: [10, 11, 12, 13])
        // 1-9 were never delivered: the stream must confirm they hold nothing for this consumer.
        #expect(actions == [.verifyGaps([SequenceRange(first: 1, last: 9)], batch)])
        #expect(machine.gapsVerified(firstFound: nil, now: t0) == [.runStep(.commitTransaction, batch)])
        #expect(machine.stepSucceeded(now: t0) == [.ack([10, 11, 12, 13])])
        #expect(machine.checkpoint == 13)
    }

    @Test("a partial batch is flushed once the linger passes, not before")
    func lingerFlush() {
        var machine = started(EffectivelyOnce.self)
        _ = machine.received([1, 2], now: t0).withoutHolds()
        #expect(machine.lingerDeadline == t0 + .milliseconds(100))
        #expect(machine.tick(now: t0 + .milliseconds(99)) == [])
        let batch = Batch(range: SequenceRange(first: 1, last: 2), sequences: [1, 2])
        #expect(machine.tick(now: t0 + .milliseconds(100)) == [.runStep(.persistIntent, batch)])
        #expect(machine.lingerDeadline == nil, "no linger while a batch is in flight")
    }

    @Test("redeliveries at or below the checkpoint are acked and skipped; those in a batch are superseded")
    func redeliveries() {
        var machine = BatchStateMachine<ExactlyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(StoredCheckpoint(committed: 5))
        #expect(machine.received([4, 5, 6], now: t0).withoutHolds() == [.ackAlreadyApplied([4, 5])])
        #expect(machine.received([6, 7], now: t0).withoutHolds() == [.supersedeDelivery([6])])
        #expect(machine.bufferedCount == 2)
    }

    @Test("a failed step is retried with capped exponential backoff and never acked meanwhile")
    func retries() {
        var machine = started(EffectivelyOnce.self)
        let batch = Batch(range: SequenceRange(first: 1, last: 4), sequences: [1, 2, 3, 4])
        _ = machine.received([1, 2, 3, 4], now: t0).withoutHolds()
        #expect(machine.stepSucceeded(now: t0) == [.runStep(.insertRows, batch)])
        #expect(machine.stepFailed() == .retryStep(.insertRows, batch, after: .milliseconds(100)))
        #expect(machine.stepFailed() == .retryStep(.insertRows, batch, after: .milliseconds(200)))
        for _ in 0..<10 { _ = machine.stepFailed() }
        #expect(machine.stepFailed() == .retryStep(.insertRows, batch, after: .seconds(5)))
        #expect(machine.checkpoint == 0)
        #expect(machine.stepSucceeded(now: t0) == [.runStep(.persistCheckpoint, batch)])
    }

    @Test("a pending batch is re-formed with exactly its recorded range, before anything newer")
    func recovery() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        _ = machine.start()
        #expect(machine.checkpointLoaded(StoredCheckpoint(committed: 10, pending: SequenceRange(first: 11, last: 16))) == .startConsuming(fromSequence: 11))
        // More than maxFacts, but a recovery batch is never split or cut early.
        #expect(machine.received([11, 12, 13, 14, 15], now: t0).withoutHolds() == [])
        #expect(machine.tick(now: t0 + .seconds(10)) == [], "linger never cuts a partial recovery batch")
        let recovered = Batch(range: SequenceRange(first: 11, last: 16), sequences: [11, 12, 13, 14, 15, 16], isRecovery: true)
        #expect(machine.received([16, 17], now: t0).withoutHolds() == [.runStep(.persistIntent, recovered)])
        #expect(machine.bufferedCount == 1)
    }

    @Test("a recovery range with a gap in the stream is cut once a later sequence arrives")
    func recoveryWithGap() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(StoredCheckpoint(committed: 0, pending: SequenceRange(first: 1, last: 3)))
        let recovered = Batch(range: SequenceRange(first: 1, last: 3), sequences: [1, 2], isRecovery: true)
        #expect(machine.received([1, 2, 4], now: t0).withoutHolds() == [.verifyGaps([SequenceRange(first: 3, last: 3)], recovered)])
        #expect(machine.gapsVerified(firstFound: nil, now: t0) == [.runStep(.persistIntent, recovered)])
    }

    @Test("a recovery range whose end left the stream is cut when the stream says so, and its gap is checked")
    func recoveryTailAbsent() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(StoredCheckpoint(committed: 10, pending: SequenceRange(first: 11, last: 16)))
        #expect(machine.pendingRecovery == SequenceRange(first: 11, last: 16))
        _ = machine.received([11, 12, 13], now: t0)
        // An answer about another held sequence (a delivery came in between) changes nothing.
        #expect(machine.recoveryTailAbsent(after: 12, now: t0) == [])
        let recovered = Batch(range: SequenceRange(first: 11, last: 16), sequences: [11, 12, 13], isRecovery: true)
        #expect(machine.recoveryTailAbsent(after: 13, now: t0) == [.verifyGaps([SequenceRange(first: 14, last: 16)], recovered)])
        #expect(machine.pendingRecovery == nil)
        // The stream still had one after all (a race): fetched again from it, the range still pending.
        #expect(machine.gapsVerified(firstFound: 15, now: t0) == [.startConsuming(fromSequence: 15)])
        #expect(machine.pendingRecovery == SequenceRange(first: 11, last: 16))
        machine.consumerStarted()
        #expect(machine.received([(sequence: 15, delivery: 1), (sequence: 17, delivery: 2)], now: t0).withoutHolds()
                == [.verifyGaps([SequenceRange(first: 14, last: 14), SequenceRange(first: 16, last: 16)],
                                Batch(range: SequenceRange(first: 11, last: 16), sequences: [11, 12, 13, 15], isRecovery: true))])
        #expect(machine.gapsVerified(firstFound: nil, now: t0) == [.runStep(.persistIntent, Batch(range: SequenceRange(first: 11, last: 16), sequences: [11, 12, 13, 15], isRecovery: true))])
    }

    @Test("nothing is cut by a tail answer outside a recovery")
    func recoveryTailAbsentIgnored() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(StoredCheckpoint(committed: 0, pending: nil))
        _ = machine.received([1, 2], now: t0)
        #expect(machine.pendingRecovery == nil)
        #expect(machine.recoveryTailAbsent(after: 2, now: t0) == [])
    }

    @Test("backpressure: no more fetching while a full batch waits behind the one in flight")
    func backpressure() {
        var machine = started(ExactlyOnce.self)
        _ = machine.received([1, 2, 3, 4], now: t0).withoutHolds()
        #expect(machine.wantsMessages)
        _ = machine.received([5, 6, 7, 8], now: t0).withoutHolds()
        #expect(!machine.wantsMessages)
        let next = Batch(range: SequenceRange(first: 5, last: 8), sequences: [5, 6, 7, 8])
        #expect(machine.stepSucceeded(now: t0) == [.ack([1, 2, 3, 4]), .runStep(.commitTransaction, next)])
    }

    @Test("shutdown finishes the batch in flight, flushes what is held, then stops")
    func drain() {
        var machine = started(ExactlyOnce.self)
        _ = machine.received([1, 2, 3, 4, 5], now: t0).withoutHolds()
        #expect(machine.shutdown() == [])
        #expect(!machine.wantsMessages)
        let rest = Batch(range: SequenceRange(first: 5, last: 5), sequences: [5])
        #expect(machine.stepSucceeded(now: t0) == [.ack([1, 2, 3, 4]), .runStep(.commitTransaction, rest)])
        #expect(machine.stepSucceeded(now: t0) == [.ack([5]), .stop])
        #expect(machine.isStopped)
    }

    @Test("shutdown during recovery leaves the pending batch for the next run")
    func drainDuringRecovery() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(StoredCheckpoint(committed: 0, pending: SequenceRange(first: 1, last: 3)))
        _ = machine.received([1], now: t0).withoutHolds()
        #expect(machine.shutdown() == [.stop])
    }

    @Test("a lost delivery restarts the consumer right after what is held, and nothing past the gap is taken")
    func deliveryGap() {
        var machine = started(ExactlyOnce.self)
        machine.consumerStarted()
        #expect(machine.received([(sequence: 1, delivery: 1), (sequence: 2, delivery: 2)], now: t0).withoutHolds() == [])
        // Delivery 3 (stream sequence 3) never arrived; 4 did.
        #expect(machine.received([(sequence: 4, delivery: 4), (sequence: 5, delivery: 5)], now: t0).withoutHolds() == [.startConsuming(fromSequence: 3)])
        #expect(!machine.wantsMessages, "nothing more is fetched from the old consumer")
        #expect(machine.highestAcceptedSequence == 2)
        machine.consumerStarted()
        let batch = Batch(range: SequenceRange(first: 1, last: 4), sequences: [1, 2, 3, 4])
        #expect(machine.received([(sequence: 3, delivery: 1), (sequence: 4, delivery: 2)], now: t0).withoutHolds() == [.runStep(.commitTransaction, batch)])
    }

    @Test("a sequence arriving after a later one joins the open batch in order instead of being dropped")
    func lateDelivery() {
        var machine = started(ExactlyOnce.self)
        #expect(machine.received([1, 2, 5], now: t0).withoutHolds() == [])
        let batch = Batch(range: SequenceRange(first: 1, last: 5), sequences: [1, 2, 3, 5])
        #expect(machine.received([3], now: t0).withoutHolds() == [.verifyGaps([SequenceRange(first: 4, last: 4)], batch)])
        #expect(machine.gapsVerified(firstFound: nil, now: t0) == [.runStep(.commitTransaction, batch)])
        #expect(machine.lateDeliveries == 1)
    }

    @Test("contiguous batches are written without asking the stream")
    func contiguousNeedsNoCheck() {
        var machine = started(ExactlyOnce.self)
        let first = Batch(range: SequenceRange(first: 1, last: 4), sequences: [1, 2, 3, 4])
        #expect(machine.received([1, 2, 3, 4, 5], now: t0).withoutHolds() == [.runStep(.commitTransaction, first)])
        _ = machine.received([6, 7, 8], now: t0).withoutHolds()
        let second = Batch(range: SequenceRange(first: 5, last: 8), sequences: [5, 6, 7, 8])
        #expect(machine.stepSucceeded(now: t0) == [.ack([1, 2, 3, 4]), .runStep(.commitTransaction, second)])
    }

    @Test("a batch that skips a message the stream holds is not written: the consumer restarts at the hole")
    func holeRestartsConsumer() {
        var machine = started(ExactlyOnce.self)
        let holed = Batch(range: SequenceRange(first: 1, last: 5), sequences: [1, 2, 4, 5])
        #expect(machine.received([1, 2, 4, 5], now: t0).withoutHolds() == [.verifyGaps([SequenceRange(first: 3, last: 3)], holed)])
        #expect(!machine.wantsMessages, "no fetching while the stream is asked")
        #expect(machine.gapsVerified(firstFound: 3, now: t0) == [.startConsuming(fromSequence: 3)])
        #expect(machine.holesFound == 1)
        #expect(machine.pendingBatch == nil, "nothing was written")
        #expect(machine.checkpoint == 0)
        #expect(machine.tick(now: t0 + .seconds(1)) == [], "no cut before the consumer restarted")
        machine.consumerStarted()
        #expect(machine.wantsMessages, "the hole is let in although the buffer is full")
        let whole = Batch(range: SequenceRange(first: 1, last: 4), sequences: [1, 2, 3, 4])
        #expect(machine.received([(sequence: 3, delivery: 1), (sequence: 4, delivery: 2), (sequence: 5, delivery: 3)], now: t0).withoutHolds()
            == [.supersedeDelivery([4, 5]), .runStep(.commitTransaction, whole)])
        #expect(machine.stepSucceeded(now: t0) == [.ack([1, 2, 3, 4])])
        #expect(machine.checkpoint == 4)
    }

    @Test("a hole that never comes back (deleted meanwhile) is re-checked after a linger and then skipped")
    func holeThatVanished() {
        var machine = started(ExactlyOnce.self)
        let holed = Batch(range: SequenceRange(first: 1, last: 5), sequences: [1, 2, 4, 5])
        _ = machine.received([1, 2, 4, 5], now: t0).withoutHolds()
        _ = machine.gapsVerified(firstFound: 3, now: t0)
        machine.consumerStarted()
        #expect(machine.received([(sequence: 4, delivery: 1), (sequence: 5, delivery: 2)], now: t0).withoutHolds() == [.supersedeDelivery([4, 5]), .verifyGaps([SequenceRange(first: 3, last: 3)], holed)])
        #expect(machine.gapsVerified(firstFound: nil, now: t0) == [.runStep(.commitTransaction, holed)])
    }

    @Test("a hole found while draining stops without writing or acking anything")
    func holeWhileDraining() {
        var machine = started(EffectivelyOnce.self)
        _ = machine.received([1, 3], now: t0).withoutHolds()
        #expect(machine.shutdown() == [.verifyGaps([SequenceRange(first: 2, last: 2)], Batch(range: SequenceRange(first: 1, last: 3), sequences: [1, 3]))])
        #expect(machine.gapsVerified(firstFound: 2, now: t0) == [.stop])
        #expect(machine.isStopped)
        #expect(machine.checkpoint == 0)
    }

    @Test("a recovery batch with a hole waits for it, then re-forms the full recorded range")
    func recoveryHole() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(StoredCheckpoint(committed: 0, pending: SequenceRange(first: 1, last: 3)))
        let partial = Batch(range: SequenceRange(first: 1, last: 3), sequences: [1, 3], isRecovery: true)
        #expect(machine.received([1, 3], now: t0).withoutHolds() == [.verifyGaps([SequenceRange(first: 2, last: 2)], partial)])
        #expect(machine.gapsVerified(firstFound: 2, now: t0) == [.startConsuming(fromSequence: 2)])
        machine.consumerStarted()
        let full = Batch(range: SequenceRange(first: 1, last: 3), sequences: [1, 2, 3], isRecovery: true)
        #expect(machine.received([(sequence: 2, delivery: 1), (sequence: 3, delivery: 2)], now: t0).withoutHolds() == [.supersedeDelivery([3]), .runStep(.persistIntent, full)])
    }

    @Test("gaps are the ranges a batch skips after the checkpoint, recovery ranges included")
    func gapComputation() {
        typealias M = BatchStateMachine<ExactlyOnce>
        let r = { (a: UInt64, b: UInt64) in SequenceRange(first: a, last: b) }
        #expect(M.gaps(of: Batch(range: r(5, 9), sequences: [5, 6, 7, 8, 9]), after: 4) == [])
        #expect(M.gaps(of: Batch(range: r(7, 12), sequences: [7, 9, 12]), after: 4) == [r(5, 6), r(8, 8), r(10, 11)])
        #expect(M.gaps(of: Batch(range: r(5, 9), sequences: [5, 6], isRecovery: true), after: 4) == [r(7, 9)])
        #expect(M.gaps(of: Batch(range: r(5, 9), sequences: [], isRecovery: true), after: 4) == [r(5, 9)])
    }

    @Test("redeliveries interleaved with new deliveries are not gaps")
    func redeliveryIsNotAGap() {
        var machine = started(ExactlyOnce.self)
        machine.consumerStarted()
        _ = machine.received([(sequence: 1, delivery: 1), (sequence: 2, delivery: 2)], now: t0).withoutHolds()
        #expect(machine.received([(sequence: 1, delivery: 3), (sequence: 3, delivery: 4)], now: t0).withoutHolds() == [.supersedeDelivery([1])])
    }

    @Test("backoff is capped exponential")
    func backoff() {
        let p = BatchingPolicy(maxFacts: 1, linger: .zero, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(300))
        #expect(p.backoff(attempt: 1) == .milliseconds(50))
        #expect(p.backoff(attempt: 2) == .milliseconds(100))
        #expect(p.backoff(attempt: 3) == .milliseconds(200))
        #expect(p.backoff(attempt: 4) == .milliseconds(300))
        #expect(p.backoff(attempt: 40) == .milliseconds(300))
    }

    private func started<G: DeliveryGuarantee>(_: G.Type) -> BatchStateMachine<G> {
        var machine = BatchStateMachine<G>(policy: policy)
        _ = machine.start()
        _ = machine.checkpointLoaded(.empty)
        return machine
    }
}
