import Foundation
import Testing
import JetStream
@testable import Ingest

/// Freshness is judged when the status is read: lag in seconds, the stall alarm and the readiness thresholds.
@Suite("Freshness")
struct FreshnessTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func snapshot(lag: UInt64, movedAgo: Double, oldestAgo: Double?, paused: Bool = false) -> IngestStatus.Snapshot {
        var s = IngestStatus.Snapshot()
        s.natsConnected = true
        s.consumerBound = true
        s.storeWritable = true
        s.lag = lag
        s.paused = paused
        s.checkpointMovedAt = now.addingTimeInterval(-movedAgo)
        s.oldestPendingAt = oldestAgo.map { now.addingTimeInterval(-$0) }
        return s
    }

    @Test("lag in seconds is the age of the oldest pending fact; caught up is 0")
    func lagSeconds() {
        let policy = FreshnessPolicy()
        #expect(snapshot(lag: 10, movedAgo: 1, oldestAgo: 42.5).evaluated(now: now, policy: policy).lagSeconds == 42.5)
        #expect(snapshot(lag: 0, movedAgo: 1, oldestAgo: 42.5).evaluated(now: now, policy: policy).lagSeconds == 0)
        #expect(snapshot(lag: 3, movedAgo: 1, oldestAgo: nil).evaluated(now: now, policy: policy).lagSeconds == nil, "unknown, not 0")
    }

    @Test("pending facts and a checkpoint still for the stall time: stalled and not ready, naming the setting")
    func stall() {
        let policy = FreshnessPolicy(stallAfter: .seconds(60))
        let fresh = snapshot(lag: 5, movedAgo: 59, oldestAgo: 70).evaluated(now: now, policy: policy)
        #expect(!fresh.stalled && fresh.isReady)
        let stalled = snapshot(lag: 5, movedAgo: 61, oldestAgo: 70).evaluated(now: now, policy: policy)
        #expect(stalled.stalled && !stalled.isReady)
        #expect(stalled.freshnessProblem?.contains("PROJECTION_STALL_AFTER_MS") == true)
        let caughtUp = snapshot(lag: 0, movedAgo: 600, oldestAgo: nil).evaluated(now: now, policy: policy)
        #expect(!caughtUp.stalled && caughtUp.isReady, "nothing pending is not a stall, however long it is quiet")
        let paused = snapshot(lag: 5, movedAgo: 600, oldestAgo: 700, paused: true).evaluated(now: now, policy: policy)
        #expect(!paused.stalled && paused.isReady, "paused by an operator is not a stall")
        let off = snapshot(lag: 5, movedAgo: 600, oldestAgo: 700).evaluated(now: now, policy: FreshnessPolicy(stallAfter: nil))
        #expect(!off.stalled && off.isReady)
    }

    @Test("readiness thresholds on lag count and lag time, off by default")
    func thresholds() {
        let behind = snapshot(lag: 1_000, movedAgo: 0, oldestAgo: 30)
        #expect(behind.evaluated(now: now, policy: FreshnessPolicy()).isReady)
        let byCount = behind.evaluated(now: now, policy: FreshnessPolicy(maxLagFacts: 999))
        #expect(!byCount.isReady && byCount.freshnessProblem?.contains("PROJECTION_READY_MAX_LAG_FACTS") == true)
        #expect(behind.evaluated(now: now, policy: FreshnessPolicy(maxLagFacts: 1_000)).isReady)
        let byTime = behind.evaluated(now: now, policy: FreshnessPolicy(maxLagSeconds: 10))
        #expect(!byTime.isReady && byTime.freshnessProblem?.contains("PROJECTION_READY_MAX_LAG_SECONDS") == true)
    }

    @Test("the stream's message time parses with nanoseconds")
    func streamTime() throws {
        let parsed = try #require(JetStreamContext.parseTime("2026-12-04T15:09:12.123456789Z"))
        #expect(abs(parsed.timeIntervalSince1970 - 1_796_396_952.123456789) < 1e-6)
        #expect(JetStreamContext.parseTime("2026-12-04T15:09:12Z")?.timeIntervalSince1970 == 1_796_396_952)
    }
}
