import Columnstore
import Foundation
import JetStream
import Testing

/// Issue #22: a REAL replica process frozen (SIGSTOP) in the middle of its batch transaction loses its
/// partition to a live replica within two lease TTLs (+ 2 s), however long the freeze lasts; when it
/// wakes it commits nothing, and the totals come out exact.
///
/// Two replicas share two partitions (one each) while facts keep arriving. On Postgres the victim is
/// frozen only once `pg_stat_activity` shows one of its backends (told apart by `application_name` in
/// its DSN) inside an open transaction, and that same transaction is still open after the SIGSTOP: the
/// server has then answered every statement sent, and the transaction cannot end before the client wakes
/// (or the server kills it). Otherwise it is thawed and tried again a moment later. On ClickHouse (no
/// transactions, for comparison) it is frozen while its partition has a backlog, i.e. a batch in flight.
///
/// The takeover time runs from the SIGSTOP to the moment the store holds the new owner's fence (a higher
/// lease epoch on the partition's checkpoint), which on Postgres is exactly what the frozen transaction's
/// row lock blocked. The verdict is that it happens while the victim is still frozen (7 TTLs: a takeover
/// that waited for the thaw fails); the time against the issue's bound is printed here and reported by
/// bench scenario 7, never asserted (it depends on the machine's speed).
///
/// Runs with the chaos suite (PROJECTION_CHAOS=1): each store takes about a minute.
@Suite("A replica frozen mid-transaction loses its partition within two TTLs", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS"] == "1"))
struct FrozenReplicaTakeoverTests {
    static let ttl: Duration = .seconds(3)
    /// At least 5 TTLs (the issue's "done when"); long enough that a takeover waiting for the thaw shows.
    static let freeze: Duration = ttl * 7
    /// The issue's bound, 2 TTLs + 2 s (8 s here): printed beside the measured time.
    static let issueBound: Duration = ttl * 2 + .seconds(2)

    @Test("SIGSTOP mid-batch for 7 TTLs: the partition moves within the bound, the zombie commits nothing, totals exact",
          arguments: [StoreKind.postgres, .clickhouse])
    func freezeMidTransaction(kind: StoreKind) async throws {
        let partitions = 2
        let corpus = PartitionedCorpus(orders: 50_000, partitions: partitions, seed: kind == .postgres ? 21 : 22)
        let fixture = try await StoreFixture.make(kind, prefix: "takeover")
        let bucket = DevStack.uniqueName("leases")
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_PARTITIONS": String(partitions),
            "PROJECTION_STREAM": "\(corpus.streamPrefix)_P{partition}",
            "PROJECTION_SUBJECTS": "\(corpus.subjectPrefix).p{partition}.>",
            "PROJECTION_DURABLE": "\(kind.rawValue)-\(corpus.subjectPrefix)-p{partition}",
            "PROJECTION_LEASE_BUCKET": bucket,
            "PROJECTION_LEASE_TTL_MS": String(Self.ttl.components.seconds * 1000),
            "PROJECTION_RETRY_MAX_MS": "1000",
        ]
        let application = DevStack.uniqueName("frozen")
        let replicas = (0..<2).map { i in
            // Postgres: each replica's backends carry its own application_name (libpq takes it from the DSN).
            let dsn = kind == .postgres ? fixture.dsn + "&application_name=\(application)_r\(i)" : fixture.dsn
            return IngestProcess(environment: environment.merging(["PROJECTION_REPLICA_ID": "replica-\(i)", "PROJECTION_STORE_DSN": dsn]) { $1 })
        }
        for replica in replicas { try replica.start() }
        let clock = ContinuousClock()
        defer { for replica in replicas where replica.isRunning { replica.thaw(); replica.kill9() } }

        // Wait until each replica holds one partition (the first one started took both and hands one over).
        let held = try await Self.split(replicas, partitions: partitions)
        let victim = replicas[0], survivor = replicas[1]
        let partition = try #require(held.first { $0.value == 0 }?.key)

        // Facts keep arriving while the victim is frozen.
        let publisher = Task { try await corpus.publish() }

        let frozen = try await Self.freezeMidBatch(victim, kind: kind, fixture: fixture, application: "\(application)_r0",
                                                   partition: partition, last: corpus.lastSequence[partition, default: 0])
        let frozenAt = frozen?.at, frozenEpoch = frozen?.epoch ?? 0
        let stopped = try #require(frozenAt, "the victim was never caught mid-batch; log:\n\(victim.log.suffix(2000))")
        #expect(frozenEpoch > 0)

        // Poll the store for the new owner's fence while the victim stays frozen: for the whole freeze,
        // and on until the fence is there (the verdict is that the partition moves *while* its owner is
        // frozen, not how fast: a loaded machine only makes the freeze longer). 10 minutes is a hang guard.
        var takeover: Duration?
        while clock.now < stopped + Self.freeze || (takeover == nil && clock.now < stopped + .seconds(600)) {
            if takeover == nil, let epoch = try? await ReplicaScaleOutTests.epochs(fixture)[partition], epoch > frozenEpoch {
                takeover = clock.now - stopped
            }
            try await clock.sleep(for: .milliseconds(50))
        }
        let frozenFor = clock.now - stopped
        let logAtThaw = victim.log.utf8.count
        victim.thaw()
        let measured = try #require(takeover, "partition \(partition) did not move while its owner was frozen for \(frozenFor); survivor log:\n\(survivor.log.suffix(2000))")
        print("frozen-replica \(kind.rawValue): TTL \(Self.ttl), frozen \(frozenFor), partition \(partition) fenced by the new owner \(measured) after the SIGSTOP (issue bound \(Self.issueBound))")

        // Woken, the zombie gives the partition up (its lease lapsed, or it is fenced) and commits nothing;
        // the totals are read only after that, and after everyone caught up.
        func gaveUp() -> Bool {
            let woken = String(decoding: victim.log.utf8.dropFirst(logAtThaw), as: UTF8.self)
            return ["lease lapsed", "fenced", "lease lost"].contains { woken.contains($0) }
        }
        let wake = clock.now + .seconds(60)
        while clock.now < wake, !gaveUp() { try await clock.sleep(for: .milliseconds(100)) }
        #expect(gaveUp(), "the woken victim gave the partition up; log:\n\(victim.log.suffix(2000))")
        // And stops exporting that partition's gauges (before, its last `projection_stalled 1` and lag
        // stayed on its /metrics until a restart). Unless it has taken the partition back meanwhile.
        var staleSeries: [String] = []
        let metricsBy = clock.now + .seconds(30)
        repeat {
            let series = await victim.metricsText().split(separator: "\n").map(String.init).filter { line in
                ["projection_stalled{", "projection_lag{", "projection_lag_seconds{", "projection_checkpoint{", "projection_stream_problem{"]
                    .contains { line.hasPrefix($0) } && line.contains("partition=\"\(partition)\"")
            }
            staleSeries = await Self.partitions(of: victim).contains(partition) ? [] : series
            if staleSeries.isEmpty { break }
            try await clock.sleep(for: .milliseconds(200))
        } while clock.now < metricsBy
        #expect(staleSeries.isEmpty, "the partition's gauges stay exported by the replica that lost it: \(staleSeries)")
        try await publisher.value
        let done = clock.now + .seconds(180)
        var checkpoints: [Int: UInt64] = [:]
        while clock.now < done {
            checkpoints = (try? await ReplicaScaleOutTests.checkpoints(fixture)) ?? [:]
            if (0..<partitions).allSatisfy({ checkpoints[$0] == corpus.lastSequence[$0] }) { break }
            try await clock.sleep(for: .milliseconds(200))
        }
        #expect((0..<partitions).allSatisfy { checkpoints[$0] == corpus.lastSequence[$0] }, "caught up: \(checkpoints) vs \(corpus.lastSequence)")
        let daily = try await fixture.dailyTotals()
        #expect(daily == corpus.corpus.daily, "daily_sales: 0 lost, 0 doubled")
        let orders = try await fixture.orders()
        #expect(orders == corpus.corpus.orders, "orders: every order exactly once")
        #expect(try await fixture.quarantineCount() == corpus.corpus.poisonCount, "the quarantine holds exactly the poison facts")
        await FaultMatrixCell(
            fault: "replica-zombie", store: kind, facts: corpus.lastSequence.values.reduce(0, +),
            stalled: !(0..<partitions).allSatisfy { checkpoints[$0] == corpus.lastSequence[$0] }, recovery: [measured],
            recoveryMeaning: "from the SIGSTOP until the new owner's fence is in the store (takeover)", expected: corpus.corpus, fixture: fixture,
            note: "lease TTL \(Self.ttl), frozen \(FaultMatrixCell.seconds(frozenFor)) s\(kind == .postgres ? " inside an open batch transaction" : " with a batch in flight"); the woken zombie committed nothing").write()

        for replica in replicas {
            let (exited, status) = await replica.terminate(timeout: .seconds(30))
            #expect(exited && status == 0, "SIGTERM drains and exits 0; log:\n\(replica.log.suffix(1500))")
        }
        if daily == corpus.corpus.daily, orders == corpus.corpus.orders { await fixture.drop() }
        await corpus.deleteStreams()
        if let connection = try? await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-cleanup") {
            try? await connection.jetStream().deleteKeyValueBucket(name: bucket)
            await connection.close()
        }
    }

    /// Waits until the replicas hold one partition each (`partitions` = their number); partition → replica index.
    static func split(_ replicas: [IngestProcess], partitions: Int) async throws -> [Int: Int] {
        let clock = ContinuousClock()
        var held: [Int: Int] = [:]
        let settle = clock.now + .seconds(60)
        while clock.now < settle {
            held = [:]
            var counts: [Int] = []
            for (i, replica) in replicas.enumerated() {
                let running = await Self.partitions(of: replica)
                counts.append(running.count)
                for p in running { held[p] = i }
            }
            if counts.allSatisfy({ $0 == 1 }), held.count == partitions { break }
            try await clock.sleep(for: .milliseconds(100))
        }
        try #require(held.count == partitions, "each replica holds one partition; held \(held); logs:\n\(replicas.map { $0.log.suffix(1500) })")
        return held
    }

    /// SIGSTOPs `victim` in the middle of a batch on `partition`; when, and the partition's lease epoch
    /// in the store then. Postgres: only once one of its backends (`application`) is inside an open
    /// transaction that is still the same one after the signal (else thawed and tried again). ClickHouse:
    /// while the partition has a backlog (`last` = its stream's end once published), so a batch is in flight.
    static func freezeMidBatch(_ victim: IngestProcess, kind: StoreKind, fixture: StoreFixture, application: String,
                               partition: Int, last: UInt64) async throws -> (at: ContinuousClock.Instant, epoch: UInt64)? {
        let clock = ContinuousClock()
        var attempts = 0
        let deadline = clock.now + .seconds(120)
        while clock.now < deadline {
            attempts += 1
            switch kind {
            case .postgres:
                guard let open = try await openTransaction(fixture, application: application) else {
                    try await clock.sleep(for: .milliseconds(5))
                    continue
                }
                victim.freeze()
                let stoppedAt = clock.now
                let epoch = try await ReplicaScaleOutTests.epochs(fixture)[partition] ?? 0
                if try await openTransaction(fixture, application: application) == open {
                    print("frozen-replica postgres: victim frozen inside transaction \(open) after \(attempts) attempt(s)")
                    return (stoppedAt, epoch)
                }
                victim.thaw()
                try await clock.sleep(for: .milliseconds(Int.random(in: 5...50)))
            case .clickhouse:
                let checkpoint = try await ReplicaScaleOutTests.checkpoints(fixture)[partition] ?? 0
                guard checkpoint > 0, checkpoint + 2_000 < last else {
                    try await clock.sleep(for: .milliseconds(20))
                    continue
                }
                victim.freeze()
                let stoppedAt = clock.now
                return (stoppedAt, try await ReplicaScaleOutTests.epochs(fixture)[partition] ?? 0)
            }
        }
        return nil
    }

    /// The partitions a replica runs, from its `/admin/ingestion`.
    static func partitions(of replica: IngestProcess) async -> [Int] {
        guard let admin = await replica.admin(), let list = admin["partitions"] as? [[String: Any]] else { return [] }
        return list.compactMap { ($0["partition"] as? NSNumber)?.intValue }
    }

    /// "pid@xact_start" of a backend of `application` with an open transaction, if any.
    static func openTransaction(_ fixture: StoreFixture, application: String) async throws -> String? {
        let rows = try await fixture.rows("", postgres: """
            SELECT pid::text || '@' || xact_start::text FROM pg_stat_activity
            WHERE application_name = '\(application)' AND xact_start IS NOT NULL
              AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
            ORDER BY pid LIMIT 1
            """)
        return rows.first?.first
    }
}
