import Foundation

/// Publish instants of the freshness probes, shared between the publisher and the poller.
final class ProbeBook: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private let lock = NSLock()
    private var published: [ContinuousClock.Instant] = []
    private var finished = false

    func record(_ instant: ContinuousClock.Instant) {
        lock.lock(); defer { lock.unlock() }
        published.append(instant)
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        finished = true
    }

    /// The publish instant of probe `k` if it was published; `done` once publishing ended.
    func probe(_ k: Int) -> (instant: ContinuousClock.Instant?, done: Bool) {
        lock.lock(); defer { lock.unlock() }
        return (k < published.count ? published[k] : nil, finished)
    }

    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return published.count
    }
}
