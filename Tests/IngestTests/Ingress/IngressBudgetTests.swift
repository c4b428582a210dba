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

    @Test("one producer holds at most its part; the others keep the rest, and a release frees it again")
    func perProducer() {
        let budget = IngressBudget(capacity: 100, perProducer: 30)
        let hostile = ProducerGrant(tenants: ["a"], types: nil), other = ProducerGrant(tenants: ["b"], types: nil)
        let announced = (0..<4).map { _ in budget.share() }
        for share in announced { share.assign(to: hostile) }
        #expect(announced[0].take(20) && announced[1].take(10))
        #expect(!announced[2].take(1) && announced[2].refused, "its part is used up")
        #expect(budget.held(by: hostile) == 30 && budget.free == 70)
        let others = (0..<2).map { _ in budget.share() }
        for share in others { share.assign(to: other) }
        #expect(others[0].take(30), "another producer is not locked out")
        #expect(!others[1].take(1))
        announced[0].release()
        #expect(announced[3].take(20) && budget.held(by: hostile) == 30)
        for share in announced + others { share.release() }
        #expect(budget.free == 100 && budget.held(by: hostile) == 0 && budget.held(by: other) == 0)
        // With the defaults (16 MiB, 1 MiB bodies) a producer holds 4 MiB; a small budget still fits one body.
        #expect(IngressBudget.perProducer(capacity: 16 << 20, maxBodyBytes: 1 << 20) == 4 << 20)
        #expect(IngressBudget.perProducer(capacity: 2 << 20, maxBodyBytes: 1 << 20) == 1 << 20)
        #expect(IngressBudget.perProducer(capacity: 1 << 20, maxBodyBytes: 1 << 20) == 1 << 20)
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
