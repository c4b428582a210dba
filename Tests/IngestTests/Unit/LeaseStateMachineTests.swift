import Testing
@testable import Ingest

/// The lease protocol stepped through event sequences, including the failures a replica meets: NATS
/// unreachable during renewals, a lease that moved on, a fenced pipeline, a replica joining or leaving.
@Suite("Lease state machine")
struct LeaseStateMachineTests {
    let t0 = ContinuousClock.Instant.now
    let settings = LeaseSettings(ttl: .seconds(12)) // renew every 4 s, writes stop 3 s early: valid for 9 s

    func view(_ taken: Set<Int>, replicas: Int) -> LeaseStateMachine.View {
        LeaseStateMachine.View(taken: taken, liveReplicas: replicas)
    }

    /// Acquires `partitions` at t0 with revisions 100, 101, …
    func holding(_ partitions: [Int], of total: Int = 6) -> LeaseStateMachine {
        var machine = LeaseStateMachine(partitions: total, settings: settings)
        // Everything else is taken, so exactly `partitions` are acquired.
        _ = machine.tick(now: t0, view: view(Set(0..<total).subtracting(partitions), replicas: 1))
        for (i, p) in partitions.enumerated() { _ = machine.acquired(partition: p, revision: UInt64(100 + i), sentAt: t0) }
        return machine
    }

    @Test("a lone replica acquires every free partition, then starts a pipeline per acquired lease")
    func acquireAll() {
        var machine = LeaseStateMachine(partitions: 6, settings: settings)
        let actions = machine.tick(now: t0, view: view([2], replicas: 1))
        #expect(actions == [0, 1, 3, 4, 5].map { .acquire(partition: $0) })
        #expect(machine.acquired(partition: 0, revision: 7, sentAt: t0) == [.startPipeline(partition: 0, epoch: 7, validUntil: t0 + .seconds(9))])
        #expect(machine.acquireFailed(partition: 1) == [])
        #expect(machine.holding == [0])
        // Partition 1 was taken by someone else: next tick tries it again only if it is free.
        #expect(machine.tick(now: t0 + .milliseconds(500), view: view([0, 1, 2], replicas: 1)) == [])
    }

    @Test("the fair share is the ceiling of partitions over live replicas")
    func fairShare() {
        let machine = LeaseStateMachine(partitions: 6, settings: settings)
        #expect(machine.fairShare(liveReplicas: 1) == 6)
        #expect(machine.fairShare(liveReplicas: 3) == 2)
        #expect(machine.fairShare(liveReplicas: 4) == 2)
        #expect(machine.fairShare(liveReplicas: 5) == 2)
        #expect(machine.fairShare(liveReplicas: 7) == 1)
        #expect(machine.fairShare(liveReplicas: 0) == 6)
    }

    @Test("three replicas: each acquires no more than its share")
    func shareOfThree() {
        var machine = LeaseStateMachine(partitions: 6, settings: settings)
        #expect(machine.tick(now: t0, view: view([0, 1], replicas: 3)) == [.acquire(partition: 2), .acquire(partition: 3)])
        // While the creates are in flight nothing more is asked for.
        #expect(machine.tick(now: t0 + .milliseconds(100), view: view([0, 1], replicas: 3)) == [])
    }

    @Test("renewals come every third of the TTL and extend the lease from their send time")
    func renewals() {
        var machine = holding([0])
        #expect(machine.tick(now: t0 + .seconds(3), view: nil) == [])
        #expect(machine.tick(now: t0 + .seconds(4), view: nil) == [.renew(partition: 0, revision: 100)])
        // In flight: not asked again.
        #expect(machine.tick(now: t0 + .seconds(5), view: nil) == [])
        let sent = t0 + .seconds(4)
        #expect(machine.renewed(partition: 0, revision: 130, sentAt: sent) == [.extendLease(partition: 0, validUntil: sent + .seconds(9))])
        #expect(machine.tick(now: sent + .seconds(4), view: nil) == [.renew(partition: 0, revision: 130)])
    }

    @Test("NATS unreachable: renewals are retried while the lease lasts, then the pipeline stops at once")
    func lapse() {
        var machine = holding([0, 1])
        #expect(machine.tick(now: t0 + .seconds(4), view: nil) == [.renew(partition: 0, revision: 100), .renew(partition: 1, revision: 101)])
        #expect(machine.renewFailed(partition: 0, lost: false) == [])
        #expect(machine.renewFailed(partition: 1, lost: false) == [])
        #expect(machine.tick(now: t0 + .seconds(5), view: nil) == [.renew(partition: 0, revision: 100), .renew(partition: 1, revision: 101)])
        #expect(machine.renewFailed(partition: 0, lost: false) == [])
        #expect(machine.renewed(partition: 1, revision: 140, sentAt: t0 + .seconds(5)) == [.extendLease(partition: 1, validUntil: t0 + .seconds(14))])
        // Partition 0's lease ends at t0 + 9 s: stopped without draining, and its key is not touched.
        #expect(machine.tick(now: t0 + .seconds(9), view: nil) == [.stopPipeline(partition: 0, graceful: false), .renew(partition: 1, revision: 140)])
        #expect(machine.holding == [1])
        #expect(machine.pipelineStopped(partition: 0, now: t0 + .seconds(9)) == [])
        #expect(machine.owned[0] == nil)
    }

    @Test("a renewal answered 'wrong revision' stops the partition at once")
    func lostKey() {
        var machine = holding([3])
        _ = machine.tick(now: t0 + .seconds(4), view: nil)
        #expect(machine.renewFailed(partition: 3, lost: true) == [.stopPipeline(partition: 3, graceful: false)])
        // A late success for the same renewal changes nothing.
        #expect(machine.renewed(partition: 3, revision: 200, sentAt: t0 + .seconds(4)) == [])
        #expect(machine.pipelineStopped(partition: 3, now: t0 + .seconds(5)) == [])
        #expect(machine.holding == [])
    }

    @Test("a fenced or failed pipeline gives its still-valid lease back at once")
    func pipelineEnds() {
        var machine = holding([2])
        #expect(machine.pipelineStopped(partition: 2, now: t0 + .seconds(1)) == [.deleteLease(partition: 2, revision: 100)])
        #expect(machine.owned.isEmpty)
        // Stale: a second report for the same partition.
        #expect(machine.pipelineStopped(partition: 2, now: t0 + .seconds(1)) == [])
    }

    @Test("the release names the lease's latest revision: a key written since (by anyone) is not deleted")
    func releaseIsCompareAndSet() {
        var machine = holding([2])
        _ = machine.tick(now: t0 + .seconds(4), view: nil)
        _ = machine.renewed(partition: 2, revision: 170, sentAt: t0 + .seconds(4))
        #expect(machine.pipelineStopped(partition: 2, now: t0 + .seconds(5)) == [.deleteLease(partition: 2, revision: 170)])
    }

    @Test("a pipeline ending after its lease lapsed leaves the key alone (it may be someone else's)")
    func pipelineEndsLate() {
        var machine = holding([2])
        #expect(machine.pipelineStopped(partition: 2, now: t0 + .seconds(10)) == [])
    }

    @Test("a replica joins: the replica above its share drains the highest partitions, then releases them")
    func rebalance() {
        var machine = holding([0, 1, 2, 3, 4, 5])
        #expect(machine.holding == [0, 1, 2, 3, 4, 5])
        let actions = machine.tick(now: t0 + .seconds(1), view: view(Set(0..<6), replicas: 3))
        #expect(actions == [.stopPipeline(partition: 5, graceful: true), .stopPipeline(partition: 4, graceful: true),
                            .stopPipeline(partition: 3, graceful: true), .stopPipeline(partition: 2, graceful: true)])
        // Draining partitions keep their leases renewed until they stopped.
        #expect(machine.tick(now: t0 + .seconds(4), view: view(Set(0..<6), replicas: 3)).count == 6)
        #expect(machine.pipelineStopped(partition: 5, now: t0 + .seconds(4)) == [.deleteLease(partition: 5, revision: 105)])
        #expect(machine.holding == [0, 1, 2, 3, 4])
        // Not handed back twice, and nothing acquired while above the share.
        let later = machine.tick(now: t0 + .seconds(4), view: view(Set(0..<5), replicas: 3))
        #expect(!later.contains { if case .stopPipeline = $0 { true } else { false } })
        #expect(!later.contains { if case .acquire = $0 { true } else { false } })
    }

    @Test("a replica dies: the survivors take its partitions once its keys expired")
    func takeOver() {
        var machine = holding([0, 1])
        // Until the dead replica's leases expire its partitions stay taken.
        #expect(machine.tick(now: t0 + .seconds(1), view: view([0, 1, 2, 3, 4, 5], replicas: 2)) == [])
        #expect(machine.tick(now: t0 + .seconds(2), view: view([0, 1, 3, 5], replicas: 2)) == [.acquire(partition: 2)])
        #expect(machine.acquired(partition: 2, revision: 300, sentAt: t0 + .seconds(2)) == [.startPipeline(partition: 2, epoch: 300, validUntil: t0 + .seconds(11))])
    }

    @Test("without a view of the bucket nothing is acquired or handed back")
    func blind() {
        var machine = holding([0])
        #expect(machine.tick(now: t0 + .seconds(1), view: nil) == [])
    }

    @Test("shutdown drains every partition and deletes each lease as its pipeline stops")
    func shutdown() {
        var machine = holding([1, 4])
        _ = machine.tick(now: t0, view: nil)
        var partial = LeaseStateMachine(partitions: 6, settings: settings)
        _ = partial.tick(now: t0, view: view([], replicas: 6))
        #expect(machine.shutdown() == [.stopPipeline(partition: 1, graceful: true), .stopPipeline(partition: 4, graceful: true)])
        #expect(machine.shutdown() == [])
        #expect(!machine.isFinished)
        // No acquisitions while shutting down, even with free partitions.
        #expect(machine.tick(now: t0 + .seconds(1), view: view([], replicas: 1)) == [])
        #expect(machine.pipelineStopped(partition: 1, now: t0 + .seconds(1)) == [.deleteLease(partition: 1, revision: 100)])
        #expect(machine.pipelineStopped(partition: 4, now: t0 + .seconds(1)) == [.deleteLease(partition: 4, revision: 101)])
        #expect(machine.isFinished)
        // A create that succeeds after shutdown began is given straight back.
        #expect(partial.shutdown() == [])
        #expect(partial.acquired(partition: 0, revision: 9, sentAt: t0) == [.deleteLease(partition: 0, revision: 9)])
    }

    @Test("a cutover's hold: every running partition is drained and handed back, nothing is acquired until it is gone")
    func heldForCutover() {
        var machine = holding([0, 1])
        let held = LeaseStateMachine.View(taken: [0, 1, 2], liveReplicas: 2, held: true)
        #expect(machine.tick(now: t0 + .milliseconds(100), view: held) == [.stopPipeline(partition: 0, graceful: true), .stopPipeline(partition: 1, graceful: true)])
        #expect(machine.pipelineStopped(partition: 0, now: t0 + .milliseconds(200)) == [.deleteLease(partition: 0, revision: 100)])
        #expect(machine.pipelineStopped(partition: 1, now: t0 + .milliseconds(200)) == [.deleteLease(partition: 1, revision: 101)])
        // Free partitions are left alone while held.
        #expect(machine.tick(now: t0 + .milliseconds(300), view: LeaseStateMachine.View(taken: [], liveReplicas: 2, held: true)) == [])
        #expect(machine.holding == [])
        // The hold is gone: the fair share is taken again.
        #expect(machine.tick(now: t0 + .milliseconds(400), view: view([], replicas: 2)) == [0, 1, 2].map { .acquire(partition: $0) })
    }
}
