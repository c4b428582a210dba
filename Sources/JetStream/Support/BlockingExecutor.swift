import Dispatch

/// A serial queue for blocking libnats calls, so they never run on Swift's cooperative
/// thread pool. Each connection, JetStream context and subscription owns its own.
final class BlockingExecutor: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue and suspends the caller until it finishes.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Runs `body` on the queue without waiting for it (used by deinit-time cleanup).
    func detached(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }
}
