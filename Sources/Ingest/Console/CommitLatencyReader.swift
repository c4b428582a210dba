import Prometheus

/// Reads the running totals of `projection_batch_commit_seconds` (count and sum) from the Prometheus
/// registry, so the console's history needs nothing from the pipeline beyond the metric it records.
struct CommitLatencyReader: Sendable {
    let registry: PrometheusCollectorRegistry

    struct Totals: Sendable, Equatable {
        var count: UInt64 = 0
        var sum: Double = 0
    }

    func totals() -> Totals {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Self.parse(String(decoding: buffer, as: UTF8.self))
    }

    /// Sums `projection_batch_commit_seconds_count` and `_sum` over their label sets (one per projection
    /// in practice) from the Prometheus text format.
    static func parse(_ text: String) -> Totals {
        var totals = Totals()
        for line in text.split(separator: "\n") where line.hasPrefix("projection_batch_commit_seconds_") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[parts.count - 1]) else { continue }
            let name = parts[0].prefix { $0 != "{" }
            if name == "projection_batch_commit_seconds_count" { totals.count += UInt64(max(0, value)) }
            if name == "projection_batch_commit_seconds_sum" { totals.sum += value }
        }
        return totals
    }
}
