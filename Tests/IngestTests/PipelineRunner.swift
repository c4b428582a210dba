import Columnstore
import Foundation
@testable import Ingest
import IngestTestKit
import Logging

/// Runs `IngestPipeline` over the in-memory source and store until the stream is applied, restarting
/// it whenever the store reports a crash (the process died: its task is cancelled, a new one starts on
/// the same stream and store, as after kill -9).
struct PipelineRunner<Guarantee: DeliveryGuarantee> {
    let configuration: IngestConfiguration
    let source: InMemoryMessageSource
    let store: InMemoryStore<Guarantee>

    /// The drain timeout is a hang guard here, below the tests' own 120 s guards: a drain that gave up on a
    /// busy machine (CI once starved these tasks for over 10 s) would fail checks that a finished drain passes.
    static func configuration(maxFacts: Int = 6, fetchBatch: Int = 4, drainTimeoutMs: Int = 100_000) throws -> IngestConfiguration {
        try IngestConfiguration(settings: SettingsSource(values: [
            "PROJECTION_STORE_KIND": Guarantee.self == ExactlyOnce.self ? "postgres_table" : "clickhouse",
            "PROJECTION_STORE_DSN": "postgresql://unused@127.0.0.1/unused",
            "PROJECTION_SUBJECTS": "facts.>",
            "PROJECTION_BATCH_MAX_FACTS": "\(maxFacts)",
            "PROJECTION_FETCH_BATCH": "\(fetchBatch)",
            "PROJECTION_BATCH_LINGER_MS": "2",
            "PROJECTION_RETRY_INITIAL_MS": "1",
            "PROJECTION_RETRY_MAX_MS": "4",
            "PROJECTION_DRAIN_TIMEOUT_MS": "\(drainTimeoutMs)",
            "PORT_HTTP": "1",
        ]))
    }

    func makePipeline(status: IngestStatus = IngestStatus()) -> IngestPipeline<InMemoryStore<Guarantee>, InMemoryMessageSource> {
        var logger = Logger(label: "test.ingest")
        logger.logLevel = .critical
        return IngestPipeline(configuration: configuration, store: store, source: source, schema: .ordersAnalytics, status: status, logger: logger)
    }

    /// Until the checkpoint reaches `last`; returns how many times the process "crashed". The deadline
    /// only guards against a hang: no verdict depends on how long it took.
    func runUntilApplied(through last: UInt64, deadline: Duration = .seconds(120)) async throws -> Int {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var crashes = 0
        while store.committed(configuration.consumer) < last {
            guard clock.now < end else { throw RunnerError(description: "not applied through \(last) in time: checkpoint \(store.committed(configuration.consumer))") }
            let pipeline = makePipeline()
            let task = Task { try await pipeline.run() }
            while store.committed(configuration.consumer) < last, !store.crashed, clock.now < end {
                try await clock.sleep(for: .milliseconds(2))
            }
            task.cancel()
            _ = try? await task.value
            if store.crashed {
                crashes += 1
                store.recover()
            }
        }
        return crashes
    }
}

struct RunnerError: Error, CustomStringConvertible {
    var description: String
}
