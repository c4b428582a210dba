import Foundation
import Testing

extension ScratchJetStreamCluster {
    /// A rolling restart as an operator does it: each node in turn is stopped (SIGTERM) and started
    /// again, and the next one only once every node answers `/healthz` (nats-server 2.9 answers 503 while
    /// any of its streams or consumers is not current). After each restart this also waits until the consumer
    /// moved past where it was at the stop (`position`), or has nothing left to do (`caughtUp`).
    ///
    /// - Returns: per node, the time from its SIGTERM until the consumer moved again (nil: it never did
    ///   within `moveTimeout`, an issue is recorded then; or it had nothing left to do).
    func rollingRestart(moveTimeout: Duration = .seconds(120), position: () async -> UInt64?,
                        caughtUp: () async -> Bool) async throws -> [Duration?] {
        let clock = ContinuousClock()
        var moving: [Duration?] = []
        for index in 0..<Self.size {
            let before = await position() ?? 0
            let stoppedAt = clock.now
            terminate(index)
            try start(index)
            // Movement is watched while waiting for health, so a slow rejoin does not count against ingest.
            var movedAfter: Duration?
            var healthy = false, done = false
            let deadline = clock.now + moveTimeout
            while clock.now < deadline, !(healthy && (movedAfter != nil || done)) {
                if movedAfter == nil, let now = await position(), now > before { movedAfter = clock.now - stoppedAt }
                if movedAfter == nil, !done { done = await caughtUp() }
                if !healthy { healthy = await allHealthy() }
                try await clock.sleep(for: .milliseconds(100))
            }
            #expect(healthy, "every node answers /healthz within \(moveTimeout) of node \(index)'s restart; its log:\n\(log(index).suffix(2000))")
            if movedAfter == nil, !done {
                Issue.record("the consumer did not move within \(moveTimeout) of node \(index)'s restart (stuck at \(before))")
            }
            moving.append(movedAfter)
        }
        return moving
    }

    /// Whether every running node answers `/healthz` now.
    private func allHealthy() async -> Bool {
        for index in 0..<Self.size where isRunning(index) {
            if !(await isHealthy(index)) { return false }
        }
        return true
    }
}
