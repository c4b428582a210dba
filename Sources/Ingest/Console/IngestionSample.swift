import Foundation

/// One second of the console's history: where ingest stood and what it did since the sample before.
/// In replica mode the numbers are summed over the partitions this replica runs.
struct IngestionSample: Sendable, Codable, Equatable {
    /// Unix time in seconds.
    var time: Double
    var checkpoint: UInt64
    var streamLastSequence: UInt64
    var lag: UInt64
    var lagSeconds: Double
    var factsApplied: UInt64
    /// Facts applied per second since the sample before.
    var appliedPerSecond: Double
    /// Batches committed since the sample before.
    var batches: UInt64
    /// Their mean commit latency (first store step to commit, retries included); nil without a batch.
    var commitSecondsMean: Double?

    enum CodingKeys: String, CodingKey {
        case time, checkpoint, lag, batches
        case streamLastSequence = "stream_last_sequence"
        case lagSeconds = "lag_seconds"
        case factsApplied = "facts_applied"
        case appliedPerSecond = "applied_per_second"
        case commitSecondsMean = "commit_seconds_mean"
    }
}
