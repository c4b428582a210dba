import Columnstore
import Testing
@testable import Ingest

@Suite("Start resolution")
struct StartResolutionTests {
    typealias Action = StartResolution.Action

    @Test("each record state gives its next step")
    func steps() {
        let empty = StoredCheckpoint.empty
        // Nothing on record.
        #expect(StartResolution.next(checkpoint: empty, decision: empty) == .resolve)
        // A checkpoint of its own (an older release's start, or an earlier run) stands undecided.
        #expect(StartResolution.next(checkpoint: StoredCheckpoint(committed: 7), decision: empty) == .start(StoredCheckpoint(committed: 7)))
        let pendingBatch = StoredCheckpoint(committed: 0, pending: SequenceRange(first: 1, last: 3))
        #expect(StartResolution.next(checkpoint: pendingBatch, decision: empty) == .start(pendingBatch))
        // "Skip nothing" is on record: start at 0, whatever the stream holds now.
        let nothing = StoredCheckpoint(committed: 1)
        #expect(StartResolution.next(checkpoint: empty, decision: nothing) == .start(empty))
        // A first batch after it, left pending, is the consumer's own.
        #expect(StartResolution.next(checkpoint: pendingBatch, decision: nothing) == .start(pendingBatch))
        // Skip through 9 decided: not yet made, or its intent pending, makes it; made or passed, starts.
        let nine = StoredCheckpoint(committed: 10)
        #expect(StartResolution.next(checkpoint: empty, decision: nine) == .skip(SequenceRange(first: 1, last: 9)))
        #expect(StartResolution.next(checkpoint: StoredCheckpoint(committed: 0, pending: SequenceRange(first: 1, last: 9)), decision: nine)
                == .skip(SequenceRange(first: 1, last: 9)))
        #expect(StartResolution.next(checkpoint: StoredCheckpoint(committed: 9), decision: nine) == .start(StoredCheckpoint(committed: 9)))
        #expect(StartResolution.next(checkpoint: StoredCheckpoint(committed: 40), decision: nine) == .start(StoredCheckpoint(committed: 40)))
        // A pending batch that is not the skip (a consumer started with `first` before the setting changed) stands.
        #expect(StartResolution.next(checkpoint: pendingBatch, decision: nine) == .start(pendingBatch))
        // An interrupted decision record is finished as it began.
        let interrupted = StoredCheckpoint(committed: 0, pending: SequenceRange(first: 1, last: 10))
        #expect(StartResolution.next(checkpoint: empty, decision: interrupted) == .recordDecision(SequenceRange(first: 1, last: 10)))
        #expect(StartResolution.decisionConsumer(of: ConsumerID(projection: "shop", consumer: "d", partition: 2))
                == ConsumerID(projection: "shop__start", consumer: "d", partition: 2))
    }

    /// A store that writes a batch in one step (Postgres) or as an intent, then its checkpoint (ClickHouse).
    struct ModelStore {
        var twoPhase: Bool
        var checkpoint = StoredCheckpoint.empty
        var decision = StoredCheckpoint.empty
        /// Phases left before the process stops (nil: never).
        var stopAfter: Int?
        struct Stopped: Error {}

        mutating func phase(_ apply: (inout ModelStore) -> Void) throws {
            if let left = stopAfter {
                if left == 0 { throw Stopped() }
                stopAfter = left - 1
            }
            apply(&self)
        }

        mutating func commit(decision isDecision: Bool, _ range: SequenceRange) throws {
            if twoPhase {
                try phase { if isDecision { $0.decision.pending = range } else { $0.checkpoint.pending = range } }
            }
            try phase {
                let done = StoredCheckpoint(committed: range.last)
                if isDecision { $0.decision = done } else { $0.checkpoint = done }
            }
        }
    }

    /// Runs starts as the pipeline does (`new`: skip through the stream's last sequence), stopping the
    /// process after every possible number of store phases while the stream grows between starts.
    @Test("a start stopped at any point finishes the first recorded decision; facts published meanwhile are not skipped",
          arguments: [false, true], [0 as UInt64, 5])
    func stoppedAnywhere(twoPhase: Bool, initialLast: UInt64) throws {
        for stopAt in 0...6 {
            var store = ModelStore(twoPhase: twoPhase, stopAfter: stopAt)
            var streamLast = initialLast
            var recorded: UInt64?  // the decision whose first phase landed
            var started: StoredCheckpoint?
            for _ in 0..<3 where started == nil {
                do {
                    for _ in 0..<4 {
                        switch StartResolution.next(checkpoint: store.checkpoint, decision: store.decision) {
                        case .start(let checkpoint):
                            started = checkpoint
                        case .resolve:
                            let through = streamLast
                            let before = store.decision
                            defer { if store.decision != before, recorded == nil { recorded = through } }
                            try store.commit(decision: true, StartResolution.decision(through: through))
                        case .recordDecision(let range):
                            try store.commit(decision: true, range)
                        case .skip(let range):
                            try store.commit(decision: false, range)
                        }
                        if started != nil { break }
                    }
                } catch is ModelStore.Stopped {
                    store.stopAfter = nil
                    streamLast += 3  // published while the process was down
                }
            }
            let checkpoint = try #require(started, "stop after \(stopAt) phases: no start within three runs")
            let decided = try #require(recorded)
            #expect(checkpoint == StoredCheckpoint(committed: decided), "stop after \(stopAt) phases (two-phase \(twoPhase))")
            #expect(decided <= max(initialLast, streamLast), "never past what the stream held")
        }
    }
}
