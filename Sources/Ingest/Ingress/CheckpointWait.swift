import Synchronization

/// Read-your-writes: waits until the ingest's checkpoint (read through its status, as `/admin/ingestion`
/// shows it) has reached a stream sequence, polling; the pipeline is not involved.
struct CheckpointWait: Sendable {
    let status: any IngestStatusReporting
    var pollInterval: Duration = .milliseconds(10)

    /// Whether the checkpoint reached `sequence` before `timeout` passed (false at once when cancelled).
    func until(_ sequence: UInt64, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let snapshots = status.freshnessSnapshots()
            if !snapshots.isEmpty, snapshots.allSatisfy({ $0.snapshot.checkpoint >= sequence }) { return true }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: pollInterval)
        }
    }
}

/// The requests in a `?wait=` now, at most `PROJECTION_INGRESS_MAX_WAITERS` (each polls the checkpoint
/// every 10 ms for up to `PROJECTION_INGRESS_MAX_WAIT_MS`); `/metrics` shows the count.
final class IngressWaiters: Sendable {
    let capacity: Int
    private let count = Mutex<Int>(0)
    private let metrics: IngressMetrics

    init(capacity: Int, metrics: IngressMetrics) {
        self.capacity = capacity
        self.metrics = metrics
        metrics.waiters(0)
    }

    var current: Int { count.withLock { $0 } }

    /// Takes a place, or none (false) when every place is taken; a taken place is given back with `leave`.
    func enter() -> Bool {
        let now: Int? = count.withLock { count in
            guard count < capacity else { return nil }
            count += 1
            return count
        }
        guard let now else { return false }
        metrics.waiters(now)
        return true
    }

    func leave() {
        metrics.waiters(count.withLock { count in
            count -= 1
            return count
        })
    }
}
