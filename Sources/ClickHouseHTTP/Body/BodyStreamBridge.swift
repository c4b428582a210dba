import Foundation

/// Hands chunks from an async producer (cooperative pool) to curl's read callback, which runs
/// on a handle's own thread and may block there. The producer never blocks: it suspends until
/// the consumer has taken a chunk, so at most `capacity` chunks are buffered.
final class BodyStreamBridge: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var chunks: [[UInt8]] = []
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    private var waitingProducer: CheckedContinuation<Bool, Never>?

    init(capacity: Int = 4) {
        self.capacity = max(1, capacity)
    }

    /// Runs `body`, which feeds chunks through `consume` (false means stop), then marks the end.
    func produce(_ body: (@Sendable ([UInt8]) async -> Bool) async throws -> Void) async {
        do {
            try await body { chunk in await self.push(chunk) }
            finish(nil)
        } catch {
            finish(error)
        }
    }

    /// Queues a chunk; suspends while the buffer is full. Returns false once the transfer is over.
    func push(_ chunk: [UInt8]) async -> Bool {
        if chunk.isEmpty { return !isCancelled }
        return await withCheckedContinuation { continuation in
            condition.lock()
            if cancelled {
                condition.unlock()
                continuation.resume(returning: false)
                return
            }
            chunks.append(chunk)
            condition.signal()
            if chunks.count < capacity {
                condition.unlock()
                continuation.resume(returning: true)
            } else {
                waitingProducer = continuation
                condition.unlock()
            }
        }
    }

    /// Ends the stream; a non-nil error fails the insert with it.
    func finish(_ error: Error?) {
        condition.lock()
        if !finished {
            finished = true
            failure = error
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the exchange from either side; a waiting producer is released with `false`.
    func cancel() {
        condition.lock()
        cancelled = true
        let producer = waitingProducer
        waitingProducer = nil
        condition.broadcast()
        condition.unlock()
        producer?.resume(returning: false)
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Blocking: the next chunk, or nil at the end. Only call from a curl handle's thread.
    func next(deadline: Date) throws -> [UInt8]? {
        condition.lock()
        while chunks.isEmpty && !finished && !cancelled {
            if !condition.wait(until: deadline) && chunks.isEmpty && !finished && !cancelled {
                condition.unlock()
                throw ClickHouseError(code: .timeout, message: "request timed out waiting for the insert body")
            }
        }
        if cancelled {
            condition.unlock()
            throw ClickHouseError(code: .cancelled, message: "request cancelled")
        }
        if !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            let producer = waitingProducer
            waitingProducer = nil
            condition.unlock()
            producer?.resume(returning: true)
            return chunk
        }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
        return nil
    }
}
