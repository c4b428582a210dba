import Foundation

/// The outcomes of one `publishTracked` call, filled in by the ack handler on a libnats thread.
final class PublishOutcomes: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var results: [Result<PubAck, NATSError>?]
    private var remaining: Int
    private var continuation: CheckedContinuation<Void, Never>?
    private var finished = false
    /// When the caller stops waiting (its timeout plus a grace), enforced by `AsyncPublishAcks`' watchdog.
    let deadline: DispatchTime

    init(count: Int, deadline: DispatchTime = .distantFuture) {
        results = Array(repeating: nil, count: count)
        remaining = count
        self.deadline = deadline
    }

    /// Records the outcome of message `index`; the first outcome of a message wins.
    func record(_ index: Int, _ result: Result<PubAck, NATSError>) {
        lock.lock()
        guard results[index] == nil else { lock.unlock(); return }
        results[index] = result
        remaining -= 1
        let resume = remaining == 0 ? takeContinuation() : nil
        lock.unlock()
        resume?.resume()
    }

    /// Suspends until every message has an outcome or `finish()` is called.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if remaining == 0 || finished {
                lock.unlock()
                continuation.resume()
                return
            }
            self.continuation = continuation
            lock.unlock()
        }
    }

    /// Ends the wait early (a deadline); messages without an outcome stay nil.
    func finish() {
        lock.lock()
        finished = true
        let resume = takeContinuation()
        lock.unlock()
        resume?.resume()
    }

    /// The outcomes so far (nil: none arrived).
    var snapshot: [Result<PubAck, NATSError>?] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }

    private func takeContinuation() -> CheckedContinuation<Void, Never>? {
        let c = continuation
        continuation = nil
        return c
    }
}
