import Foundation

/// A fixed number of curl handles shared by concurrent callers; callers beyond the pool size
/// wait (without blocking a thread) until a handle is returned. Handles are created lazily.
final class CurlHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private let size: Int
    private var created = 0
    private var idle: [CurlHandle] = []
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<CurlHandle, Error>)] = []
    private var nextWaiterID: UInt64 = 0

    init(size: Int) {
        self.size = max(1, size)
    }

    /// Number of handles created so far (never more than the pool size).
    var createdCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return created
    }

    private enum Reservation {
        case idle(CurlHandle)
        case create(index: Int)
        case wait(id: UInt64)
    }

    /// Synchronous so the lock is never held across a suspension point.
    private func reserve() -> Reservation {
        lock.lock()
        defer { lock.unlock() }
        if let handle = idle.popLast() { return .idle(handle) }
        if created < size {
            created += 1
            return .create(index: created)
        }
        nextWaiterID += 1
        return .wait(id: nextWaiterID)
    }

    private func creationFailed() {
        lock.lock()
        created -= 1
        lock.unlock()
    }

    /// A free handle; throws `ClickHouseError.cancelled` if the task is cancelled while waiting.
    func acquire() async throws -> CurlHandle {
        let id: UInt64
        switch reserve() {
        case .idle(let handle):
            return handle
        case .create(let index):
            do {
                return try CurlHandle(index: index)
            } catch {
                creationFailed()
                throw error
            }
        case .wait(let waiterID):
            id = waiterID
        }

        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.lock()
                // Re-check: a handle may have come back, or the task been cancelled, meanwhile.
                if let handle = idle.popLast() {
                    lock.unlock()
                    continuation.resume(returning: handle)
                } else if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: Self.cancelledError)
                } else {
                    waiters.append((id, continuation))
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let index = waiters.firstIndex { $0.id == id }
            let waiter = index.map { waiters.remove(at: $0) }
            lock.unlock()
            waiter?.continuation.resume(throwing: Self.cancelledError)
        }
    }

    /// Returns a handle: straight to the longest waiter, or back to the idle list.
    func release(_ handle: CurlHandle) {
        lock.lock()
        if waiters.isEmpty {
            idle.append(handle)
            lock.unlock()
        } else {
            let waiter = waiters.removeFirst()
            lock.unlock()
            waiter.continuation.resume(returning: handle)
        }
    }

    private static var cancelledError: ClickHouseError {
        ClickHouseError(code: .cancelled, message: "cancelled while waiting for a connection")
    }
}
