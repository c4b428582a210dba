import Columnstore
import Foundation
import JetStream
import Testing

extension FrozenReplicaTakeoverTests {
    /// A partitioned rebuild's cutover while one replica is frozen mid-transaction: the hold waits for
    /// the frozen replica's lease to expire (the others drain and hand back at once), the cutover takes
    /// every lease and swaps under them while the replica is still frozen, and the woken replica commits
    /// nothing; the rebuilt generation then holds the exact totals.
    ///
    /// Postgres only. On ClickHouse the same run counted one 500-fact batch of the frozen partition twice
    /// in `daily_sales` (orders exact): the frozen replica's insert, in flight at the SIGSTOP, completed
    /// after it woke, into the tables that were live by then, and the rebuilt generation cuts its batches
    /// differently, so the batch token does not deduplicate it. docs/SCALING.md states the limit.
    @Test("rebuild --cutover of 3 partitions while one replica is frozen mid-transaction: done while it is frozen, totals exact",
          arguments: [StoreKind.postgres])
    func cutoverWhileFrozen(kind: StoreKind) async throws {
        let partitions = 3
        let corpus = PartitionedCorpus(orders: 12_000, partitions: partitions, seed: kind == .postgres ? 23 : 24)
        let fixture = try await StoreFixture.make(kind, prefix: "frozencut")
        let bucket = DevStack.uniqueName("leases")
        let application = DevStack.uniqueName("frozencut")
        let settings = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_PARTITIONS": String(partitions),
            "PROJECTION_STREAM": "\(corpus.streamPrefix)_P{partition}",
            "PROJECTION_SUBJECTS": "\(corpus.subjectPrefix).p{partition}.>",
            "PROJECTION_DURABLE": "\(kind.rawValue)-\(corpus.subjectPrefix)-p{partition}",
            "PROJECTION_LEASE_BUCKET": bucket,
            "PROJECTION_LEASE_TTL_MS": String(Self.ttl.components.seconds * 1000),
            "PROJECTION_RETRY_MAX_MS": "1000",
            "PROJECTION_BATCH_MAX_FACTS": "500",
        ]
        let replicas = (0..<partitions).map { i in
            let dsn = kind == .postgres ? fixture.dsn + "&application_name=\(application)_r\(i)" : fixture.dsn
            return IngestProcess(environment: settings.merging(["PROJECTION_REPLICA_ID": "replica-\(i)", "PROJECTION_STORE_DSN": dsn]) { $1 })
        }
        defer { for replica in replicas where replica.isRunning { replica.thaw(); replica.kill9() } }
        let total = corpus.corpus.messages.count
        try await corpus.publish(0..<(total / 5))
        for replica in replicas { try replica.start() }
        let held = try await Self.split(replicas, partitions: partitions)
        let victim = replicas[0]
        let partition = try #require(held.first { $0.value == 0 }?.key)

        // The rest arrives in small chunks throughout: the freeze, the rebuild and the cutover.
        let trickle = Task { try await corpus.publish((total / 5)..<total, chunk: 100, pause: .milliseconds(100)) }
        let frozen = try await Self.freezeMidBatch(victim, kind: kind, fixture: fixture, application: "\(application)_r0",
                                                   partition: partition, last: corpus.lastSequence[partition, default: 0])
        try #require(frozen != nil, "the victim was never caught mid-batch; log:\n\(victim.log.suffix(2000))")

        let clock = ContinuousClock()
        let started = clock.now
        let rebuild = await (try MigrateProcess(["rebuild", "--cutover", "--keep-previous", "--catch-up-lag", "200"], environment: settings))
            .wait(timeout: .seconds(300))
        print("frozen-replica \(kind.rawValue): rebuild --cutover of \(partitions) partitions took \(clock.now - started) with one replica frozen mid-batch")
        #expect(rebuild.status == 0, "the cutover completes while a replica is frozen: \(rebuild.all)")
        #expect(rebuild.error.contains("cut over 3 partitions"), "\(rebuild.error)")

        // Thawed, the old owner gives its partition up and commits nothing.
        let logAtThaw = victim.log.utf8.count
        victim.thaw()
        func gaveUp() -> Bool {
            let woken = String(decoding: victim.log.utf8.dropFirst(logAtThaw), as: UTF8.self)
            return ["lease lapsed", "fenced", "lease lost"].contains { woken.contains($0) }
        }
        let wake = clock.now + .seconds(60)
        while clock.now < wake, !gaveUp() { try await clock.sleep(for: .milliseconds(100)) }
        #expect(gaveUp(), "the woken replica gave its partition up; log:\n\(victim.log.suffix(2000))")

        try await trickle.value
        let done = clock.now + .seconds(180)
        var checkpoints: [Int: UInt64] = [:]
        while clock.now < done {
            checkpoints = (try? await ReplicaScaleOutTests.checkpoints(fixture)) ?? [:]
            if (0..<partitions).allSatisfy({ checkpoints[$0] == corpus.lastSequence[$0] }) { break }
            try await clock.sleep(for: .milliseconds(200))
        }
        #expect((0..<partitions).allSatisfy { checkpoints[$0] == corpus.lastSequence[$0] }, "caught up: \(checkpoints) vs \(corpus.lastSequence)")
        let daily = try await fixture.dailyTotals()
        #expect(daily == corpus.corpus.daily, "daily_sales exact in the rebuilt generation")
        let orders = try await fixture.orders()
        #expect(orders == corpus.corpus.orders, "orders exact in the rebuilt generation")
        #expect(try await fixture.quarantineCount() == corpus.corpus.poisonCount, "quarantine exact")
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders__previous"))

        for replica in replicas { _ = await replica.terminate(timeout: .seconds(30)) }
        if daily == corpus.corpus.daily, orders == corpus.corpus.orders { await fixture.drop() }
        await corpus.deleteStreams()
        if let connection = try? await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-cleanup") {
            try? await connection.jetStream().deleteKeyValueBucket(name: bucket)
            await connection.close()
        }
    }
}
