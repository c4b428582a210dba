import Columnstore
import Metrics
import Prometheus

/// The ingest metrics (Prometheus names, help texts in `MetricCatalog`). Fact counters carry the fact
/// type, whose cardinality the annotations bound; tenant labels are off by default
/// (`PROJECTION_METRICS_TENANT_LABELS=true` adds them to the consumed counter, bounded by `TenantLabelSet`).
struct IngestMetrics: Sendable {
    let projection: String
    /// The tenants labelled on their own; nil: no tenant label.
    var tenants: TenantLabelSet?
    var tenantLabels: Bool { tenants != nil }
    /// Set in replica mode, where one process runs several partitions: gauges are per partition.
    var partition: Int?

    private var gaugeDimensions: [(String, String)] {
        partition.map { [("projection", projection), ("partition", String($0))] } ?? [("projection", projection)]
    }

    /// The projection's bound fact types: only these name a series. Types come from producers, so any
    /// other type shares the label `other` (3,000 random types made 3,001 series).
    var boundTypes: Set<String> = []

    func typeLabel(_ factType: String) -> String {
        if factType.isEmpty { return "unknown" }
        return boundTypes.contains(factType) ? factType : "other"
    }

    /// The metrics factory, with buckets for the ranges these histograms see: a commit takes from under
    /// a millisecond to minutes (retries within the 60 s store timeout), a batch 1 to 5,000+ facts. The
    /// library's defaults (5 ms–10 s, 5–10,000) put every slow commit in +Inf and every small batch in one bucket.
    static func factory(registry: PrometheusCollectorRegistry) -> CatalogMetricsFactory {
        var factory = CatalogMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["projection_batch_commit_seconds"] = [
            .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5),
            .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        ]
        factory.valueHistogramBuckets["projection_batch_size"] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000]
        return factory
    }

    /// The reasons `skipped(_:_:)` is called with (documented in OPERATIONS.md).
    static let skipReasons = ["duplicate_key", "already_applied", "unconsumed_type", "other_tenant"]

    /// Creates every counter series known in advance at 0, so the first quarantine, store error or
    /// NATS error after a start is an increase (`increase()` needs a sample before it; Prometheus:
    /// "avoid missing metrics").
    func exportZeroes(steps: [BatchStep]) {
        Counter(label: "projection_facts_applied_total", dimensions: [("projection", projection)]).increment(by: 0)
        for reason in Self.skipReasons { skipped(reason, 0) }
        for type in boundTypes.sorted() + ["other", "unknown"] {
            Counter(label: "projection_facts_quarantined_total", dimensions: [("projection", projection), ("type", type)]).increment(by: 0)
        }
        redelivered(0)
        for step in steps {
            Counter(label: "projection_store_errors_total", dimensions: [("projection", projection), ("step", step.rawValue)]).increment(by: 0)
        }
        Counter(label: "projection_delivery_holes_total", dimensions: [("projection", projection)]).increment(by: 0)
        Counter(label: "projection_nats_errors_total", dimensions: [("projection", projection)]).increment(by: 0)
    }

    func consumed(_ factType: String, tenant: String, count: Int = 1) {
        var dimensions = [("projection", projection), ("type", factType)]
        if let tenants { dimensions.append(("tenant", tenants.label(tenant))) }
        Counter(label: "projection_facts_consumed_total", dimensions: dimensions).increment(by: count)
    }
    func applied(_ count: Int) {
        Counter(label: "projection_facts_applied_total", dimensions: [("projection", projection)]).increment(by: count)
    }
    func skipped(_ reason: String, _ count: Int) {
        Counter(label: "projection_facts_skipped_total", dimensions: [("projection", projection), ("reason", reason)]).increment(by: count)
    }
    func quarantined(_ factType: String) {
        Counter(label: "projection_facts_quarantined_total", dimensions: [("projection", projection), ("type", factType)]).increment()
    }
    func redelivered(_ count: Int) {
        Counter(label: "projection_redeliveries_total", dimensions: [("projection", projection)]).increment(by: count)
    }
    func storeError(_ step: String) {
        Counter(label: "projection_store_errors_total", dimensions: [("projection", projection), ("step", step)]).increment()
    }
    /// A batch skipped a message the stream holds (a lost delivery) and was held back.
    func holeFound() {
        Counter(label: "projection_delivery_holes_total", dimensions: [("projection", projection)]).increment()
    }
    func natsError() {
        Counter(label: "projection_nats_errors_total", dimensions: [("projection", projection)]).increment()
    }
    func batch(size: Int, commitSeconds: Double) {
        Recorder(label: "projection_batch_size", dimensions: [("projection", projection)], aggregate: true).record(size)
        Timer(label: "projection_batch_commit_seconds", dimensions: [("projection", projection)]).recordNanoseconds(Int64(commitSeconds * 1e9))
    }
    func lag(_ value: UInt64) {
        Gauge(label: "projection_lag", dimensions: gaugeDimensions).record(Double(value))
    }
    /// 1 while the stream's bounds contradict the checkpoint (`StreamBounds.problem(checkpoint:)`), else 0.
    func streamProblem(_ present: Bool) {
        Gauge(label: "projection_stream_problem", dimensions: gaugeDimensions).record(present ? 1 : 0)
    }
    /// Unregisters a partition's gauges (this and `FreshnessWatch`'s), once it no longer runs here.
    static func removePartitionGauges(projection: String, partition: Int) {
        let dimensions = [("projection", projection), ("partition", String(partition))]
        for label in ["projection_lag", "projection_stream_problem", "projection_checkpoint", "projection_lag_seconds", "projection_stalled"] {
            Gauge(label: label, dimensions: dimensions).destroy()
        }
    }

    func checkpoint(_ value: UInt64) {
        Gauge(label: "projection_checkpoint", dimensions: gaugeDimensions).record(Double(value))
    }
}
