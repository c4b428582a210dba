import Foundation
import ServiceLifecycle

/// Once a second: a sample of the ingest status into the console's history ring (throughput and commit
/// latency are differences between two passes).
struct IngestionHistorySampler: Service {
    let status: any IngestStatusReporting
    let latency: CommitLatencyReader
    let history: IngestionHistory
    var interval: Duration = .seconds(1)

    func run() async throws {
        try? await cancelWhenGracefulShutdown { [self] in
            var previous: (at: Date, applied: UInt64, latency: CommitLatencyReader.Totals)?
            while !Task.isCancelled {
                let now = Date()
                let totals = latency.totals()
                let sample = Self.sample(at: now, snapshots: status.freshnessSnapshots().map(\.snapshot), latency: totals, previous: previous)
                history.append(sample)
                previous = (now, sample.factsApplied, totals)
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Pure: one sample from the partitions' snapshots and the commit-latency totals, against the
    /// pass before (none: no rate yet).
    static func sample(at now: Date, snapshots: [IngestStatus.Snapshot], latency: CommitLatencyReader.Totals,
                       previous: (at: Date, applied: UInt64, latency: CommitLatencyReader.Totals)?) -> IngestionSample {
        let applied = snapshots.reduce(UInt64(0)) { $0 + $1.factsApplied }
        var sample = IngestionSample(
            time: now.timeIntervalSince1970,
            checkpoint: snapshots.reduce(0) { $0 + $1.checkpoint },
            streamLastSequence: snapshots.reduce(0) { $0 + $1.streamLastSequence },
            lag: snapshots.reduce(0) { $0 + $1.lag },
            lagSeconds: snapshots.compactMap(\.lagSeconds).max() ?? 0,
            factsApplied: applied, appliedPerSecond: 0, batches: 0, commitSecondsMean: nil)
        if let previous {
            let elapsed = now.timeIntervalSince(previous.at)
            // A replica losing a partition makes the sum drop: no negative rates.
            if elapsed > 0, applied >= previous.applied { sample.appliedPerSecond = Double(applied - previous.applied) / elapsed }
            if latency.count > previous.latency.count {
                let batches = latency.count - previous.latency.count
                sample.batches = batches
                sample.commitSecondsMean = max(0, latency.sum - previous.latency.sum) / Double(batches)
            }
        }
        return sample
    }
}
