import Columnstore
import Foundation
import Prometheus

/// Request counters by method and code, and latency histograms by method, registered directly on
/// a registry (no global bootstrap, so tests can build several servers in one process).
final class QueryMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// The registry's counter and histogram of each (method, code) seen so far: the registry builds
    /// the metric's name and looks it up on every call, which cost more than recording. The labels
    /// are few (RPC names and fixed labels, times the Connect codes), so this stays small.
    private let lock = NSLock()
    private nonisolated(unsafe) var instruments: [InstrumentKey: (Counter, DurationHistogram)] = [:]

    private struct InstrumentKey: Hashable {
        let method: String
        let code: String
    }

    /// Records one finished request. `method` is an RPC name or a fixed label (never raw paths).
    func record(method: String, code: String, duration: Duration) {
        let key = InstrumentKey(method: method, code: code)
        let (counter, histogram) = lock.withLock {
            if let found = instruments[key] { return found }
            let made = (
                registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("code", code)]),
                registry.makeDurationHistogram(descriptor: Self.latency, labels: [("method", method)], buckets: Self.buckets))
            instruments[key] = made
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    static var requests: MetricNameDescriptor { descriptor("projection_query_requests_total") }
    static var latency: MetricNameDescriptor { descriptor("projection_query_request_duration_seconds") }

    /// A metric of `MetricCatalog`, with its help text.
    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: MetricCatalog.help(name))
    }
}
