import Synchronization
import Testing
@testable import Ingest

@Suite("Ingress in-flight budget and waiters")
struct IngressBudgetTests {
    @Test("a share takes what is left or nothing, and gives all of it back once")
    func shares() {
        let seen = Mutex<[Int]>([])
        let budget = IngressBudget(capacity: 100, observe: { taken in seen.withLock { $0.append(taken) } })
        let a = budget.share(), b = budget.share()
        #expect(a.take(60) && a.take(20))
        #expect(!b.take(30) && b.bytes == 0)
        #expect(b.take(20) && budget.free == 0)
        a.release()
        a.release()
        #expect(budget.free == 80 && a.bytes == 0)
        b.release()
        #expect(budget.free == 100)
        #expect(seen.withLock { $0 } == [0, 60, 80, 100, 20, 0])
    }

    @Test("a share dropped unreleased gives its bytes back")
    func dropped() {
        let budget = IngressBudget(capacity: 10)
        do {
            let share = budget.share()
            #expect(share.take(10))
        }
        #expect(budget.free == 10)
    }

    @Test("waiters: at most the capacity at once; a place left is free again")
    func waiters() {
        let waiters = IngressWaiters(capacity: 2, metrics: IngressMetrics(projection: "test"))
        #expect(waiters.enter() && waiters.enter())
        #expect(!waiters.enter() && waiters.current == 2)
        waiters.leave()
        #expect(waiters.enter())
        let none = IngressWaiters(capacity: 0, metrics: IngressMetrics(projection: "test"))
        #expect(!none.enter())
    }
}
