import Foundation

/// Runs work under a client's deadline (`Connect-Timeout-Ms`). The store executors stop a query
/// at the server's own timeout but do not observe task cancellation, so the work runs in its own
/// task: the caller gets `deadline_exceeded` when the deadline passes, while the work (and the
/// concurrency slot it holds) ends when the store lets go, never later than the server's timeout.
enum ClientDeadline {
    /// `timeout` is what remains of the deadline; `reported` the client's value, for the message.
    static func run<T: Sendable>(
        within timeout: Duration, reported: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // The work always starts (it releases what it holds when it ends), even past the deadline.
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { race.finish(.failure(exceeded(reported))) }
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                timer.cancel()
                race.finish(result)
            }
        }
    }

    static func exceeded(_ timeout: Duration) -> ConnectError {
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        return ConnectError(.deadlineExceeded, "the client's deadline (Connect-Timeout-Ms: \(ms)) passed")
    }

    /// The first result resumes the continuation; later ones are dropped.
    private final class Race<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            lock.withLock { self.continuation = continuation }
        }

        func finish(_ result: Result<T, any Error>) {
            let continuation = lock.withLock { () -> CheckedContinuation<T, any Error>? in
                defer { self.continuation = nil }
                return self.continuation
            }
            continuation?.resume(with: result)
        }
    }
}
