/// Read-your-writes: waits until the ingest's checkpoint (read through its status, as `/admin/ingestion`
/// shows it) has reached a stream sequence, polling; the pipeline is not involved.
struct CheckpointWait: Sendable {
    let status: any IngestStatusReporting
    var pollInterval: Duration = .milliseconds(10)

    /// Whether the checkpoint reached `sequence` before `timeout` passed.
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
