import Foundation

/// Admits at most `limit` requests at a time; the rest are turned away at once (a caller gets
/// `resource_exhausted` instead of queueing behind a slow store).
final class ConcurrencyLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var inFlight = 0
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot, or returns false when all are taken.
    func tryAcquire() -> Bool {
        lock.withLock {
            guard inFlight < limit else { return false }
            inFlight += 1
            return true
        }
    }

    func release() {
        lock.withLock { inFlight -= 1 }
    }

    var current: Int { lock.withLock { inFlight } }
}
