import Synchronization

/// One request body being read against its deadline: whichever comes first, the body (`finish`) or
/// the deadline (`expire`), answers `outcome()`; the other is ignored.
final class BodyRead: Sendable {
    let deadline: ContinuousClock.Instant

    private enum State {
        case reading(CheckedContinuation<Result<[UInt8], any Error>?, Never>?)
        case done(Result<[UInt8], any Error>?)
    }
    private let state = Mutex<State>(.reading(nil))

    init(deadline: ContinuousClock.Instant) {
        self.deadline = deadline
    }

    /// The body or the error reading it; nil when the deadline came first.
    func outcome() async -> Result<[UInt8], any Error>? {
        await withCheckedContinuation { continuation in
            let done: Result<[UInt8], any Error>?? = state.withLock { state in
                switch state {
                case .reading:
                    state = .reading(continuation)
                    return .none
                case .done(let result):
                    return .some(result)
                }
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    func finish(_ result: Result<[UInt8], any Error>) {
        settle(result)
    }

    func expire() {
        settle(nil)
    }

    private func settle(_ result: Result<[UInt8], any Error>?) {
        let waiting: CheckedContinuation<Result<[UInt8], any Error>?, Never>?? = state.withLock { state in
            guard case .reading(let continuation) = state else { return .none }
            state = .done(result)
            return .some(continuation)
        }
        if case .some(.some(let continuation)) = waiting { continuation.resume(returning: result) }
    }
}
