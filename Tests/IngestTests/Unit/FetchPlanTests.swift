import Columnstore
import Testing
@testable import Ingest

@Suite("Fetch plan")
struct FetchPlanTests {
    let t0 = ContinuousClock.Instant.now
    let linger = Duration.milliseconds(100)

    @Test("with nothing open a fetch returns what is there at once and waits at most the linger")
    func nothingOpen() {
        #expect(FetchPlan.next(openUntil: nil, now: t0, linger: linger) == FetchPlan(timeout: .milliseconds(100), fill: false))
        #expect(FetchPlan.next(openUntil: nil, now: t0, linger: .seconds(3)) == FetchPlan(timeout: .milliseconds(500), fill: false))
        #expect(FetchPlan.next(openUntil: nil, now: t0, linger: .zero) == FetchPlan(timeout: .milliseconds(10), fill: false))
    }

    @Test("with a batch open a fetch fills until the linger ends, at least 10 ms, at most 500 ms")
    func open() {
        #expect(FetchPlan.next(openUntil: t0 + .milliseconds(70), now: t0, linger: linger) == FetchPlan(timeout: .milliseconds(70), fill: true))
        #expect(FetchPlan.next(openUntil: t0 + .milliseconds(3), now: t0, linger: linger) == FetchPlan(timeout: .milliseconds(10), fill: true))
        #expect(FetchPlan.next(openUntil: t0 - .milliseconds(5), now: t0, linger: linger) == FetchPlan(timeout: .milliseconds(10), fill: true))
        #expect(FetchPlan.next(openUntil: t0 + .seconds(2), now: t0, linger: .seconds(2)) == FetchPlan(timeout: .milliseconds(500), fill: true))
    }

    @Test("the machine's open batch sets the fill deadline, also while a batch is being written")
    func fromTheMachine() {
        var machine = BatchStateMachine<EffectivelyOnce>(policy: BatchingPolicy(maxFacts: 4, linger: linger))
        _ = machine.start()
        _ = machine.checkpointLoaded(.empty)
        #expect(machine.openLingerEnd == nil)
        _ = machine.received([1, 2], now: t0)
        #expect(machine.openLingerEnd == t0 + linger)
        // Cut by linger: batch 1–2 in flight, nothing open.
        #expect(!machine.tick(now: t0 + linger).isEmpty)
        #expect(machine.openLingerEnd == nil)
        #expect(FetchPlan.next(openUntil: machine.openLingerEnd, now: t0 + linger, linger: linger).fill == false)
        // A message arriving during the write opens the next batch: the fetch fills until its linger ends.
        _ = machine.received([3], now: t0 + .milliseconds(120))
        #expect(machine.lingerDeadline == nil, "no cut while a batch is in flight")
        #expect(machine.openLingerEnd == t0 + .milliseconds(220))
        #expect(FetchPlan.next(openUntil: machine.openLingerEnd, now: t0 + .milliseconds(130), linger: linger)
                == FetchPlan(timeout: .milliseconds(90), fill: true))
    }
}
