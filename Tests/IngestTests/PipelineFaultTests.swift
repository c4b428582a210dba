import Columnstore
import Foundation
@testable import Ingest
import IngestTestKit
import Logging
import Synchronization
import Testing

/// The pipeline's bookkeeping without servers: the real `IngestPipeline` and state machine over the
/// in-memory source and store, through lost, late, duplicated and redelivered deliveries, failed
/// fetches, failing, refusing and crashing store steps. The verdict is always the end state: every
/// fact applied exactly once, every poison fact quarantined, the checkpoint at the stream's end.
@Suite("Ingest pipeline over in-memory fakes")
struct PipelineFaultTests {
    static let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34]

    static func expectExactlyOnce<G>(_ store: InMemoryStore<G>, _ stream: OrderStream, consumer: ConsumerID, quarantined: Set<UInt64>? = nil) {
        let applied = store.applied
        #expect(applied.count == Set(applied).count, "a fact was applied twice")
        #expect(Set(applied) == stream.expectedApplied.subtracting(quarantined ?? []), "applied facts differ from the model")
        #expect(store.quarantinedSequences == stream.expectedQuarantined.union(quarantined ?? []))
        #expect(store.committed(consumer) == stream.last)
    }

    @Test("lost, duplicated and redelivered deliveries and failed fetches: exactly once (ExactlyOnce)", arguments: seeds)
    func deliveryFaultsExactlyOnce(seed: UInt64) async throws {
        try await deliveryFaults(ExactlyOnce.self, seed: seed)
    }

    @Test("lost, duplicated and redelivered deliveries and failed fetches: exactly once (EffectivelyOnce)", arguments: seeds)
    func deliveryFaultsEffectivelyOnce(seed: UInt64) async throws {
        try await deliveryFaults(EffectivelyOnce.self, seed: seed)
    }

    func deliveryFaults<G: DeliveryGuarantee>(_: G.Type, seed: UInt64) async throws {
        let source = InMemoryMessageSource(faults: SourceFaults(lose: 0.04, duplicate: 0.05, failFetch: 0.03, expireAckWait: 0.04, seed: seed))
        let stream = OrderStream(orders: 120, into: source)
        let store = InMemoryStore<G>()
        let runner = PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: source, store: store)
        _ = try await runner.runUntilApplied(through: stream.last)
        let statistics = source.statistics
        // The faults did happen (else this test proves nothing).
        // Per delivery (at least one per message), so this does not depend on how fetches fell.
        #expect(statistics.lost + statistics.duplicated > 0, "\(statistics)")
        Self.expectExactlyOnce(store, stream, consumer: runner.configuration.consumer)
        // A lost delivery re-creates the consumer right after a fetch returned, while the next fetch may
        // already be under way: the pipeline ends that fetch first.
        #expect(statistics.consumersCreated > 1 && statistics.consumedDuringFetch == 0, "\(statistics)")
        // Only poison is terminated (a good fact terminated would never come again). Terminating is best
        // effort: a term sent on a re-created consumer's old delivery is lost, and its redelivery is
        // recognised as applied.
        #expect(statistics.terminated.isSubset(of: stream.expectedQuarantined))
    }

    @Test("a consumer that goes quiet while facts wait is re-created from the checkpoint")
    func quietConsumer() async throws {
        try await quiet(ExactlyOnce.self)
        try await quiet(EffectivelyOnce.self)
    }

    func quiet<G: DeliveryGuarantee>(_: G.Type) async throws {
        // The first two consumers never deliver and never fail (a cluster's consumer after a leadership
        // change): without the watch, the pipeline would wait on empty fetches forever.
        let source = InMemoryMessageSource(faults: SourceFaults(silentBindings: 2))
        let stream = OrderStream(orders: 40, into: source)
        let store = InMemoryStore<G>()
        var configuration = try PipelineRunner<G>.configuration()
        configuration.stalledConsumerAfter = .milliseconds(20)
        let runner = PipelineRunner(configuration: configuration, source: source, store: store)
        _ = try await runner.runUntilApplied(through: stream.last)
        #expect(source.statistics.consumersCreated >= 3, "\(source.statistics)")
        Self.expectExactlyOnce(store, stream, consumer: runner.configuration.consumer)
    }

    @Test("a pending batch whose last messages were deleted before the restart is applied without them, with no newer facts")
    func pendingTailDeleted() async throws {
        let source = InMemoryMessageSource()
        let stream = OrderStream(orders: 12, into: source)
        // The intent (the pending range) is recorded, then the process dies before writing rows.
        let died = OnceFlag()
        let store = InMemoryStore<EffectivelyOnce>(decide: { step, _, _ in step == .insertRows && died.fire() ? .crash(afterEffect: false) : .proceed })
        let configuration = try PipelineRunner<EffectivelyOnce>.configuration(maxFacts: 100, fetchBatch: 100)
        let runner = PipelineRunner(configuration: configuration, source: source, store: store)
        let first = runner.makePipeline()
        let task = Task { try await first.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while !store.crashed, clock.now < deadline { try await clock.sleep(for: .milliseconds(2)) }
        task.cancel()
        _ = try? await task.value
        try #require(store.crashed)
        store.recover()
        let pending = try #require(try await store.loadCheckpoint(configuration.consumer).pending)
        #expect(pending.last == stream.last)
        // Retention took the range's last two messages meanwhile; nothing newer is published.
        source.delete([pending.last - 1, pending.last])
        let crashes = try await runner.runUntilApplied(through: pending.last)
        #expect(crashes == 0)
        #expect(store.committed(configuration.consumer) == pending.last)
        #expect(Set(store.applied) == stream.expectedApplied.subtracting([pending.last - 1, pending.last]))
    }

    @Test("a crash before or after every store step: exactly once after restarts", arguments: [false, true])
    func everyCrashPoint(afterEffect: Bool) async throws {
        for guarantee in [ExactlyOnce.self, EffectivelyOnce.self] as [any DeliveryGuarantee.Type] {
            try await crashes(guarantee, afterEffect: afterEffect)
        }
    }

    func crashes(_ guarantee: any DeliveryGuarantee.Type, afterEffect: Bool) async throws {
        func run<G: DeliveryGuarantee>(_: G.Type) async throws {
            // How many steps a clean run takes: each of them is a crash point.
            let clean = InMemoryMessageSource()
            let cleanStream = OrderStream(orders: 30, into: clean)
            let cleanStore = InMemoryStore<G>()
            _ = try await PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: clean, store: cleanStore).runUntilApplied(through: cleanStream.last)
            let points = cleanStore.stepsRun
            #expect(points >= 5 * G.steps.count)
            for point in 1...points {
                let source = InMemoryMessageSource()
                let stream = OrderStream(orders: 30, into: source)
                let store = InMemoryStore<G>(decide: { _, _, index in index == point ? .crash(afterEffect: afterEffect) : .proceed })
                let runner = PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: source, store: store)
                let crashes = try await runner.runUntilApplied(through: stream.last)
                // Batches are cut by linger too, so a run may take fewer steps than the clean one did.
                #expect(crashes == 1 || store.stepsRun < point, "crash point \(point)")
                Self.expectExactlyOnce(store, stream, consumer: runner.configuration.consumer)
            }
        }
        if guarantee == ExactlyOnce.self { try await run(ExactlyOnce.self) } else { try await run(EffectivelyOnce.self) }
    }

    @Test("failed steps, and steps whose reply was lost after their effect, are retried idempotently", arguments: seeds.prefix(4))
    func failingSteps(seed: UInt64) async throws {
        try await failing(ExactlyOnce.self, seed: seed)
        try await failing(EffectivelyOnce.self, seed: seed)
    }

    func failing<G: DeliveryGuarantee>(_: G.Type, seed: UInt64) async throws {
        let source = InMemoryMessageSource()
        let stream = OrderStream(orders: 60, into: source)
        let store = InMemoryStore<G>(decide: { _, _, index in
            // Deterministic per seed: about one step in four fails, half of those after their effect.
            switch (UInt64(index) &* 0x9E37_79B9 &+ seed) % 8 {
            case 0: .fail
            case 1: .failAfterEffect
            default: .proceed
            }
        })
        let runner = PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: source, store: store)
        #expect(try await runner.runUntilApplied(through: stream.last) == 0)
        Self.expectExactlyOnce(store, stream, consumer: runner.configuration.consumer)
    }

    @Test("facts the store refuses are isolated and quarantined; the stream goes on")
    func refusedFacts() async throws {
        try await refused(ExactlyOnce.self)
        try await refused(EffectivelyOnce.self)
    }

    func refused<G: DeliveryGuarantee>(_: G.Type) async throws {
        let source = InMemoryMessageSource(faults: SourceFaults(duplicate: 0.05, expireAckWait: 0.02, seed: 7))
        let stream = OrderStream(orders: 60, into: source)
        let refusedOrders: Set<String> = ["o-3", "o-17", "o-18", "o-44"]
        let refusedSequences = Set(stream.orderIDs.filter { refusedOrders.contains($0.value) }.keys)
        let store = InMemoryStore<G>(refuse: { fact in
            refusedOrders.contains(fact.idempotencyKey) ? "value out of range for column amount_cents (order \(fact.idempotencyKey))" : nil
        })
        let runner = PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: source, store: store)
        _ = try await runner.runUntilApplied(through: stream.last)
        let applied = Set(store.applied)
        #expect(applied.isDisjoint(with: refusedSequences))
        #expect(applied == stream.expectedApplied.subtracting(refusedSequences))
        // Each refused fact (first publish and producer retries alike) is quarantined with the store's reason.
        #expect(refusedSequences.isSubset(of: store.quarantinedSequences))
        let entries = try await store.quarantined(projection: runner.configuration.consumer.projection, partition: nil, tenant: nil, after: nil, limit: 1_000)
            .filter { refusedSequences.contains($0.sequence) }
        #expect(entries.count == refusedSequences.count && entries.allSatisfy { $0.reason.contains("amount_cents") })
        // Each its own reason, also when one batch holds several (o-17 and o-18 are neighbours): before,
        // every culprit of a batch got the last refusal's text.
        for entry in entries {
            let order = try #require(stream.orderIDs[entry.sequence])
            #expect(entry.reason.contains("(order \(order))"), "\(entry.sequence): \(entry.reason)")
        }
        #expect(store.committed(runner.configuration.consumer) == stream.last)
    }

    @Test("a retry whose backoff outlasts the partition lease is not run (the lease is checked after the backoff)")
    func leaseLapsesDuringBackoff() async throws {
        let source = InMemoryMessageSource()
        _ = OrderStream(orders: 3, into: source)
        // The first step fails; its retry waits 4 s, past the lease (2 s). (On a machine too loaded to run the
        // first step within 2 s, nothing runs at all: the verdict below holds either way.)
        let store = InMemoryStore<ExactlyOnce>(decide: { _, _, index in index == 1 ? .fail : .proceed })
        let configuration = try IngestConfiguration(settings: SettingsSource(values: [
            "PROJECTION_STORE_KIND": "postgres_table", "PROJECTION_STORE_DSN": "postgresql://unused@127.0.0.1/unused",
            "PROJECTION_SUBJECTS": "facts.>", "PROJECTION_BATCH_MAX_FACTS": "6", "PROJECTION_FETCH_BATCH": "4",
            "PROJECTION_BATCH_LINGER_MS": "2", "PROJECTION_RETRY_INITIAL_MS": "4000", "PROJECTION_RETRY_MAX_MS": "4000", "PORT_HTTP": "1",
        ]))
        var logger = Logger(label: "test.lease")
        logger.logLevel = .critical
        let lease = PartitionLease(partition: 0, epoch: 1, validUntil: ContinuousClock.now + .seconds(2))
        let pipeline = IngestPipeline(configuration: configuration, store: store, source: source, schema: .ordersAnalytics,
                                      status: IngestStatus(), logger: logger, lease: lease)
        let task = Task { try await pipeline.runPartition() }
        // Ends by itself once the lease is found lapsed (the guard only stops a hang).
        let clock = ContinuousClock()
        let end = clock.now + .seconds(60)
        while await pipeline.endReason == nil, clock.now < end { try await clock.sleep(for: .milliseconds(20)) }
        task.cancel()
        _ = try? await task.value
        #expect(await pipeline.endReason == .leaseLost)
        // At most the first, failed attempt reached the store: before, the retry ran after the lease lapsed.
        #expect(store.stepsRun <= 1)
        #expect(store.committed(configuration.consumer) == 0)
    }

    @Test("a drain writes and acks what is held; nothing runs after run() returns")
    func drainIsStructured() async throws {
        try await drain(ExactlyOnce.self)
        try await drain(EffectivelyOnce.self)
    }

    func drain<G: DeliveryGuarantee>(_: G.Type) async throws {
        let source = InMemoryMessageSource()
        let stream = OrderStream(orders: 200, into: source)
        // Every step fails twice before it succeeds, so a drain usually meets a batch in flight.
        let store = InMemoryStore<G>(decide: { _, _, index in index % 3 == 0 ? .proceed : .fail })
        let runner = PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: source, store: store)
        let status = IngestStatus()
        let pipeline = runner.makePipeline(status: status)
        let task = Task { try await pipeline.run() }
        let clock = ContinuousClock()
        while store.committed(runner.configuration.consumer) == 0 { try await clock.sleep(for: .milliseconds(1)) }
        pipeline.drain()
        try await task.value
        let committed = store.committed(runner.configuration.consumer)
        let steps = store.stepsRun
        #expect(status.snapshot.draining)
        #expect(committed > 0 && committed <= stream.last)
        // What was committed is acked (ack-all up to the batch's top non-poison fact, poison terminated).
        let settled = source.ackFloor >= committed || (source.ackFloor..<committed).dropFirst().allSatisfy { source.statistics.terminated.contains($0) || !stream.expectedApplied.contains($0) }
        #expect(settled, "ack floor \(source.ackFloor), checkpoint \(committed)")
        // Structured: no fetch or store step outlives run().
        try await clock.sleep(for: .milliseconds(50))
        #expect(store.stepsRun == steps)
        #expect(await pipeline.isIdle)
        // The rest is applied by the next run, exactly once.
        _ = try await runner.runUntilApplied(through: stream.last)
        Self.expectExactlyOnce(store, stream, consumer: runner.configuration.consumer)
    }
}

@Suite("Ingest administration over in-memory fakes")
struct PipelineAdministrationTests {
    @Test("pause answers once idle, nothing is consumed while paused, reload starts over from the store's checkpoint")
    func pauseReloadResume() async throws {
        let source = InMemoryMessageSource()
        let first = OrderStream(orders: 40, into: source)
        let store = InMemoryStore<ExactlyOnce>()
        let runner = PipelineRunner(configuration: try PipelineRunner<ExactlyOnce>.configuration(), source: source, store: store)
        let pipeline = runner.makePipeline()
        let task = Task { try await pipeline.run() }
        let clock = ContinuousClock()
        let consumer = runner.configuration.consumer
        while store.committed(consumer) < first.last { try await clock.sleep(for: .milliseconds(1)) }
        #expect(await pipeline.pause())
        #expect(await pipeline.isIdle)
        let before = store.committed(consumer)
        let more = OrderStream(orders: 10, from: 1_000, into: source)
        // Paused: the loop runs, but fetches nothing (the answer is the state after a while, not a time).
        try await clock.sleep(for: .milliseconds(50))
        #expect(store.committed(consumer) == before)
        // Reload is refused unless paused, and works when paused and idle.
        try await pipeline.reload()
        await pipeline.resume()
        while store.committed(consumer) < more.last { try await clock.sleep(for: .milliseconds(1)) }
        pipeline.drain()
        try await task.value
        #expect(Set(store.applied) == first.expectedApplied.union(more.expectedApplied))
        #expect(store.applied.count == Set(store.applied).count)
        // Nobody waits on a stopped pipeline.
        await #expect(throws: AdminError.self) { try await pipeline.reload() }
    }
}

/// True the first time `fire()` is called, then false (a fault that happens once, from a @Sendable closure).
final class OnceFlag: Sendable {
    private let fired = Atomic<Bool>(false)
    func fire() -> Bool { !fired.exchange(true, ordering: .relaxed) }
}
