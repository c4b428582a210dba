import Foundation

/// The single resumption of a caller racing a statement against its deadline: whichever of the
/// two finishes first resumes the continuation, the other is ignored.
final class DeadlineOutcome<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: UncheckedBox<Result<T, any Error>>?

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: UncheckedBox<Result<T, any Error>>? = lock.withLock {
            if let pending { return pending }
            self.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early.value) }
    }

    /// Resumes the caller with `result` unless it was resumed already; true when this call did.
    @discardableResult
    func resume(_ result: UncheckedBox<Result<T, any Error>>) -> Bool {
        let waiting: CheckedContinuation<T, any Error>?? = lock.withLock {
            if let continuation {
                self.continuation = nil
                pending = result  // marks it done
                return .some(continuation)
            }
            if pending != nil { return .none }
            pending = result
            return .some(nil)
        }
        switch waiting {
        case .none: return false
        case .some(let continuation?): continuation.resume(with: result.value); return true
        case .some(nil): return true
        }
    }
}
