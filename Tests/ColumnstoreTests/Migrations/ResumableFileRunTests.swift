import Columnstore
import Testing

/// Steps the per-statement state machine against a simulated durable ledger, crashing after every
/// possible step, and checks what the store would have seen.
@Suite("Per-statement progress and resume")
struct ResumableFileRunTests {
    /// What a store would hold: the durable applied count (nil = no ledger row) and every executed statement.
    struct SimulatedStore {
        var recorded: Int?
        var executed: [Int] = []

        /// Runs from the ledger state until done or until `crashAfterSteps` steps are performed.
        /// Returns whether it finished.
        mutating func run(total: Int, crashAfterSteps: Int? = nil) -> Bool {
            var run = ResumableFileRun(total: total, recorded: recorded)
            var steps = 0
            while true {
                if run.step == .done { return true }
                if let crashAfterSteps, steps == crashAfterSteps { return false }
                switch run.step {
                case .recordStart: recorded = 0
                case .execute(let index): executed.append(index)
                case .record(let applied): recorded = applied
                case .done: return true
                }
                run.advance()
                steps += 1
            }
        }
    }

    @Test("a fresh file records its start, then alternates statement and record")
    func freshSequence() {
        var run = ResumableFileRun(total: 2, recorded: nil)
        var steps: [ResumableFileRun.Step] = []
        while run.step != .done {
            steps.append(run.step)
            run.advance()
        }
        #expect(steps == [.recordStart, .execute(index: 0), .record(applied: 1), .execute(index: 1), .record(applied: 2)])
    }

    @Test("resuming starts at the statement after the recorded count")
    func resume() {
        #expect(ResumableFileRun(total: 5, recorded: 2).step == .execute(index: 2))
        #expect(ResumableFileRun(total: 5, recorded: 5).step == .done)
        #expect(ResumableFileRun(total: 5, recorded: 9).step == .done)
        #expect(ResumableFileRun(total: 5, recorded: -1).step == .execute(index: 0))
    }

    @Test("an empty file is recorded and done")
    func empty() {
        var store = SimulatedStore()
        let finished = store.run(total: 0)
        #expect(finished)
        #expect(store.recorded == 0)
        #expect(store.executed.isEmpty)
    }

    @Test("a crash after any step resumes to completion; only a statement that ran but was not recorded runs twice",
          arguments: 0...9)
    func crashPoints(crashAfter: Int) {
        let total = 4
        var store = SimulatedStore()
        let finishedFirst = store.run(total: total, crashAfterSteps: crashAfter)
        // 1 start record + 2 steps per statement = 9 steps.
        #expect(finishedFirst == (crashAfter >= 9))
        let recordedAtCrash = store.recorded
        let executedAtCrash = store.executed

        let finishedSecond = store.run(total: total)
        #expect(finishedSecond)
        #expect(store.recorded == total)
        // Every statement ran, in order, once; except that a crash between running statement i
        // and recording it (an even step count after the start record) runs i again on resume.
        let rerun: Int? = crashAfter >= 1 && crashAfter < 9 && crashAfter % 2 == 0 ? (crashAfter - 1) / 2 : nil
        var expected = Array(0..<total)
        if let rerun { expected.insert(rerun, at: rerun) }
        #expect(store.executed == expected)
        // The durable state never claims a statement that did not run.
        #expect((recordedAtCrash ?? 0) <= Set(executedAtCrash).count)
    }

    @Test("repeated crashes after every record still apply each statement once")
    func crashAfterEveryRecord() {
        var store = SimulatedStore()
        var attempts = 0
        // Crash right after the first record of each run: start record, or statement + record.
        while !store.run(total: 3, crashAfterSteps: store.recorded == nil ? 1 : 2) {
            attempts += 1
            #expect(attempts < 10)
        }
        #expect(store.executed == [0, 1, 2])
        #expect(store.recorded == 3)
    }

    @Test("recordedAfterStep tells what the ledger will show")
    func recordedAfterStep() {
        var run = ResumableFileRun(total: 1, recorded: nil)
        #expect(run.recordedAfterStep == 0)
        run.advance()
        #expect(run.recordedAfterStep == nil)
        run.advance()
        #expect(run.recordedAfterStep == 1)
        run.advance()
        #expect(run.step == .done)
    }
}
