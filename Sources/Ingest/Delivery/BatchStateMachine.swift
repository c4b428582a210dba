import Columnstore

/// The batch/checkpoint protocol of one consumer, without I/O (postgres-nio's `ConnectionStateMachine`
/// style): each input returns the actions the `IngestPipeline` actor must carry out, in order.
///
/// Invariants (see docs/DESIGN.md):
/// - at most one batch is in flight; batches are cut in stream order, so order per key holds;
/// - a message is acked only after the last store step of its batch succeeded (or when it is at or
///   below the stored checkpoint, i.e. already applied);
/// - a pending batch found in the store is re-formed with exactly its recorded range before anything else.
///
/// Time is passed in (`now`, a monotonic instant from an injected clock) so tests control it.
public struct BatchStateMachine<Guarantee: DeliveryGuarantee>: Sendable {
    public enum Action: Hashable, Sendable {
        /// Read the checkpoint and any pending batch from the store.
        case loadCheckpoint
        /// (Re)create the durable consumer so delivery starts at this stream sequence, then call
        /// `consumerStarted()`. At startup it is the checkpoint + 1; after a delivery gap it is the first
        /// sequence not yet held.
        case startConsuming(fromSequence: UInt64)
        /// Before this batch is written, find the first message of this consumer's subjects that the
        /// stream holds inside these gaps (ranges the batch skips), then call `gapsVerified(firstFound:)`.
        case verifyGaps([SequenceRange], Batch)
        /// Run one store step for a batch.
        case runStep(BatchStep, Batch)
        /// Run the step again after a delay; the step is idempotent for the same batch.
        case retryStep(BatchStep, Batch, after: Duration)
        /// The store refused the step for a data reason: find the facts responsible with side-effect-free
        /// probes (`RejectionIsolation`), quarantine them in the batch, then call `rejectionIsolated(_:)`.
        case isolateRejection(BatchStep, Batch)
        /// Hold these just-received sequences (in stream order) until their batch is settled: the
        /// machine accepted them into the open batch. Deliveries a fetch carried but the machine did not
        /// name anywhere (past a lost delivery) are dropped unsettled; the restarted consumer sends them again.
        case hold([UInt64])
        /// Ack these sequences: their batch is durable.
        case ack([UInt64])
        /// Ack messages at or below the checkpoint: a redelivery of something already applied.
        case ackAlreadyApplied([UInt64])
        /// A second delivery of a sequence already held in a batch: keep the newest handle, apply once.
        case supersedeDelivery([UInt64])
        /// Nothing in flight and draining: the pipeline may stop.
        case stop
    }

    private enum Phase: Sendable, Hashable {
        case idle
        case loadingCheckpoint
        /// Collecting messages; `recovering` holds a pending batch range that must be re-formed first.
        case consuming(recovering: SequenceRange?)
        case stopped
    }

    private struct InFlight: Sendable, Hashable {
        var batch: Batch
        var stepIndex: Int
        var attempt: Int
    }

    public let policy: BatchingPolicy
    private var phase: Phase = .idle
    private var committed: UInt64 = 0
    /// Highest sequence accepted into a batch (open or in flight); anything at or below is a redelivery.
    private var highestAccepted: UInt64 = 0
    /// The consumer (delivery) sequence the next delivery must carry; nil until the consumer is started.
    /// JetStream numbers every delivery, redeliveries included, so a jump means a delivery was lost in
    /// flight (a pull that expired client-side, a reconnect). Its message would only come back after the
    /// ack wait, after later sequences were committed past it: so a jump restarts the consumer instead.
    private var nextDeliverySequence: UInt64?
    private var restarting = false
    private var open: [UInt64] = []
    /// Payload bytes of each message in `open` (same order), and their sum.
    private var openSizes: [Int] = []
    private var openBytes = 0
    private var openedAt: ContinuousClock.Instant?
    private var inFlight: InFlight?
    /// A batch cut but not yet begun: its gaps are being checked against the stream.
    private var verifying: Batch?
    /// The payload bytes of `verifying`'s messages, in order: it may go back to the open buffer.
    private var verifyingSizes: [Int] = []
    /// After a hole was found: the consumer restarted at this sequence, and it must be let in even though
    /// the buffer is full (backpressure would otherwise keep it out for good). Cleared by the first
    /// delivery at or past it.
    private var refillFrom: UInt64?
    private var refillSince: ContinuousClock.Instant?
    private var draining = false

    public init(policy: BatchingPolicy) {
        self.policy = policy
    }

    // MARK: - Observations

    /// Everything at or below this sequence is applied in the store.
    public var checkpoint: UInt64 { committed }
    /// The batch being written, if any.
    public var pendingBatch: Batch? { inFlight?.batch }
    public var isStopped: Bool { phase == .stopped }
    /// Facts held but not yet in flight.
    public var bufferedCount: Int { open.count }
    /// Backpressure: fetch more only while this is true.
    public var wantsMessages: Bool {
        guard case .consuming = phase, !draining, !restarting, verifying == nil else { return false }
        return !openIsFull || refillFrom != nil
    }
    /// Backpressure for a fetch started before `count` fetched messages of `bytes` payload bytes are
    /// received (so nats-server delivers the next fetch while these are decoded): true only if the open
    /// batch still has room after them. Not while a hole is refilled, where what arrives decides more.
    public func wantsMessages(beforeReceiving count: Int, bytes: Int) -> Bool {
        guard wantsMessages, refillFrom == nil else { return false }
        return open.count + count < policy.maxFacts && openBytes + bytes < policy.maxBytes
    }
    /// Payload bytes held but not yet in flight.
    public var bufferedBytes: Int { openBytes }
    /// Enough is held for a full batch, by count or by bytes.
    private var openIsFull: Bool { open.count >= policy.maxFacts || openBytes >= policy.maxBytes }
    /// When the open batch must be flushed by linger, if it has not filled up first.
    public var lingerDeadline: ContinuousClock.Instant? {
        guard inFlight == nil, verifying == nil, let openedAt, !open.isEmpty else { return nil }
        // While refilling a hole, give the restarted consumer a full linger to deliver it; if it never
        // comes (deleted meanwhile), the next cut's gap check finds the gap empty.
        if refillFrom != nil, let refillSince { return refillSince + policy.linger }
        if case .consuming(recovering: .some) = phase { return nil }
        return openedAt + policy.linger
    }

    /// When the open batch's linger ends even while a batch is in flight (the earliest it is cut by
    /// linger once that write is done); nil when nothing is open. Only the fetch planning reads it.
    public var openLingerEnd: ContinuousClock.Instant? {
        guard let openedAt, !open.isEmpty else { return nil }
        return lingerDeadline ?? (inFlight != nil ? openedAt + policy.linger : nil)
    }

    // MARK: - Inputs

    public mutating func start() -> Action {
        precondition(phase == .idle, "start() once")
        phase = .loadingCheckpoint
        return .loadCheckpoint
    }

    public mutating func checkpointLoaded(_ stored: StoredCheckpoint) -> Action {
        precondition(phase == .loadingCheckpoint, "checkpoint loaded without being asked for")
        committed = stored.committed
        highestAccepted = stored.committed
        phase = .consuming(recovering: stored.pending)
        return .startConsuming(fromSequence: stored.committed + 1)
    }

    /// Deliveries that arrived after a later sequence (their first delivery was lost) and were put back in order.
    public private(set) var lateDeliveries = 0

    private func isHeld(_ sequence: UInt64) -> Bool {
        if let flight = inFlight, flight.batch.range.contains(sequence), flight.batch.sequences.contains(sequence) { return true }
        if let verifying, verifying.range.contains(sequence), verifying.sequences.contains(sequence) { return true }
        // `open` is ascending: binary search.
        var low = 0, high = open.count
        while low < high {
            let mid = (low + high) / 2
            if open[mid] < sequence { low = mid + 1 } else { high = mid }
        }
        return low < open.count && open[low] == sequence
    }

    /// Highest stream sequence held in a batch (open or in flight).
    public var highestAcceptedSequence: UInt64 { highestAccepted }

    /// Deliveries without delivery sequences (no gap check), e.g. from tests of batching alone.
    public mutating func received(_ sequences: [UInt64], now: ContinuousClock.Instant) -> [Action] {
        received(sequences.map { (sequence: $0, delivery: nil) }, now: now)
    }

    /// Deliveries whose payload sizes do not matter (tests of sequencing): each counts 0 bytes.
    public mutating func received(_ deliveries: [(sequence: UInt64, delivery: UInt64?)], now: ContinuousClock.Instant) -> [Action] {
        received(deliveries.map { (sequence: $0.sequence, delivery: $0.delivery, bytes: 0) }, now: now)
    }

    /// The consumer asked for by `.startConsuming` exists and is bound; its deliveries number from 1.
    public mutating func consumerStarted() {
        nextDeliverySequence = 1
        restarting = false
    }

    /// Messages fetched from the consumer, in delivery order: stream sequence, delivery (consumer)
    /// sequence and payload bytes. Without delivery sequences (`nil`), gaps are not checked.
    public mutating func received(_ deliveries: [(sequence: UInt64, delivery: UInt64?, bytes: Int)], now: ContinuousClock.Instant) -> [Action] {
        guard case .consuming(let recovering) = phase, !restarting else { return [] }
        var alreadyApplied: [UInt64] = []
        var superseded: [UInt64] = []
        var accepted: [UInt64] = []
        var restart: Action?
        for (sequence, delivery, bytes) in deliveries {
            if let delivery, let expected = nextDeliverySequence {
                if delivery > expected {
                    // A delivery went missing. Everything from here on is ignored (not acked); the
                    // consumer restarts right after what is held, so nothing is skipped.
                    restarting = true
                    nextDeliverySequence = nil
                    restart = .startConsuming(fromSequence: highestAccepted + 1)
                    break
                }
                nextDeliverySequence = max(expected, delivery + 1)
            }
            if sequence <= committed {
                alreadyApplied.append(sequence)
            } else if sequence <= highestAccepted {
                if isHeld(sequence) {
                    // Redelivered (ack wait expired while we were writing): one copy is in a batch already.
                    superseded.append(sequence)
                } else {
                    // Out of order: a later sequence came first, so this one's first delivery never
                    // reached us and this is its redelivery. It joins the open batch in stream order;
                    // dropping it as a duplicate would commit the range past it.
                    let index = open.firstIndex { $0 > sequence } ?? open.endIndex
                    if open.isEmpty { openedAt = now }
                    open.insert(sequence, at: index)
                    openSizes.insert(bytes, at: index)
                    openBytes += bytes
                    lateDeliveries += 1
                    accepted.append(sequence)
                }
            } else {
                highestAccepted = sequence
                if open.isEmpty { openedAt = now }
                open.append(sequence)
                openSizes.append(bytes)
                openBytes += bytes
                accepted.append(sequence)
            }
        }
        if let refill = refillFrom, restart == nil, deliveries.contains(where: { $0.sequence >= refill }) { refillFrom = nil }
        var actions: [Action] = []
        if !accepted.isEmpty { actions.append(.hold(accepted)) }
        if !alreadyApplied.isEmpty { actions.append(.ackAlreadyApplied(alreadyApplied)) }
        if !superseded.isEmpty { actions.append(.supersedeDelivery(superseded)) }
        if let restart { actions.append(restart) }
        if let recovering {
            // A fresh consumer delivers in stream order, so once anything at or beyond the pending
            // range's end arrived, every message of the range that still exists has arrived too.
            if highestAccepted >= recovering.last, inFlight == nil, verifying == nil, !restarting, refillFrom == nil {
                actions.append(cutRecoveryBatch(recovering, now: now))
            }
        } else if inFlight == nil, verifying == nil, !restarting, refillFrom == nil, openIsFull {
            actions.append(cutBatch())
        }
        return actions
    }

    /// The pending range being re-formed (a recovery batch not cut yet), if any.
    public var pendingRecovery: SequenceRange? {
        if case .consuming(let recovering) = phase { return recovering }
        return nil
    }

    /// The stream holds nothing of this consumer's above `held` (the highest sequence held when the
    /// pipeline asked) up to the end of the pending range: those messages were deleted or expired since
    /// the range was recorded, so no delivery will ever reach its end, and without newer facts the
    /// recovery batch would wait for ever. It is cut as it is; its gap check asks the stream once more
    /// before anything is written (a message found there is fetched again, as for any hole).
    public mutating func recoveryTailAbsent(after held: UInt64, now: ContinuousClock.Instant) -> [Action] {
        guard case .consuming(recovering: let range?) = phase, held == highestAccepted, highestAccepted < range.last,
              inFlight == nil, verifying == nil, !restarting, refillFrom == nil else { return [] }
        return [cutRecoveryBatch(range, now: now)]
    }

    /// A fetch failed (NATS unreachable, the consumer gone): re-create the consumer right after the
    /// checkpoint. Held messages above it come again and are recognised as redeliveries.
    public mutating func fetchFailed() -> Action {
        restarting = true
        nextDeliverySequence = nil
        return .startConsuming(fromSequence: committed + 1)
    }

    /// The injected clock passed the linger deadline (or any timer fired: spurious calls are harmless).
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard !restarting, let deadline = lingerDeadline, now >= deadline else { return [] }
        return [cutBatch()]
    }

    /// The current step of the in-flight batch succeeded.
    public mutating func stepSucceeded(now: ContinuousClock.Instant) -> [Action] {
        guard var flight = inFlight else { preconditionFailure("no batch in flight") }
        flight.stepIndex += 1
        flight.attempt = 1
        if flight.stepIndex < Guarantee.steps.count {
            inFlight = flight
            return [.runStep(Guarantee.steps[flight.stepIndex], flight.batch)]
        }
        // Durable: advance and ack. Only now.
        inFlight = nil
        committed = max(committed, flight.batch.range.last)
        var actions: [Action] = [.ack(flight.batch.sequences)]
        if openIsFull || (lingerDeadline.map { now >= $0 } ?? false) {
            actions.append(cutBatch())
        } else if draining, open.isEmpty {
            phase = .stopped
            actions.append(.stop)
        } else if draining {
            // Drain what is held rather than abandoning it: it is already fetched.
            actions.append(cutBatch())
        }
        return actions
    }

    /// The current step failed. Nothing is acked; the same step is retried with capped backoff.
    public mutating func stepFailed() -> Action {
        guard var flight = inFlight else { preconditionFailure("no batch in flight") }
        let delay = policy.backoff(attempt: flight.attempt)
        flight.attempt += 1
        inFlight = flight
        return .retryStep(Guarantee.steps[flight.stepIndex], flight.batch, after: delay)
    }

    /// The current step was refused for a data reason (`StoreError.dataRejected`): isolate first. The
    /// batch keeps its range (and so its deduplication tokens); only facts move to its quarantine.
    public mutating func stepRejected() -> Action {
        guard let flight = inFlight else { preconditionFailure("no batch in flight") }
        return .isolateRejection(Guarantee.steps[flight.stepIndex], flight.batch)
    }

    /// The answer to `.isolateRejection`: `true` when facts were quarantined, so the same step runs again
    /// at once with the batch's new payload; `false` when the refusal did not come from the facts (or a
    /// probe failed), which is retried with backoff like any failure.
    public mutating func rejectionIsolated(_ isolated: Bool) -> Action {
        guard var flight = inFlight else { preconditionFailure("no batch in flight") }
        guard isolated else { return stepFailed() }
        flight.attempt = 1
        inFlight = flight
        return .runStep(Guarantee.steps[flight.stepIndex], flight.batch)
    }

    /// SIGTERM: fetch nothing more, finish the batch in flight, flush what is held, then stop.
    /// Abandoning instead (the pipeline gives up after its drain timeout) is also safe: nothing unwritten
    /// was acked, so the messages are redelivered to the next run.
    public mutating func shutdown() -> [Action] {
        draining = true
        switch phase {
        case .idle, .loadingCheckpoint:
            phase = .stopped
            return [.stop]
        case .stopped:
            return []
        case .consuming(let recovering):
            if inFlight != nil || verifying != nil { return [] }
            if recovering != nil || open.isEmpty {
                // A partial recovery batch must never be cut: leave it pending for the next run.
                phase = .stopped
                return [.stop]
            }
            return [cutBatch()]
        }
    }

    // MARK: - Cutting batches

    private mutating func cutBatch() -> Action {
        precondition(inFlight == nil && !open.isEmpty)
        // As many as fit both bounds, at least one (a fact bigger than maxBytes goes alone).
        var count = 1, bytes = openSizes[0]
        while count < min(open.count, policy.maxFacts), bytes + openSizes[count] <= policy.maxBytes {
            bytes += openSizes[count]
            count += 1
        }
        let sequences = Array(open.prefix(count))
        open.removeFirst(count)
        openBytes -= bytes
        openedAt = open.isEmpty ? nil : openedAt
        let sizes = Array(openSizes.prefix(count))
        openSizes.removeFirst(count)
        let batch = Batch(range: SequenceRange(first: sequences.first!, last: sequences.last!), sequences: sequences)
        return propose(batch, sizes: sizes)
    }

    private mutating func cutRecoveryBatch(_ range: SequenceRange, now: ContinuousClock.Instant) -> Action {
        // A recovery batch is its recorded range, whatever its size: it was cut under the same bounds.
        let sequences = open.filter { range.contains($0) }
        let sizes = Array(openSizes.prefix(sequences.count))
        openBytes -= sizes.reduce(0, +)
        open.removeFirst(sequences.count)
        openSizes.removeFirst(sequences.count)
        openedAt = open.isEmpty ? nil : now
        phase = .consuming(recovering: nil)
        return propose(Batch(range: range, sequences: sequences, isRecovery: true), sizes: sizes)
    }

    /// A batch must not skip a message of this consumer: committing past it would make its later
    /// (re)delivery look "already applied". Sequences it skips are either absent from the stream for this
    /// consumer (deleted, other subjects) or were lost in delivery; only the stream can tell, so gaps are
    /// checked before the first store step. A contiguous batch (the usual case) needs no check.
    private mutating func propose(_ batch: Batch, sizes: [Int]) -> Action {
        let gaps = Self.gaps(of: batch, after: committed)
        if gaps.isEmpty { return begin(batch) }
        verifying = batch
        verifyingSizes = sizes
        return .verifyGaps(gaps, batch)
    }

    static func gaps(of batch: Batch, after committed: UInt64) -> [SequenceRange] {
        var gaps: [SequenceRange] = []
        var expected = max(committed + 1, batch.range.first)
        for s in batch.sequences {
            if s > expected { gaps.append(SequenceRange(first: expected, last: s - 1)) }
            expected = s + 1
        }
        if expected <= batch.range.last { gaps.append(SequenceRange(first: expected, last: batch.range.last)) }
        if batch.range.first > committed + 1 { gaps.insert(SequenceRange(first: committed + 1, last: batch.range.first - 1), at: 0) }
        return gaps
    }

    /// The answer to `.verifyGaps`: the first sequence the stream holds for this consumer inside the
    /// gaps, or nil when they are empty. A found sequence was lost in delivery: the batch goes back to
    /// the open buffer and the consumer restarts at it, so it is delivered again and joins in order.
    public mutating func gapsVerified(firstFound: UInt64?, now: ContinuousClock.Instant) -> [Action] {
        guard let batch = verifying else { preconditionFailure("no batch is being verified") }
        verifying = nil
        let sizes = verifyingSizes
        verifyingSizes = []
        guard let found = firstFound else { return [begin(batch)] }
        holesFound += 1
        if draining {
            // Not written, not acked: the next run gets all of it again, from the checkpoint.
            phase = .stopped
            return [.stop]
        }
        // Deliveries may have arrived while the stream was asked (a fetch overlapping the check): merge.
        let merged: [(UInt64, Int)] = (Array(zip(batch.sequences, sizes)) + Array(zip(open, openSizes))).sorted { $0.0 < $1.0 }
        open = merged.map { $0.0 }
        openSizes = merged.map { $0.1 }
        openBytes = openSizes.reduce(0, +)
        if openedAt == nil { openedAt = now }
        if batch.isRecovery { phase = .consuming(recovering: batch.range) }
        restarting = true
        refillFrom = found
        refillSince = now
        nextDeliverySequence = nil
        return [.startConsuming(fromSequence: found)]
    }

    /// Batches held back because the stream had a message inside one of their gaps.
    public private(set) var holesFound = 0

    private mutating func begin(_ batch: Batch) -> Action {
        inFlight = InFlight(batch: batch, stepIndex: 0, attempt: 1)
        return .runStep(Guarantee.steps[0], batch)
    }
}
