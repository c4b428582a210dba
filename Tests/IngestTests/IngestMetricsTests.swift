import Columnstore
import Prometheus
import Testing
@testable import Ingest

/// The ingest's histograms get buckets for the ranges they see (not the library's 5 ms–10 s and 5–10,000).
@Suite("Ingest metrics factory")
struct IngestMetricsTests {
    @Test("commit seconds reach 120 s and start at 1 ms; batch sizes start at 1")
    func buckets() {
        let registry = PrometheusCollectorRegistry()
        let factory = IngestMetrics.factory(registry: registry)
        let timer = factory.makeTimer(label: "projection_batch_commit_seconds", dimensions: [("projection", "p")])
        timer.recordNanoseconds(90_000_000_000)
        let sizes = factory.makeRecorder(label: "projection_batch_size", dimensions: [("projection", "p")], aggregate: true)
        sizes.record(Int64(1))
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        // 90 s: inside the 120 s bucket, not only in +Inf.
        #expect(text.contains(#"projection_batch_commit_seconds_bucket{projection="p",le="120.0"} 1"#), "\(text)")
        #expect(text.contains(#"projection_batch_commit_seconds_bucket{projection="p",le="60.0"} 0"#), "\(text)")
        #expect(text.contains(#"projection_batch_commit_seconds_bucket{projection="p",le="0.001"} 0"#), "\(text)")
        #expect(text.contains(#"projection_batch_size_bucket{projection="p",le="1.0"} 1"#), "\(text)")
    }

    @Test("every family is registered with its MetricCatalog help text")
    func help() {
        let registry = PrometheusCollectorRegistry()
        let factory = IngestMetrics.factory(registry: registry)
        factory.makeCounter(label: "projection_facts_applied_total", dimensions: [("projection", "p")]).increment(by: 2)
        factory.makeRecorder(label: "projection_lag", dimensions: [("projection", "p")], aggregate: false).record(Int64(5))
        factory.makeTimer(label: "projection_batch_commit_seconds", dimensions: [("projection", "p")]).recordNanoseconds(1_000)
        factory.makeRecorder(label: "projection_batch_size", dimensions: [("projection", "p")], aggregate: true).record(Int64(3))
        // The same family again (as every Counter(label:) call does) is the same series, not a help clash.
        factory.makeCounter(label: "projection_facts_applied_total", dimensions: [("projection", "p")]).increment(by: 1)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        for name in ["projection_facts_applied_total", "projection_lag", "projection_batch_commit_seconds", "projection_batch_size"] {
            #expect(text.contains("# HELP \(name) \(MetricCatalog.help(name))\n"), "\(text)")
        }
        #expect(text.contains(#"projection_facts_applied_total{projection="p"} 3"#), "\(text)")
    }
}
