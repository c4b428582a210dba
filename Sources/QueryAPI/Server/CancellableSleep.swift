import Columnstore
import Dispatch
import Foundation

/// A sleep whose timer goes away when the sleeping task is cancelled. `Task.sleep` on Linux leaves
/// its dispatch timer armed until the time it would have ended, so every request whose body read
/// finished early (all of them) woke the timer thread and a worker once more, seconds later.
enum CancellableSleep {
    /// Returns after `duration`; throws `CancellationError` as soon as the task is cancelled.
    static func sleep(for duration: Duration) async throws {
        let state = State()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.start(continuation, after: duration)
            }
        } onCancel: {
            state.finish(.failure(CancellationError()))
        }
    }

    /// The continuation and its timer: whichever of the timer and cancellation comes first resumes it.
    private final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Void, any Error>?
        private var timer: (any DispatchSourceTimer)?
        private var done = false

        func start(_ continuation: CheckedContinuation<Void, any Error>, after duration: Duration) {
            let early = lock.withLock { () -> Bool in
                if done { return true }
                self.continuation = continuation
                let timer = DispatchSource.makeTimerSource(queue: .global())
                timer.schedule(deadline: .now() + .nanoseconds(Int(max(0, duration.wholeNanoseconds))))
                timer.setEventHandler { [self] in finish(.success(())) }
                self.timer = timer
                timer.activate()
                return false
            }
            if early { continuation.resume(throwing: CancellationError()) }
        }

        func finish(_ result: Result<Void, any Error>) {
            let (waiting, timer) = lock.withLock { () -> (CheckedContinuation<Void, any Error>?, (any DispatchSourceTimer)?) in
                done = true
                defer { continuation = nil; self.timer = nil }
                return (continuation, self.timer)
            }
            timer?.cancel()
            waiting?.resume(with: result)
        }
    }
}
