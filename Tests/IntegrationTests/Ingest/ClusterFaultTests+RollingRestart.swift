import Columnstore
import Foundation
import JetStream
import Testing

extension ClusterFaultTests {
    /// The rolling restart: while ingest drains the first half, a producer publishes the second half in
    /// chunks (retrying what a restart interrupts, with the same message ids), and each of the three nodes
    /// is stopped and started in turn. Ingest must keep up by itself: exact totals, no restart.
    func rollingRestart(_ cluster: ScratchJetStreamCluster, ingest: IngestProcess, kind: StoreKind, fixture: StoreFixture,
                        corpus: FactCorpus, stream: String, from half: Int) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        // Chunks spaced so the producer is still publishing when the last node restarts.
        async let publishing = RetryingPublisher.publish(corpus.messages[half...], natsURL: cluster.urls, chunk: 500, pause: .milliseconds(800))
        let movingAfter = try await cluster.rollingRestart(position: { await ingest.checkpoint() }, caughtUp: {
            (await ingest.checkpoint() ?? 0) >= UInt64(corpus.messages.count)
        })
        let (retries, retriedFor) = try await publishing
        let rolledFor = clock.now - began

        let last = try await cluster.streamInfo(stream).lastSequence
        #expect(last >= UInt64(corpus.messages.count), "every message is in the stream")
        try await Eventually.wait("ingest caught up", timeout: .seconds(180)) { (await ingest.checkpoint() ?? 0) >= last || !ingest.isRunning }
        let checkpointNow = await ingest.checkpoint()
        let reachedEnd = ingest.isRunning && checkpointNow == last
        #expect(ingest.isRunning, "ingest survived the rolling restart without a restart of its own; log:\n\(ingest.log.suffix(3000))")
        #expect(reachedEnd, "ingest caught up; log:\n\(ingest.log.suffix(3000))")
        let (exited, status) = await ingest.terminate(timeout: .seconds(15))
        #expect(exited && status == 0, "SIGTERM drains and exits 0")

        let measured = movingAfter.compactMap { $0 }
        await FaultMatrixCell(
            fault: "cluster-rolling-restart", store: kind, facts: last, stalled: !reachedEnd,
            recovery: measured, recoveryMeaning: "per node, from its SIGTERM until ingest's checkpoint moved again",
            expected: corpus, fixture: fixture,
            note: "whole roll \(FaultMatrixCell.seconds(rolledFor)) s; the producer re-sent \(retries) messages").write()
        let daily = try await fixture.dailyTotals()
        #expect(daily == corpus.daily, "daily_sales: 0 lost, 0 doubled")
        let orders = try await fixture.orders()
        #expect(orders == corpus.orders, "orders: every order exactly once, latest version")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount, "the quarantine holds exactly the poison facts")
        print("cluster-fault rolling-restart \(kind.rawValue): facts=\(last); ingest moving after \(movingAfter.map { $0.map { "\($0)" } ?? "-" }) per node; roll \(rolledFor); producer re-sent \(retries) messages over \(retriedFor)")
        if daily == corpus.daily && orders == corpus.orders { await fixture.drop() }
    }
}
