import Columnstore
import Foundation
@testable import Ingest
import IngestTestKit
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// swift-service-lifecycle's `testGracefulShutdown`, for the ingest: the pipeline runs in a ServiceGroup
/// composed as `projection-ingest` composes it, a shutdown signal arrives while facts are in flight, and
/// every fetched fact ends either applied and acked or unacked (a new consumer delivers it again), never
/// lost or applied twice; `run()` returns. The signal is SIGALRM, as in swift-service-lifecycle's own
/// tests: SIGTERM's default action would end the test runner if it arrived outside the group's trap.
/// The same path with SIGTERM and the real binary: `IngestSigtermTests` (IntegrationTests).
@Suite("Graceful shutdown through the ServiceGroup", .serialized)
struct GracefulShutdownTests {
    @Test("a signal mid-stream drains (ExactlyOnce)")
    func signalDrainsExactlyOnce() async throws {
        try await signalDrains(ExactlyOnce.self)
    }

    @Test("a signal mid-stream drains (EffectivelyOnce)")
    func signalDrainsEffectivelyOnce() async throws {
        try await signalDrains(EffectivelyOnce.self)
    }

    /// Stands in for the HTTP server beside the ingest: it runs until the group shuts down.
    struct Companion: Service {
        func run() async throws {
            try await gracefulShutdown()
        }
    }

    struct Hang: Error, CustomStringConvertible {
        var description: String
    }

    func signalDrains<G: DeliveryGuarantee>(_: G.Type) async throws {
        #expect(IngestCommand.shutdownSignals.contains(.sigterm))
        let source = InMemoryMessageSource()
        let stream = OrderStream(orders: 200, into: source)
        // Two of three store steps fail before one succeeds. Until the signal, only the first batch may
        // succeed: the next ones are retried, so facts are in flight when the signal arrives however the
        // threads are scheduled (a racing poller could otherwise find everything already acked).
        let gate = Mutex<(first: SequenceRange?, signalled: Bool)>((nil, false))
        let store = InMemoryStore<G>(decide: { _, payload, index in
            let open = gate.withLock { gate in
                if gate.first == nil { gate.first = payload.range }
                return gate.signalled || gate.first == payload.range
            }
            return open && index % 3 == 0 ? .proceed : .fail
        })
        let runner = PipelineRunner(configuration: try PipelineRunner<G>.configuration(), source: source, store: store)
        let consumer = runner.configuration.consumer
        let status = IngestStatus()
        let pipeline = runner.makePipeline(status: status)
        var logger = Logger(label: "test.group")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(
            services: [IngestCommand.ingestService(pipeline), .init(service: Companion())],
            gracefulShutdownSignals: [.sigalrm],
            logger: logger))

        let clock = ContinuousClock()
        // Generous guards against a hang only; no verdict depends on how long anything took.
        let guardDeadline = clock.now + .seconds(120)
        var inFlightAtSignal: Set<UInt64> = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Facts in flight: some committed, some fetched and not yet settled.
            while store.committed(consumer) == 0 || source.unsettledSequences.isEmpty {
                guard clock.now < guardDeadline else { throw Hang(description: "no facts in flight: checkpoint \(store.committed(consumer))") }
                try await clock.sleep(for: .milliseconds(1))
            }
            inFlightAtSignal = source.unsettledSequences
            gate.withLock { $0.signalled = true }
            kill(getpid(), SIGALRM)
            tasks.addTask {
                try await clock.sleep(until: guardDeadline)
                throw Hang(description: "the group did not return after the signal")
            }
            // The group returning ends the wait; the guard is then cancelled.
            try await tasks.next()
            tasks.cancelAll()
        }
        #expect(!inFlightAtSignal.isEmpty)
        #expect(status.snapshot.draining, "the signal reached the pipeline as a drain")

        // Nothing runs after run() returned.
        let steps = store.stepsRun
        #expect(await pipeline.isIdle)
        try await clock.sleep(for: .milliseconds(50))
        #expect(store.stepsRun == steps)

        // Every fetched fact: applied and acked, or neither (unsettled, delivered again to a new consumer).
        let committed = store.committed(consumer)
        let ackFloor = source.ackFloor
        let terminated = source.statistics.terminated
        let unsettled = source.unsettledSequences
        let applied = store.applied
        #expect(applied.count == Set(applied).count, "a fact was applied twice")
        #expect(ackFloor <= committed, "acked beyond the checkpoint: ack floor \(ackFloor), checkpoint \(committed)")
        let highest = source.highestDelivered
        #expect(highest >= committed && highest > 0)
        var problems: [String] = []
        for sequence in 1...highest {
            let settled = sequence <= ackFloor || terminated.contains(sequence)
            let isApplied = applied.contains(sequence)
            if settled == unsettled.contains(sequence) { problems.append("\(sequence): settled and unsettled at once") }
            if isApplied, !settled { problems.append("\(sequence): applied but not acked") }
            if isApplied, sequence > committed { problems.append("\(sequence): applied beyond the checkpoint \(committed)") }
            if sequence <= committed, stream.expectedApplied.contains(sequence), !isApplied { problems.append("\(sequence): lost below the checkpoint") }
        }
        #expect(problems.isEmpty, "\(problems.prefix(20))")
        #expect(inFlightAtSignal.allSatisfy { $0 <= committed || unsettled.contains($0) }, "a fact in flight at the signal was neither written nor left for redelivery")

        // A new run takes up the unsettled facts: exactly once overall.
        _ = try await runner.runUntilApplied(through: stream.last)
        PipelineFaultTests.expectExactlyOnce(store, stream, consumer: consumer)
    }
}
