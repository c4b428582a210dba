import Columnstore
import Foundation
import JetStream
import Testing

/// Replica mode through a JetStream cluster's faults (issue #21): 3 real `projection-ingest` replicas
/// share 6 partitions (one R3 stream each) through leases in an R3 KV bucket on a scratch three-node
/// cluster, while a producer keeps publishing (retrying through the faults). Up to four faults in one run:
///
/// 1. `kill -9` of the node leading the lease bucket's stream (it leads some partition streams too), and
///    a restart once the survivors elected a new leader. Lease renewals fail during the election, so
///    leases lapse and partitions change hands under new epochs: the fencing is what keeps it exact.
/// 2. `SIGSTOP` of the node now leading the lease bucket, for 15 s (well past Raft heartbeats and the
///    clients' PINGs), then `SIGCONT`. Its kernel keeps every connection open: replicas connected to it
///    must notice by themselves and move, and renewals stall until the survivors elect a leader.
/// 3. `kill -9` of the JetStream meta leader, restarted once the replicas moved again.
/// 4. A rolling restart of all three nodes (`ScratchJetStreamCluster.rollingRestart`).
///
/// The verdict: exact totals on both stores, every partition at its stream's end without restarting a
/// replica, and no partition's checkpoint (read from the store every 100 ms) ever going backwards.
/// CI runs all four in one run (the default, `all`). After these faults nats-server 2.9.10 sometimes keeps
/// a copy of a stream that lacks acknowledged messages and serves it (`ClusterPublishProbeTests`,
/// docs/RELIABILITY.md); the test compares the nodes' copies, and when they differ the exact totals are a
/// known issue of the server rather than a failure. The other verdicts hold either way.
/// Timings are printed and written to the fault matrix, never asserted.
///
/// Gated like the chaos tests (PROJECTION_CHAOS=1).
@Suite("Replicas sharing partitions through JetStream cluster faults", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS"] == "1" && ScratchNATSServer.executable != nil))
struct ClusterReplicaFaultTests {
    static let orders = Int(ProcessInfo.processInfo.environment["PROJECTION_CLUSTER_REPLICA_ORDERS"] ?? "") ?? 16_000
    static let partitions = 6
    static let replicas = 3
    enum Fault: Hashable { case freeze, metaLeaderKill, rollingRestart }
    /// Which faults follow the lease bucket leader's kill (PROJECTION_CLUSTER_REPLICA_FAULTS): `all`
    /// (default), `freeze` (the freeze only), `meta` (the meta leader's kill and the rolling restart),
    /// `kill` (the rolling restart).
    static let faults: Set<Fault> = {
        switch ProcessInfo.processInfo.environment["PROJECTION_CLUSTER_REPLICA_FAULTS"] ?? "all" {
        case "kill": [.rollingRestart]
        case "freeze": [.freeze]
        case "meta": [.metaLeaderKill, .rollingRestart]
        default: [.freeze, .metaLeaderKill, .rollingRestart]
        }
    }()
    /// PROJECTION_CLUSTER_REPLICA_STORES=postgres (or clickhouse) runs one store, when chasing a failure.
    static let stores: [StoreKind] = {
        let only = ProcessInfo.processInfo.environment["PROJECTION_CLUSTER_REPLICA_STORES"] ?? ""
        return [StoreKind.postgres, .clickhouse].filter { only.isEmpty || only.contains($0.rawValue) }
    }()

    @Test("3 replicas × 6 partitions, R3 streams and lease bucket: lease-bucket leader kill -9 and freeze, meta leader kill -9, rolling restart",
          arguments: ClusterReplicaFaultTests.stores)
    func replicasThroughClusterFaults(kind: StoreKind) async throws {
        let cluster = try ScratchJetStreamCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        #expect(try await cluster.waitUntilHealthy(), "the cluster formed; node 0's log:\n\(cluster.log(0).suffix(2000))")

        let corpus = PartitionedCorpus(orders: Self.orders, partitions: Self.partitions, seed: kind == .postgres ? 31 : 32)
        let fixture = try await StoreFixture.make(kind, prefix: "clrep")
        let bucket = DevStack.uniqueName("leases")
        try await corpus.ensureStreams(natsURL: cluster.urls, replicas: 3)
        let messages = corpus.corpus.messages
        let third = messages.count / 3
        _ = try await RetryingPublisher.publish(messages[..<third], natsURL: cluster.urls)

        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": cluster.urls,
            "PROJECTION_STREAM_REPLICAS": "3",
            "PROJECTION_PARTITIONS": String(Self.partitions),
            "PROJECTION_STREAM": "\(corpus.streamPrefix)_P{partition}",
            "PROJECTION_SUBJECTS": "\(corpus.subjectPrefix).p{partition}.>",
            "PROJECTION_DURABLE": "\(kind.rawValue)-\(corpus.subjectPrefix)-p{partition}",
            "PROJECTION_LEASE_BUCKET": bucket,
            "PROJECTION_LEASE_TTL_MS": "3000",
            "PROJECTION_BATCH_MAX_FACTS": "500",
            "PROJECTION_RETRY_MAX_MS": "1000",
        ]
        let replicas = (0..<Self.replicas).map { i in
            IngestProcess(environment: environment.merging(["PROJECTION_REPLICA_ID": "replica-\(i)"]) { $1 })
        }
        for replica in replicas { try replica.start() }
        defer { for replica in replicas { replica.kill9() } }

        let monitor = ReplicaScaleOutTests.Monitor()
        let clock = ContinuousClock()
        func total() async -> UInt64? {
            guard let checkpoints = try? await ReplicaScaleOutTests.checkpoints(fixture) else { return nil }
            return checkpoints.values.reduce(0, +)
        }
        func caughtUp() async -> Bool {
            guard let checkpoints = try? await ReplicaScaleOutTests.checkpoints(fixture) else { return false }
            return (0..<Self.partitions).allSatisfy { checkpoints[$0] == corpus.lastSequence[$0] }
        }

        /// Strikes the lease bucket's leader; returns it, when a live node led the bucket, and when the
        /// replicas' checkpoints moved again (or all were at the end).
        func strikeBucketLeader(_ what: String, _ strike: (Int) -> Void) async throws -> (name: String, index: Int, elected: Duration, moving: Duration) {
            let name = try #require(try await cluster.streamInfo("KV_\(bucket)").clusterLeader, "the lease bucket has a leader")
            let index = try #require(cluster.index(ofServer: name))
            let before = await total() ?? 0
            let struckAt = clock.now
            strike(index)
            try await Eventually.wait("a lease-bucket leader on a live node after the \(what)", timeout: .seconds(60)) {
                let leader = try? await cluster.streamInfo("KV_\(bucket)").clusterLeader
                return leader != nil && leader != name
            }
            let elected = clock.now - struckAt
            try await Eventually.wait("the replicas moving after the \(what)", timeout: .seconds(120)) {
                if (await total() ?? 0) > before { return true }
                return await caughtUp()
            }
            return (name, index, elected, clock.now - struckAt)
        }

        var leaderKill: Duration?, electedAfter: Duration?, rolling: [Duration?] = []
        var leaderFreeze: Duration?, frozenName = "?", frozenElectedAfter: Duration?, metaKill: Duration?, metaName = "?"
        let faults = Self.faults
        var victimName = "?"
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Every partition's checkpoint, from the store, every 100 ms until the faults are over.
            group.addTask {
                while !Task.isCancelled {
                    if let checkpoints = try? await ReplicaScaleOutTests.checkpoints(fixture) { monitor.record(checkpoints) }
                    try? await clock.sleep(for: .milliseconds(100))
                }
            }
            // The producer, through both faults; spaced so it still publishes during the rolling restart.
            group.addTask {
                _ = try await RetryingPublisher.publish(messages[third...], natsURL: cluster.urls, chunk: 400, pause: .milliseconds(faults.count > 1 ? 1400 : 700))
            }

            let quarter = UInt64(third / 4)
            try await Eventually.wait("a quarter of the first third applied", timeout: .seconds(120)) { (await total() ?? 0) >= quarter }

            // Fault 1: kill -9 of the lease bucket's stream leader.
            #expect(try await cluster.streamInfo("KV_\(bucket)").replicas == 3, "the lease bucket is R3")
            let killed = try await strikeBucketLeader("kill") { cluster.kill9($0) }
            (victimName, electedAfter, leaderKill) = (killed.name, killed.elected, killed.moving)
            let victim = killed.index
            try cluster.start(victim)
            #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)), "the killed node rejoined; its log:\n\(cluster.log(victim).suffix(2000))")

            if faults.contains(.freeze) {
                // Fault 2: the lease bucket's leader frozen past its heartbeats and the clients' PINGs.
                let frozenAt = clock.now
                let froze = try await strikeBucketLeader("freeze") { cluster.freeze($0) }
                (frozenName, frozenElectedAfter, leaderFreeze) = (froze.name, froze.elected, froze.moving)
                let frozen = froze.index
                while clock.now - frozenAt < .seconds(15) { try await clock.sleep(for: .milliseconds(200)) }
                cluster.thaw(frozen)
                #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)), "the frozen node recovered; its log:\n\(cluster.log(frozen).suffix(2000))")
            }
            if faults.contains(.metaLeaderKill) {
                // Fault 3: kill -9 of the JetStream meta leader.
                metaName = try #require(try await cluster.agreedMetaLeader(), "two nodes agree on the meta leader")
                let meta = try #require(cluster.index(ofServer: metaName))
                let beforeMeta = await total() ?? 0
                let metaKilledAt = clock.now
                cluster.kill9(meta)
                try await Eventually.wait("the replicas moving after the meta leader's kill", timeout: .seconds(120)) {
                    if (await total() ?? 0) > beforeMeta { return true }
                    return await caughtUp()
                }
                metaKill = clock.now - metaKilledAt
                try cluster.start(meta)
                #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)), "the meta leader rejoined; its log:\n\(cluster.log(meta).suffix(2000))")
            }

            // Fault 4: a rolling restart of all three nodes.
            if faults.contains(.rollingRestart) {
                rolling = try await cluster.rollingRestart(position: { await total() }, caughtUp: { await caughtUp() })
            }

            // Wait for the producer, then for every partition to reach its stream's end.
            _ = try await group.next()
            let settle = clock.now + .seconds(180)
            while clock.now < settle, !(await caughtUp()) { try await clock.sleep(for: .milliseconds(200)) }
            group.cancelAll()
        }

        let done = await caughtUp()
        let reached = try? await ReplicaScaleOutTests.checkpoints(fixture)
        // Whether every node holds the same copy of each stream. nats-server 2.9.10 sometimes keeps a
        // copy that lacks acknowledged messages, numbered without gaps, and serves it (ClusterPublishProbeTests,
        // docs/RELIABILITY.md): a consumer placed on it cannot see what is missing. Exactness is then a
        // known issue of the server, recorded as such; with identical copies it is required.
        let divergent = try await cluster.divergentStreams((0..<Self.partitions).map { corpus.stream($0) })
        print("cluster-replica \(kind.rawValue): stream copies differing between nodes: \(divergent.isEmpty ? "none" : "\(divergent)")")
        let logIsConsistent = divergent.isEmpty
        func expectExact(_ body: () async throws -> Void) async rethrows {
            if logIsConsistent {
                try await body()
            } else {
                await withKnownIssue("nats-server 2.9.10 kept differing copies of a stream: \(divergent)", isIntermittent: true) { try await body() }
            }
        }
        await expectExact {
            #expect(done, "every partition caught up without restarting a replica: \(String(describing: reached)), expected \(corpus.lastSequence)")
        }
        let allRunning = replicas.allSatisfy { $0.isRunning }
        #expect(allRunning, "no replica exited")
        for replica in replicas {
            let (exited, status) = await replica.terminate(timeout: .seconds(30))
            #expect(exited && status == 0, "SIGTERM drains and exits 0; log:\n\(replica.log.suffix(20000))")
        }
        let (samples, backwards) = monitor.result
        #expect(samples > 20)
        #expect(backwards.isEmpty, "checkpoints moved backwards: \(backwards.prefix(10))")
        let epochs = try await ReplicaScaleOutTests.epochs(fixture)
        let logs = replicas.map(\.log)
        let count = { (needle: String) in logs.map { $0.components(separatedBy: needle).count - 1 }.reduce(0, +) }
        let facts = UInt64(messages.count)
        let stalled = !done
        await FaultMatrixCell(
            fault: "replica-cluster-leader-kill", store: kind, facts: facts, stalled: stalled,
            recovery: leaderKill.map { [$0] } ?? [], recoveryMeaning: "from the kill -9 until the replicas' checkpoints moved again",
            expected: corpus.corpus, fixture: fixture,
            note: "3 replicas × 6 partitions, lease TTL 3 s; new bucket leader after \(electedAfter.map { "\(FaultMatrixCell.seconds($0))" } ?? "?") s; checkpoints never backwards (\(backwards.count) steps back in \(samples) samples); log lines: lease lapsed \(count("lease lapsed")), fenced \(count("fenced"))\(logIsConsistent ? "" : "; nats-server's copies of a stream differed between nodes (known issue, docs/RELIABILITY.md)")").write()
        if faults.contains(.freeze) {
            await FaultMatrixCell(
                fault: "replica-cluster-leader-freeze", store: kind, facts: facts, stalled: stalled,
                recovery: leaderFreeze.map { [$0] } ?? [], recoveryMeaning: "from the SIGSTOP until the replicas' checkpoints moved again",
                expected: corpus.corpus, fixture: fixture,
                note: "same run; \(frozenName) frozen 15 s; a bucket leader on a live node after \(frozenElectedAfter.map { "\(FaultMatrixCell.seconds($0))" } ?? "?") s").write()
        }
        if faults.contains(.metaLeaderKill) {
            await FaultMatrixCell(
                fault: "replica-cluster-meta-leader-kill", store: kind, facts: facts, stalled: stalled,
                recovery: metaKill.map { [$0] } ?? [], recoveryMeaning: "from the kill -9 until the replicas' checkpoints moved again",
                expected: corpus.corpus, fixture: fixture, note: "same run; meta leader \(metaName)").write()
        }
        if faults.contains(.rollingRestart) {
            await FaultMatrixCell(
                fault: "replica-cluster-rolling-restart", store: kind, facts: facts, stalled: stalled,
                recovery: rolling.compactMap { $0 }, recoveryMeaning: "per node, from its SIGTERM until the replicas' checkpoints moved again",
                expected: corpus.corpus, fixture: fixture,
                note: "same run as the leader kill; epochs at the end \(epochs.sorted { $0.key < $1.key }.map(\.value))").write()
        }
        print("cluster-replica \(kind.rawValue): \(facts) facts; bucket leader \(victimName) killed: new leader after \(String(describing: electedAfter)), moving after \(String(describing: leaderKill)); \(frozenName) frozen: moving after \(String(describing: leaderFreeze)); meta leader \(metaName) killed: moving after \(String(describing: metaKill)); rolling restart moving after \(rolling); \(samples) samples, epochs \(epochs.sorted { $0.key < $1.key }.map(\.value)); lease lapsed \(count("lease lapsed")), fenced \(count("fenced")), lease lost \(count("lease lost"))")

        let daily = try await fixture.dailyTotals()
        let orders = try await fixture.orders()
        if !done || daily != corpus.corpus.daily || orders != corpus.corpus.orders {
            // Whether the streams hold every fact tells a loss in NATS from one in ingest.
            for p in 0..<Self.partitions {
                let info = try? await cluster.streamInfo(corpus.stream(p))
                print("partition \(p): checkpoint \(reached?[p].map(String.init) ?? "?"), published \(corpus.lastSequence[p] ?? 0); stream messages \(info.map { "\($0.messages), sequences \($0.firstSequence)…\($0.lastSequence)" } ?? "?")")
            }
            let tenants = Set(daily.keys).union(corpus.corpus.daily.keys).filter { daily[$0] != corpus.corpus.daily[$0] }
            print("tenants with other totals: \(tenants.sorted()), in partitions \(Set(tenants.map { PartitionedCorpus.partition(ofTenant: $0, partitions: Self.partitions) }).sorted())")
            for (i, replica) in replicas.enumerated() { print("replica-\(i) log:\n\(replica.log.suffix(12000))") }
        }
        let quarantined = try await fixture.quarantineCount()
        await expectExact {
            #expect(daily == corpus.corpus.daily, "daily_sales: 0 lost, 0 doubled")
            #expect(orders == corpus.corpus.orders, "orders: every order exactly once")
            #expect(quarantined == corpus.corpus.poisonCount, "the quarantine holds exactly the poison facts")
        }
        if daily == corpus.corpus.daily, orders == corpus.corpus.orders { await fixture.drop() }
    }
}
