import Metrics

/// The ingress's Prometheus series (on `/metrics`): requests by answer, events stored and duplicates.
struct IngressMetrics: Sendable {
    let projection: String

    /// `outcome`: `ok`, `accepted` (stored, not visible within `?wait=`) or an `IngressError.Code`.
    func request(_ outcome: String) {
        Counter(label: "projection_ingress_requests_total", dimensions: [("projection", projection), ("outcome", outcome)]).increment()
    }

    func stored(events: Int, duplicates: Int) {
        Counter(label: "projection_ingress_events_total", dimensions: [("projection", projection)]).increment(by: events)
        if duplicates > 0 {
            Counter(label: "projection_ingress_duplicates_total", dimensions: [("projection", projection)]).increment(by: duplicates)
        }
    }
}
