import Synchronization

/// The ingress's in-flight byte budget (`PROJECTION_INGRESS_MAX_INFLIGHT_BYTES`): every request takes
/// its body's bytes from it before they are held (all of `Content-Length` up front, a chunked body's bytes
/// as they arrive) and gives them back when it is answered, whatever the answer. A request that finds
/// too little left is answered 503 with `Retry-After` and publishes nothing, so the bodies (and their
/// parsed values) held at once stay bounded however many connections send at once.
///
/// One producer grant holds at most `perProducer` of it (a quarter, at least one largest body): a
/// producer that announces bodies it never sends (up front, and held until the body deadline) then runs
/// out of its own share, and every other producer keeps the rest.
final class IngressBudget: Sendable {
    let capacity: Int
    let perProducer: Int
    private struct State {
        var available: Int
        var held: [ProducerGrant: Int] = [:]
    }
    private let state: Mutex<State>
    /// Told the bytes taken after every change (under the lock, so in order): the metrics' gauge.
    private let observe: @Sendable (Int) -> Void

    init(capacity: Int, perProducer: Int? = nil, observe: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.capacity = capacity
        self.perProducer = min(capacity, perProducer ?? capacity)
        self.state = Mutex(State(available: capacity))
        self.observe = observe
        observe(0)
    }

    /// The share of one producer grant: a quarter of the budget, and never less than one largest body.
    static func perProducer(capacity: Int, maxBodyBytes: Int) -> Int {
        min(capacity, max(maxBodyBytes, capacity / 4))
    }

    /// Bytes not taken now.
    var free: Int { state.withLock { $0.available } }

    /// Bytes `producer` holds now.
    func held(by producer: ProducerGrant) -> Int { state.withLock { $0.held[producer] ?? 0 } }

    /// A share that takes nothing yet; `take` adds to it, `release` gives all of it back (once).
    func share() -> Share { Share(budget: self) }

    fileprivate func take(_ bytes: Int, for producer: ProducerGrant?) -> Bool {
        state.withLock { state in
            guard bytes <= state.available else { return false }
            if let producer {
                let held = state.held[producer] ?? 0
                guard bytes <= perProducer - held else { return false }
                state.held[producer] = held + bytes
            }
            state.available -= bytes
            observe(capacity - state.available)
            return true
        }
    }

    fileprivate func give(_ bytes: Int, for producer: ProducerGrant?) {
        guard bytes > 0 else { return }
        state.withLock { state in
            state.available += bytes
            if let producer {
                let left = (state.held[producer] ?? 0) - bytes
                state.held[producer] = left > 0 ? left : nil
            }
            observe(capacity - state.available)
        }
    }

    /// What one request holds of the budget.
    final class Share: Sendable {
        private let budget: IngressBudget
        private let held = Mutex<(bytes: Int, producer: ProducerGrant?)>((0, nil))
        private let wasRefused = Atomic<Bool>(false)

        fileprivate init(budget: IngressBudget) { self.budget = budget }

        /// Counts what this share takes from now on against `producer`'s part (once authorized, before
        /// the body is read).
        func assign(to producer: ProducerGrant) {
            held.withLock { held in
                precondition(held.bytes == 0, "a share is assigned before it takes anything")
                held.producer = producer
            }
        }

        /// Takes `bytes` more, or nothing (false) when the budget, or the producer's part of it, has not
        /// that many left.
        func take(_ bytes: Int) -> Bool {
            guard bytes > 0 else { return true }
            // The producer cannot change while bytes are held (assign comes first), so reading it apart
            // from the take is safe.
            let producer = held.withLock { $0.producer }
            guard budget.take(bytes, for: producer) else {
                wasRefused.store(true, ordering: .relaxed)
                return false
            }
            held.withLock { $0.bytes += bytes }
            return true
        }

        var bytes: Int { held.withLock { $0.bytes } }

        /// Whether a `take` found too little left.
        var refused: Bool { wasRefused.load(ordering: .relaxed) }

        /// Gives back everything taken; later calls give nothing.
        func release() {
            let (bytes, producer) = held.withLock { held in
                defer { held.bytes = 0 }
                return (held.bytes, held.producer)
            }
            budget.give(bytes, for: producer)
        }

        deinit { release() }
    }
}
