import Metrics
import Synchronization

/// The ingress's Prometheus series (on `/metrics`): requests by answer, events stored and duplicates,
/// `?wait=` waiters now and how their waits ended, refusals for want of in-flight budget.
struct IngressMetrics: Sendable {
    let projection: String
    // Made once: looking a counter up by label and dimensions on every request showed in a single event's profile.
    private let ok: Counter
    private let events: Counter
    private let duplicates: Counter
    private let waitersNow: Gauge
    private let inflightBytes: Gauge

    init(projection: String) {
        self.projection = projection
        ok = Counter(label: "projection_ingress_requests_total", dimensions: [("projection", projection), ("outcome", "ok")])
        events = Counter(label: "projection_ingress_events_total", dimensions: [("projection", projection)])
        duplicates = Counter(label: "projection_ingress_duplicates_total", dimensions: [("projection", projection)])
        waitersNow = Gauge(label: "projection_ingress_waiters", dimensions: [("projection", projection)])
        inflightBytes = Gauge(label: "projection_ingress_inflight_bytes", dimensions: [("projection", projection)])
        // Every series known in advance starts at 0, so the first refusal is an increase
        // (Prometheus: "avoid missing metrics").
        for outcome in ["accepted"] + IngressError.Code.all.map(\.description) {
            Counter(label: "projection_ingress_requests_total", dimensions: [("projection", projection), ("outcome", outcome)]).increment(by: 0)
        }
        for outcome in ["visible", "timeout", "client_gone", "over_capacity"] {
            Counter(label: "projection_ingress_waits_total", dimensions: [("projection", projection), ("outcome", outcome)]).increment(by: 0)
        }
        Counter(label: "projection_ingress_over_budget_total", dimensions: [("projection", projection)]).increment(by: 0)
    }

    /// `outcome`: `ok`, `accepted` (stored, not visible within `?wait=`) or an `IngressError.Code`.
    func request(_ outcome: String) {
        if outcome == "ok" { return ok.increment() }
        Counter(label: "projection_ingress_requests_total", dimensions: [("projection", projection), ("outcome", outcome)]).increment()
    }

    func stored(events: Int, duplicates: Int) {
        self.events.increment(by: events)
        if duplicates > 0 { self.duplicates.increment(by: duplicates) }
    }

    /// Requests in a `?wait=` now.
    func waiters(_ count: Int) {
        waitersNow.record(count)
    }

    /// How a `?wait=` ended: `visible`, `timeout`, `client_gone` (the client closed; the wait stopped) or
    /// `over_capacity` (every waiter place taken: answered 202 at once).
    func waitEnded(_ outcome: String) {
        Counter(label: "projection_ingress_waits_total", dimensions: [("projection", projection), ("outcome", outcome)]).increment()
    }

    /// Body bytes held by requests now (`PROJECTION_INGRESS_MAX_INFLIGHT_BYTES` at most).
    func inflight(_ bytes: Int) {
        inflightBytes.record(bytes)
    }

    /// A request refused (503) because the in-flight byte budget had too little left.
    func overBudget() {
        Counter(label: "projection_ingress_over_budget_total", dimensions: [("projection", projection)]).increment()
    }
}
