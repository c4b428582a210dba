import Columnstore
import Foundation
import JetStream
import Testing

/// `projection-migrate rebuild --cutover` and `rollback` on a partitioned projection (issue #22): three
/// replicas share three partitions through leases while facts keep arriving; the cutover pauses them
/// through the lease bucket (`RebuildHold`), swaps every partition's checkpoint in under its own leases,
/// and the replicas continue from the swapped-in checkpoints.
///
/// The generations are swapped four times: cutover (rebuilt goes live), rollback (original back),
/// rollback again (rebuilt back), each while facts are published; then, all published, the rebuilt
/// generation must hold the exact totals; one more rollback and the original generation must too. A
/// checkpoint moved wrongly in any swap would lose or double facts in one of the two.
@Suite("Rebuild and rollback of a partitioned projection", .serialized)
struct PartitionedRebuildTests {
    static let partitions = 3

    @Test("3 replicas × 3 partitions: rebuild --cutover and rollbacks while facts arrive, totals exact in both generations",
          arguments: [StoreKind.postgres, .clickhouse])
    func rebuildPartitioned(kind: StoreKind) async throws {
        let corpus = PartitionedCorpus(orders: 3_000, partitions: Self.partitions, seed: kind == .postgres ? 41 : 42)
        let fixture = try await StoreFixture.make(kind, prefix: "prebuild")
        let bucket = DevStack.uniqueName("leases")
        let settings = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_PARTITIONS": String(Self.partitions),
            "PROJECTION_STREAM": "\(corpus.streamPrefix)_P{partition}",
            "PROJECTION_SUBJECTS": "\(corpus.subjectPrefix).p{partition}.>",
            "PROJECTION_DURABLE": "\(kind.rawValue)-\(corpus.subjectPrefix)-p{partition}",
            "PROJECTION_LEASE_BUCKET": bucket,
            "PROJECTION_LEASE_TTL_MS": "10000", // the cutover renews every TTL/3; a loaded machine must not make it lapse
            "PROJECTION_RETRY_MAX_MS": "1000",
            "PROJECTION_BATCH_MAX_FACTS": "200",
        ]
        let replicas = (0..<3).map { i in IngestProcess(environment: settings.merging(["PROJECTION_REPLICA_ID": "replica-\(i)"]) { $1 }) }
        defer { for replica in replicas { replica.kill9() } }
        let total = corpus.corpus.messages.count
        let cut = [0, total * 4 / 10, total * 6 / 10, total * 8 / 10, total]

        try await corpus.publish(0..<cut[1])
        for replica in replicas { try replica.start() }

        /// Runs `projection-migrate <arguments>` while `range` is published in small chunks.
        func whilePublishing(_ range: Range<Int>, _ arguments: [String]) async throws -> MigrateProcess.Outcome {
            let trickle = Task { try await corpus.publish(range, chunk: 25, pause: .milliseconds(100)) }
            let outcome = await (try MigrateProcess(arguments, environment: settings)).wait(timeout: .seconds(240))
            try await trickle.value
            return outcome
        }

        let rebuilt = try await whilePublishing(cut[1]..<cut[2], ["rebuild", "--cutover", "--keep-previous", "--catch-up-lag", "50"])
        #expect(rebuilt.status == 0, "rebuild failed: \(rebuilt.all)")
        #expect(rebuilt.error.contains("all 3 partitions held by the cutover"), "\(rebuilt.error)")
        #expect(rebuilt.error.contains("cut over 3 partitions"), "\(rebuilt.error)")
        #expect(!rebuilt.all.contains("projection:projection@"), "no DSN password in the output")
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders__previous"), "--keep-previous keeps the replaced tables")
        #expect(!(try await RebuildCutoverTests.tableExists(fixture, "orders__rebuild")))

        let back = try await whilePublishing(cut[2]..<cut[3], ["rollback"])
        #expect(back.status == 0, "rollback failed: \(back.all)")
        let again = try await whilePublishing(cut[3]..<cut[4], ["rollback"])
        #expect(again.status == 0, "second rollback failed: \(again.all)")

        try await expectExact(fixture, corpus, replicas, "in the rebuilt generation (live after cutover, rollback, rollback)")
        let final = await (try MigrateProcess(["rollback"], environment: settings)).wait(timeout: .seconds(120))
        #expect(final.status == 0, "third rollback failed: \(final.all)")
        try await expectExact(fixture, corpus, replicas, "in the original generation (live again after the third rollback)")

        // Every partition runs again under a replica; SIGTERM drains each.
        var running: Set<Int> = []
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline, running != Set(0..<Self.partitions) {
            running = []
            for replica in replicas {
                if let list = await replica.admin()?["partitions"] as? [[String: Any]] {
                    running.formUnion(list.compactMap { ($0["partition"] as? NSNumber)?.intValue })
                }
            }
            try await clock.sleep(for: .milliseconds(100))
        }
        #expect(running == Set(0..<Self.partitions), "the replicas took every partition again: \(running)")
        for replica in replicas {
            let (exited, status) = await replica.terminate(timeout: .seconds(30))
            #expect(exited && status == 0, "SIGTERM drains and exits 0; log:\n\(replica.log.suffix(1500))")
        }
        await fixture.drop()
        await corpus.deleteStreams()
        if let connection = try? await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-cleanup") {
            try? await connection.jetStream().deleteKeyValueBucket(name: bucket)
            await connection.close()
        }
    }

    @Test("with PROJECTION_PARTITIONS, the options meant for one consumer are refused before anything changes")
    func refusedOptions() async throws {
        let environment = ["PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": DevStack.postgresDSN,
                           "PROJECTION_PARTITIONS": "3"]
        for (arguments, mentions) in [
            (["rebuild", "--cutover", "--live-admin", "http://127.0.0.1:1"], "--live-admin"),
            (["rebuild", "--tenant", "t1"], "--tenant"),
            (["rebuild", "--from-sequence", "5"], "--from-sequence"),
            (["rollback", "--live-admin", "http://127.0.0.1:1"], "--live-admin"),
        ] {
            let outcome = await (try MigrateProcess(arguments, environment: environment)).wait(timeout: .seconds(60))
            #expect(outcome.status != 0, "\(arguments) must be refused")
            #expect(outcome.error.contains(mentions) && outcome.error.contains("PROJECTION_PARTITIONS"), "\(arguments): \(outcome.error)")
        }
    }

    /// Waits until every partition's live checkpoint reached its stream's end, then compares the totals.
    private func expectExact(_ fixture: StoreFixture, _ corpus: PartitionedCorpus, _ replicas: [IngestProcess], _ when: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var checkpoints: [Int: UInt64] = [:]
        while clock.now < deadline {
            checkpoints = (try? await ReplicaScaleOutTests.checkpoints(fixture)) ?? [:]
            if (0..<Self.partitions).allSatisfy({ checkpoints[$0] == corpus.lastSequence[$0] }) { break }
            try await clock.sleep(for: .milliseconds(200))
        }
        try #require((0..<Self.partitions).allSatisfy { checkpoints[$0] == corpus.lastSequence[$0] },
                     "caught up \(when): \(checkpoints) vs \(corpus.lastSequence); logs:\n\(replicas.map { $0.log.suffix(1000) })")
        #expect(try await fixture.dailyTotals() == corpus.corpus.daily, "daily_sales exact \(when)")
        #expect(try await fixture.orders() == corpus.corpus.orders, "orders exact \(when)")
        #expect(try await fixture.quarantineCount() == corpus.corpus.poisonCount, "quarantine exact \(when)")
    }
}
