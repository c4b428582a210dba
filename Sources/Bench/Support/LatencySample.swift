/// Latencies in milliseconds and their percentiles (nearest-rank).
struct LatencySample {
    private(set) var values: [Double] = []

    mutating func add(_ milliseconds: Double) { values.append(milliseconds) }
    mutating func add(contentsOf other: LatencySample) { values.append(contentsOf: other.values) }

    var count: Int { values.count }

    func percentile(_ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// p50, p90, p99, max and count, for the JSON result.
    var summary: [String: Any] {
        var fields: [String: Any] = ["count": count]
        if let p50 = percentile(50) { fields["p50_ms"] = p50 }
        if let p90 = percentile(90) { fields["p90_ms"] = p90 }
        if let p99 = percentile(99) { fields["p99_ms"] = p99 }
        if let max = values.max() { fields["max_ms"] = max }
        return fields
    }
}
