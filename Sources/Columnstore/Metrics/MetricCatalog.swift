/// Every metric projection-ingest and projection-query export, with its help text (Prometheus: every
/// metric family gets `# HELP`). swift-metrics passes no help, so the ingest's metrics factory looks the
/// text up here by name; the query API registers its few metrics with it directly. A test keeps
/// docs/OPERATIONS.md's metrics table and this list the same.
public enum MetricCatalog {
    public static let all: [MetricDeclaration] = [
        // Ingest: the consumer.
        .init("projection_facts_consumed_total", .counter, "Facts decoded from the stream, by fact type (a bound type, else other), counted once per fetch."),
        .init("projection_facts_applied_total", .counter, "Facts whose rows were written to the store."),
        .init("projection_facts_skipped_total", .counter, "Facts acknowledged without rows, by reason."),
        .init("projection_facts_quarantined_total", .counter, "Facts that could not be applied and were written to the quarantine, by fact type."),
        .init("projection_redeliveries_total", .counter, "Deliveries the server sent more than once."),
        .init("projection_delivery_holes_total", .counter, "Batches held back because a delivery was lost."),
        .init("projection_store_errors_total", .counter, "Failed store steps, by step (each is retried, never acknowledged)."),
        .init("projection_nats_errors_total", .counter, "Failed fetches, consumer binds and gap checks."),
        .init("projection_batch_size", .histogram, "Facts per committed batch."),
        .init("projection_batch_commit_seconds", .histogram, "Time from a batch's first store step to its last, retries included."),
        .init("projection_checkpoint", .gauge, "The committed stream sequence."),
        .init("projection_lag", .gauge, "The stream's last sequence minus the checkpoint."),
        .init("projection_lag_seconds", .gauge, "Age of the oldest fact not yet applied (its stream time); 0 when caught up."),
        .init("projection_stalled", .gauge, "1 while facts are pending and the checkpoint has not moved for PROJECTION_STALL_AFTER_MS, else 0."),
        .init("projection_stream_problem", .gauge, "1 while the stream's bounds contradict the checkpoint (the stream was re-created), else 0."),
        // Ingest: the HTTP push ingress.
        .init("projection_ingress_requests_total", .counter, "POST /events requests, by outcome."),
        .init("projection_ingress_events_total", .counter, "Events the ingress stored in the stream."),
        .init("projection_ingress_duplicates_total", .counter, "Events the stream's duplicate window already held (a producer's retry)."),
        .init("projection_ingress_waits_total", .counter, "How ?wait= requests ended, by outcome."),
        .init("projection_ingress_waiters", .gauge, "Requests waiting in a ?wait= now."),
        .init("projection_ingress_inflight_bytes", .gauge, "Request body bytes the ingress holds now."),
        .init("projection_ingress_over_budget_total", .counter, "Requests refused with 503 for want of in-flight byte budget."),
        // Both services.
        .init("projection_build_info", .gauge, "Always 1; the labels name the build and schema this process runs."),
        // Query API.
        .init("projection_query_requests_total", .counter, "Query API requests, by RPC and Connect code."),
        .init("projection_query_request_duration_seconds", .histogram, "Query API request latency, by RPC."),
    ]

    private static let byName: [String: MetricDeclaration] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The declaration of `name`, or nil for a metric not declared here.
    public static func declaration(_ name: String) -> MetricDeclaration? { byName[name] }

    /// The help text of `name`; "" (no `# HELP` line) for a metric not declared here.
    public static func help(_ name: String) -> String { byName[name]?.help ?? "" }
}
