import Foundation
import Testing

extension ScratchJetStreamCluster {
    /// A rolling restart as an operator does it: each node in turn is stopped (SIGTERM) and started
    /// again, and the next one only once every node answers `/healthz` (JetStream up and in contact
    /// with a meta leader). After each restart this waits until the consumer
    /// moved past where it was at the stop (`position`), or has nothing left to do (`caughtUp`).
    ///
    /// - Returns: per node, the time from its SIGTERM until the consumer moved again (nil: it never did
    ///   within `moveTimeout`; an issue is recorded then).
    func rollingRestart(moveTimeout: Duration = .seconds(90), position: () async -> UInt64?,
                        caughtUp: () async -> Bool) async throws -> [Duration?] {
        let clock = ContinuousClock()
        var moving: [Duration?] = []
        for index in 0..<Self.size {
            let before = await position() ?? 0
            let stoppedAt = clock.now
            terminate(index)
            try start(index)
            let healthy = try await waitUntilHealthy(timeout: .seconds(90))
            #expect(healthy, "node \(index) rejoined after its restart; its log:\n\(log(index).suffix(2000))")
            var movedAfter: Duration?
            let deadline = clock.now + moveTimeout
            while clock.now < deadline {
                if let now = await position(), now > before { movedAfter = clock.now - stoppedAt; break }
                if await caughtUp() { break }
                try await clock.sleep(for: .milliseconds(100))
            }
            if movedAfter == nil, !(await caughtUp()) {
                Issue.record("the consumer did not move within \(moveTimeout) of node \(index)'s restart (stuck at \(before))")
            }
            moving.append(movedAfter)
        }
        return moving
    }
}
