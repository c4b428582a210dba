import Synchronization
import Testing
@testable import JetStream

/// What waits for a read-loop fence is freed exactly once: by the fence (integration:
/// SubscriptionRetirementTests) or, as here without a server, when the closed connection lets it all go.
@Suite("Retired subscriptions")
struct RetiredSubscriptionsTests {
    @Test func destroyAllFreesEachParkedOneOnceAndKeepsNothing() {
        let retired = RetiredSubscriptions()
        let freed = Mutex<[Int]>([])
        for n in 0..<3 { retired.park { freed.withLock { $0.append(n) } } }
        #expect(retired.count == 3)
        retired.destroyAll()
        #expect(freed.withLock { $0 } == [0, 1, 2])
        #expect(retired.count == 0)
        retired.destroyAll()
        #expect(freed.withLock { $0 }.count == 3, "nothing is freed twice")
    }
}
