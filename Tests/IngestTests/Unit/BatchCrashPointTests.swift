import Columnstore
import Testing
@testable import Ingest

/// Steps the state machine through a whole stream against a model of what each store persists,
/// crashing after every possible store step and restarting from what was persisted. Every fact must
/// be applied exactly once whatever the crash point. (A model of persistence, not of a store client:
/// the real stores are exercised by the integration tests.)
@Suite("Batch protocol crash points")
struct BatchCrashPointTests {
    /// What survives a crash: the store's tables and the stream's acks.
    struct Persisted {
        var committed: UInt64 = 0
        var pending: SequenceRange?
        var dedupTokens: Set<SequenceRange> = []
        var appliedCount: [UInt64: Int] = [:]
        var quarantinedCount: [UInt64: Int] = [:]
        var acked: Set<UInt64> = []

        var checkpoint: StoredCheckpoint { StoredCheckpoint(committed: committed, pending: pending) }

        /// Writes a batch's facts: those isolated (in this process's memory) go to quarantine.
        private mutating func write(_ batch: Batch, isolated: Set<UInt64>) {
            for s in batch.sequences {
                if isolated.contains(s) { quarantinedCount[s, default: 0] += 1 } else { appliedCount[s, default: 0] += 1 }
            }
        }

        /// - Returns: false when the store refuses the step for a data reason (a poison fact not isolated).
        mutating func run(_ step: BatchStep, _ batch: Batch, poison: Set<UInt64> = [], isolated: Set<UInt64> = []) -> Bool {
            let refused = batch.sequences.contains { poison.contains($0) && !isolated.contains($0) }
            switch step {
            case .commitTransaction:
                // One transaction: rows and checkpoint together, or nothing.
                if refused { return false }
                write(batch, isolated: isolated)
                committed = batch.range.last
            case .persistIntent:
                pending = batch.range
            case .insertRows:
                if refused { return false }
                // ClickHouse drops a block whose insert_deduplication_token it has seen.
                if dedupTokens.insert(batch.range).inserted {
                    write(batch, isolated: isolated)
                }
            case .persistCheckpoint:
                committed = batch.range.last
                pending = nil
            }
            return true
        }
    }

    enum Outcome { case finished, crashed }

    /// Runs one process lifetime until the stream is drained or the `crashAt`-th store step completes.
    func runOnce<G: DeliveryGuarantee>(_: G.Type, stream: [UInt64], fetch: Int, persisted: inout Persisted, stepsSoFar: inout Int, crashAt: Int?, failEvery: Int? = nil, lose: Set<UInt64> = [], numbered: Bool = true, poison: Set<UInt64> = []) -> Outcome {
        var lose = lose
        // What this process isolated: lost with it on a crash, found again the same way.
        var isolated: Set<UInt64> = []
        var delivery: UInt64 = 0
        // Lost deliveries come back after the ack wait, as redeliveries of the same consumer.
        var awaitingRedelivery: [UInt64] = []
        // What the pipeline would hold message handles for: every sequence of a batch must be among them.
        var holding: Set<UInt64> = []
        var machine = BatchStateMachine<G>(policy: BatchingPolicy(maxFacts: 5, linger: .milliseconds(10)))
        var now = ContinuousClock.Instant.now
        var queue: [BatchStateMachine<G>.Action] = [machine.start()]
        var cursor = 0
        var failures = 0
        var iterations = 0
        while true {
            iterations += 1
            if iterations > 100_000 { Issue.record("no progress: the protocol livelocked"); return .finished }
            while !queue.isEmpty {
                let action = queue.removeFirst()
                switch action {
                case .loadCheckpoint:
                    queue.append(machine.checkpointLoaded(persisted.checkpoint))
                case .startConsuming(let from):
                    cursor = stream.firstIndex { $0 >= from } ?? stream.count
                    delivery = 0
                    awaitingRedelivery.removeAll { $0 >= from }
                    machine.consumerStarted()
                case .verifyGaps(let gaps, _):
                    // The stream answers: the first of its sequences inside any gap.
                    let found = stream.first { s in gaps.contains { $0.contains(s) } }
                    queue.append(contentsOf: machine.gapsVerified(firstFound: found, now: now))
                case .runStep(let step, let batch), .retryStep(let step, let batch, _):
                    #expect(batch.sequences.allSatisfy(holding.contains), "batch \(batch.range) holds a sequence the machine never asked to hold")
                    failures += 1
                    if let failEvery, failures % failEvery == 0 {
                        queue.append(machine.stepFailed())
                        continue
                    }
                    guard persisted.run(step, batch, poison: poison, isolated: isolated) else {
                        queue.append(machine.stepRejected())
                        continue
                    }
                    stepsSoFar += 1
                    if stepsSoFar == crashAt { return .crashed }
                    queue.append(contentsOf: machine.stepSucceeded(now: now))
                case .hold(let seqs):
                    #expect(seqs.allSatisfy { $0 > persisted.committed && !holding.contains($0) }, "held \(seqs) twice or below the checkpoint")
                    holding.formUnion(seqs)
                case .ack(let seqs), .ackAlreadyApplied(let seqs):
                    holding.subtract(seqs)
                    for s in seqs {
                        #expect(s <= persisted.committed, "acked \(s) above the checkpoint \(persisted.committed)")
                        persisted.acked.insert(s)
                    }
                case .isolateRejection(_, let batch):
                    // Probes have no durable effect: the store refuses a set iff it holds a poison fact.
                    var isolation = RejectionIsolation(sequences: batch.sequences.filter { !isolated.contains($0) })
                    var step = isolation.start()
                    while case .probe(let probe) = step { step = isolation.probed(refused: probe.contains { poison.contains($0) }) }
                    if case .isolated(let found) = step { isolated.formUnion(found) }
                    queue.append(machine.rejectionIsolated(step != .notIsolated))
                case .supersedeDelivery:
                    break
                case .stop:
                    return .finished
                }
            }
            if cursor < stream.count, machine.wantsMessages {
                let chunk = Array(stream[cursor..<min(cursor + fetch, stream.count)])
                cursor += chunk.count
                var deliveries: [(sequence: UInt64, delivery: UInt64?)] = []
                for s in chunk {
                    delivery += 1
                    // A delivery lost in flight: numbered by the server, never seen by the client.
                    if lose.remove(s) != nil { awaitingRedelivery.append(s); continue }
                    deliveries.append((s, numbered ? delivery : nil))
                }
                queue.append(contentsOf: machine.received(deliveries, now: now))
            } else if cursor >= stream.count, !awaitingRedelivery.isEmpty, machine.wantsMessages {
                // The ack wait expired: the server redelivers what was lost, with new delivery numbers.
                let redelivered = awaitingRedelivery.map { s -> (sequence: UInt64, delivery: UInt64?) in
                    delivery += 1
                    return (s, numbered ? delivery : nil)
                }
                awaitingRedelivery.removeAll()
                queue.append(contentsOf: machine.received(redelivered, now: now))
            } else if machine.pendingBatch == nil, machine.bufferedCount == 0, cursor >= stream.count {
                return .finished
            } else {
                now += .milliseconds(20)
                queue.append(contentsOf: machine.tick(now: now))
                if queue.isEmpty, machine.pendingBatch == nil, cursor >= stream.count {
                    queue.append(contentsOf: machine.shutdown())
                }
            }
        }
    }

    func assertExactlyOnce<G: DeliveryGuarantee>(_ g: G.Type, stream: [UInt64], fetch: Int) {
        // Count the steps of an uninterrupted run, then crash after each one of them in turn.
        var clean = Persisted()
        var total = 0
        #expect(runOnce(g, stream: stream, fetch: fetch, persisted: &clean, stepsSoFar: &total, crashAt: nil) == .finished)
        #expect(clean.appliedCount.count == stream.count)
        for crashAt in 1...total {
            var persisted = Persisted()
            var steps = 0
            var lifetimes = 0
            var outcome = runOnce(g, stream: stream, fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: crashAt)
            while outcome == .crashed {
                lifetimes += 1
                outcome = runOnce(g, stream: stream, fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: nil)
            }
            #expect(lifetimes == 1)
            #expect(persisted.appliedCount.keys.sorted() == stream, "crash after step \(crashAt) lost facts")
            #expect(persisted.appliedCount.values.allSatisfy { $0 == 1 }, "crash after step \(crashAt) doubled facts")
            #expect(persisted.committed == stream.last)
        }
    }

    /// Every crash point with poison facts the store refuses: each is quarantined exactly once, never
    /// applied, and every other fact is applied exactly once.
    func assertIsolated<G: DeliveryGuarantee>(_ g: G.Type, stream: [UInt64], fetch: Int, poison: Set<UInt64>) {
        var clean = Persisted()
        var total = 0
        #expect(runOnce(g, stream: stream, fetch: fetch, persisted: &clean, stepsSoFar: &total, crashAt: nil, poison: poison) == .finished)
        for crashAt in [nil] + (1...total).map(Optional.some) {
            var persisted = Persisted()
            var steps = 0
            var outcome = runOnce(g, stream: stream, fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: crashAt, poison: poison)
            while outcome == .crashed {
                outcome = runOnce(g, stream: stream, fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, poison: poison)
            }
            let label = crashAt.map { "crash after step \($0)" } ?? "no crash"
            #expect(persisted.appliedCount.keys.sorted() == stream.filter { !poison.contains($0) }, "\(label): applied the wrong facts")
            #expect(persisted.appliedCount.values.allSatisfy { $0 == 1 }, "\(label): doubled facts")
            #expect(persisted.quarantinedCount.keys.sorted() == poison.sorted(), "\(label): quarantined the wrong facts")
            #expect(persisted.quarantinedCount.values.allSatisfy { $0 == 1 }, "\(label): quarantined twice")
            #expect(persisted.committed == stream.last, "\(label): stalled")
        }
    }

    @Test("store rejections: poison facts are isolated and quarantined at every crash point, the rest applied once")
    func storeRejectionsEveryCrashPoint() {
        assertIsolated(EffectivelyOnce.self, stream: Array(1...23), fetch: 3, poison: [1, 5, 6, 14, 23])
        assertIsolated(ExactlyOnce.self, stream: Array(1...23), fetch: 7, poison: [2, 3, 4, 5, 6, 20])
        assertIsolated(EffectivelyOnce.self, stream: [1, 2, 5, 6, 7, 9, 12, 13, 14, 15, 16, 20], fetch: 4, poison: [9, 20])
    }

    @Test("ClickHouse: a crash after any step re-forms the same batch and nothing is lost or doubled")
    func effectivelyOnceEveryCrashPoint() {
        assertExactlyOnce(EffectivelyOnce.self, stream: Array(1...23), fetch: 3)
    }

    @Test("ClickHouse: the same holds when the stream has gaps")
    func effectivelyOnceWithGaps() {
        assertExactlyOnce(EffectivelyOnce.self, stream: [1, 2, 5, 6, 7, 9, 12, 13, 14, 15, 16, 20], fetch: 4)
    }

    @Test("Postgres: a crash after any transaction loses and doubles nothing")
    func exactlyOnceEveryCrashPoint() {
        assertExactlyOnce(ExactlyOnce.self, stream: Array(1...23), fetch: 7)
    }

    @Test("deliveries lost in flight are never skipped past", arguments: [3, 7, 12])
    func lostDeliveries(fetch: Int) {
        for guarantee in [0, 1] {
            var persisted = Persisted()
            var steps = 0
            let outcome = guarantee == 0
                ? runOnce(EffectivelyOnce.self, stream: Array(1...40), fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, lose: [7, 8, 23])
                : runOnce(ExactlyOnce.self, stream: Array(1...40), fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, lose: [1, 19, 40])
            #expect(outcome == .finished)
            #expect(persisted.appliedCount.keys.sorted() == Array(1...40), "a lost delivery was skipped")
            #expect(persisted.appliedCount.values.allSatisfy { $0 == 1 })
        }
    }

    @Test("a lost delivery that comes back only after later batches is caught by the gap check", arguments: [3, 7, 12])
    func lostDeliveriesWithoutNumbers(fetch: Int) {
        // Without delivery numbers the consumer-sequence jump is invisible: only checking the batch's gaps
        // against the stream stops a commit past the lost message.
        for guarantee in [0, 1] {
            for stream in [Array(UInt64(1)...40), [1, 2, 4, 5, 6, 9, 10, 11, 12, 15, 16, 17, 18, 19, 20, 30, 31, 32]] {
                var persisted = Persisted()
                var steps = 0
                let lose: Set<UInt64> = [stream[0], stream[6], stream[stream.count - 1]]
                let outcome = guarantee == 0
                    ? runOnce(EffectivelyOnce.self, stream: stream, fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, lose: lose, numbered: false)
                    : runOnce(ExactlyOnce.self, stream: stream, fetch: fetch, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, lose: lose, numbered: false)
                #expect(outcome == .finished)
                #expect(persisted.appliedCount.keys.sorted() == stream, "a lost delivery was skipped")
                #expect(persisted.appliedCount.values.allSatisfy { $0 == 1 })
                #expect(persisted.committed == stream.last)
            }
        }
    }

    @Test("ClickHouse: crashes at every step with lost, unnumbered deliveries still apply everything once")
    func crashesWithLostDeliveries() {
        let stream = Array(UInt64(1)...17)
        var clean = Persisted()
        var total = 0
        #expect(runOnce(EffectivelyOnce.self, stream: stream, fetch: 4, persisted: &clean, stepsSoFar: &total, crashAt: nil, lose: [3, 11], numbered: false) == .finished)
        for crashAt in 1...total {
            var persisted = Persisted()
            var steps = 0
            var outcome = runOnce(EffectivelyOnce.self, stream: stream, fetch: 4, persisted: &persisted, stepsSoFar: &steps, crashAt: crashAt, lose: [3, 11], numbered: false)
            while outcome == .crashed {
                outcome = runOnce(EffectivelyOnce.self, stream: stream, fetch: 4, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, lose: [11], numbered: false)
            }
            #expect(persisted.appliedCount.keys.sorted() == stream, "crash after step \(crashAt) lost facts")
            #expect(persisted.appliedCount.values.allSatisfy { $0 == 1 }, "crash after step \(crashAt) doubled facts")
        }
    }

    @Test("failed steps are retried until they succeed, and everything is applied once")
    func transientFailures() {
        var persisted = Persisted()
        var steps = 0
        #expect(runOnce(EffectivelyOnce.self, stream: Array(1...30), fetch: 4, persisted: &persisted, stepsSoFar: &steps, crashAt: nil, failEvery: 3) == .finished)
        #expect(persisted.appliedCount.count == 30)
        #expect(persisted.appliedCount.values.allSatisfy { $0 == 1 })
        #expect(persisted.acked == Set(1...30))
    }
}
