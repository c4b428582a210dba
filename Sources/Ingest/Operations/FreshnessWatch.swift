import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Once a second: the freshness gauges (`projection_lag_seconds`, `projection_stalled`) and a log line
/// when a consumer stalls or recovers. The judgement itself is made when the status is read (see
/// `IngestStatus+Freshness`), so `/readyz` is right even between two of these passes.
struct FreshnessWatch: Service {
    let status: any IngestStatusReporting
    /// The `projection` label every ingest gauge carries.
    let projection: String
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        // Ends at once on SIGTERM (the group shuts services down in reverse order: this one first).
        try? await cancelWhenGracefulShutdown { [self] in
            var stalled: [Int: Bool] = [:]
            var partitions: Set<Int> = []
            while !Task.isCancelled {
                watch(&stalled, &partitions)
                try await Task.sleep(for: interval)
            }
        }
    }

    private func watch(_ stalled: inout [Int: Bool], _ partitions: inout Set<Int>) {
        let snapshots = status.freshnessSnapshots()
        // A partition this replica no longer runs (its lease moved): its series go, rather than stay
        // exported with their last values (a stall alert firing for ever, lag counted twice).
        let running = Set(snapshots.compactMap(\.partition))
        for gone in partitions.subtracting(running) {
            IngestMetrics.removePartitionGauges(projection: projection, partition: gone)
            stalled[gone] = nil
        }
        partitions = running
        for (partition, snapshot) in snapshots {
            let dimensions = partition.map { [("projection", projection), ("partition", String($0))] } ?? [("projection", projection)]
            // Unknown (facts pending, the oldest one's time not read yet) is not 0, which means caught up:
            // the gauge keeps its last value until the age is known again.
            if let lagSeconds = snapshot.lagSeconds {
                Gauge(label: "projection_lag_seconds", dimensions: dimensions).record(lagSeconds)
            }
            Gauge(label: "projection_stalled", dimensions: dimensions).record(snapshot.stalled ? 1 : 0)
            let key = partition ?? -1
            guard snapshot.stalled != stalled[key, default: false] else { continue }
            stalled[key] = snapshot.stalled
            var metadata: Logger.Metadata = ["lag": "\(snapshot.lag)", "checkpoint": "\(snapshot.checkpoint)"]
            if let partition { metadata["partition"] = "\(partition)" }
            if snapshot.stalled {
                metadata["reason"] = "\(snapshot.freshnessProblem ?? "")"
                logger.error("stalled: facts are pending and the checkpoint has not moved; not ready until it does", metadata: metadata)
            } else {
                logger.notice("the checkpoint moves again; the stall is over", metadata: metadata)
            }
        }
    }
}
