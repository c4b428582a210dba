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
}
