import Synchronization

/// The ingress's in-flight byte budget (`PROJECTION_INGRESS_MAX_INFLIGHT_BYTES`): every request takes
/// its body's bytes from it before they are held (all of `Content-Length` up front, a chunked body's bytes
/// as they arrive) and gives them back when it is answered, whatever the answer. A request that finds
/// too little left is answered 503 with `Retry-After` and publishes nothing, so the bodies (and their
/// parsed values) held at once stay bounded however many connections send at once.
final class IngressBudget: Sendable {
    let capacity: Int
    private let available: Mutex<Int>
    /// Told the bytes taken after every change (under the lock, so in order): the metrics' gauge.
    private let observe: @Sendable (Int) -> Void

    init(capacity: Int, observe: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.capacity = capacity
        self.available = Mutex(capacity)
        self.observe = observe
        observe(0)
    }

    /// Bytes not taken now.
    var free: Int { available.withLock { $0 } }

    /// A share that takes nothing yet; `take` adds to it, `release` gives all of it back (once).
    func share() -> Share { Share(budget: self) }

    fileprivate func take(_ bytes: Int) -> Bool {
        available.withLock { available in
            guard bytes <= available else { return false }
            available -= bytes
            observe(capacity - available)
            return true
        }
    }

    fileprivate func give(_ bytes: Int) {
        guard bytes > 0 else { return }
        available.withLock { available in
            available += bytes
            observe(capacity - available)
        }
    }

    /// What one request holds of the budget.
    final class Share: Sendable {
        private let budget: IngressBudget
        private let held = Mutex<Int>(0)
        private let wasRefused = Atomic<Bool>(false)

        fileprivate init(budget: IngressBudget) { self.budget = budget }

        /// Takes `bytes` more, or nothing (false) when the budget has not that many left.
        func take(_ bytes: Int) -> Bool {
            guard bytes > 0 else { return true }
            guard budget.take(bytes) else {
                wasRefused.store(true, ordering: .relaxed)
                return false
            }
            held.withLock { $0 += bytes }
            return true
        }

        var bytes: Int { held.withLock { $0 } }

        /// Whether a `take` found too little left.
        var refused: Bool { wasRefused.load(ordering: .relaxed) }

        /// Gives back everything taken; later calls give nothing.
        func release() {
            budget.give(held.withLock { held in
                defer { held = 0 }
                return held
            })
        }

        deinit { release() }
    }
}
