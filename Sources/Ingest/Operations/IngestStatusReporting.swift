import Foundation

/// What `/readyz` and `/admin/ingestion` show: one pipeline's status, or a replica's partitions.
protocol IngestStatusReporting: Sendable {
    var isReady: Bool { get }
    /// Why not ready, for the `/readyz` body.
    var readinessDetail: String { get }
    /// The `/admin/ingestion` document.
    func ingestionJSON() throws -> Data
    /// Each consumer's status judged for freshness now (a replica: one per partition it runs).
    func freshnessSnapshots() -> [(partition: Int?, snapshot: IngestStatus.Snapshot)]
}
