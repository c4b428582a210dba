import Columnstore
import Foundation
import JetStream
import Testing

/// Exactly-once through a JetStream cluster's failures, with the real `projection-ingest`: a stream with
/// three replicas on a scratch three-node cluster (its own ports and store dirs, not the dev stack's
/// NATS), half the facts published, one node struck while ingest drains (`Fault`), the other half
/// published into the cluster while the node is out, the node restarted or thawed; or a rolling restart
/// of all three nodes while a producer publishes the second half (`ClusterFaultTests+RollingRestart`).
/// Ingest must finish by itself (no restart, no stall) with exact totals on both stores. Timings are
/// printed and written to the fault matrix, never asserted (docs/RELIABILITY.md).
///
/// Gated like the chaos tests (PROJECTION_CHAOS=1): it is slow and starts and kills servers.
@Suite("Ingest through JetStream cluster faults", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS"] == "1" && ScratchNATSServer.executable != nil))
struct ClusterFaultTests {
    static let orders = Int(ProcessInfo.processInfo.environment["PROJECTION_CLUSTER_ORDERS"] ?? "") ?? 15_000

    /// What is done to which node, mid-drain.
    enum Fault: String, CustomStringConvertible, CaseIterable {
        /// `kill -9` of the node leading the stream's Raft group, restarted later.
        case streamLeaderKill = "stream-leader-kill"
        /// `kill -9` of the JetStream meta leader (it may also lead the stream), restarted later.
        case metaLeaderKill = "meta-leader-kill"
        /// SIGSTOP of the stream leader for 15 s (well past Raft heartbeats), then SIGCONT.
        case streamLeaderFreeze = "stream-leader-freeze"
        /// `kill -9` of a node that does not lead the stream, restarted later.
        case followerKill = "follower-kill"
        /// Each node in turn stopped (SIGTERM) and started again, the next once all are healthy, while
        /// a producer keeps publishing through it (`ScratchJetStreamCluster.rollingRestart`).
        case rollingRestart = "rolling-restart"

        var description: String { rawValue }
    }

    static var enabledFaults: [Fault] {
        // PROJECTION_CLUSTER_FAULTS=all (or a comma-separated list) adds the others; CI runs the leader kill.
        let setting = ProcessInfo.processInfo.environment["PROJECTION_CLUSTER_FAULTS"] ?? Fault.streamLeaderKill.rawValue
        return setting == "all" ? Fault.allCases : setting.split(separator: ",").compactMap { Fault(rawValue: String($0)) }
    }

    @Test("a node fault mid-drain, then recovery", arguments: [StoreKind.postgres, .clickhouse], enabledFaults)
    func nodeFault(kind: StoreKind, fault: Fault) async throws {
        let cluster = try ScratchJetStreamCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        #expect(try await cluster.waitUntilHealthy(), "the cluster formed; node 0's log:\n\(cluster.log(0).suffix(2000))")

        let fixture = try await StoreFixture.make(kind, prefix: "cluster")
        let stream = DevStack.uniqueName("CLUSTER").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: Self.orders, seed: 21)
        let half = corpus.messages.count / 2
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], natsURL: cluster.urls, range: 0..<half, replicas: 3)
        let last = UInt64(corpus.messages.count)

        let ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": cluster.urls,
            "PROJECTION_STREAM_REPLICAS": "3",
            "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>",
            "PROJECTION_DURABLE": "cluster-\(subject)",
            "PROJECTION_BATCH_MAX_FACTS": "1000",
            "PROJECTION_RETRY_MAX_MS": "1000",
        ])
        try ingest.start()
        defer { ingest.kill9() }
        let clock = ContinuousClock()

        // Strike mid-drain: after a quarter is applied, before the half is.
        let quarter = UInt64(half / 4)
        try await Eventually.wait("a quarter applied", timeout: .seconds(120)) { (await ingest.checkpoint() ?? 0) >= quarter }
        if fault == .rollingRestart {
            try await rollingRestart(cluster, ingest: ingest, kind: kind, fixture: fixture, corpus: corpus, stream: stream, from: half)
            return
        }
        let info = try await cluster.streamInfo(stream)
        #expect(info.replicas == 3)
        let streamLeader = try #require(info.clusterLeader, "a replicated stream has a leader")
        let targetName: String
        switch fault {
        case .metaLeaderKill:
            targetName = try #require(try await cluster.agreedMetaLeader(), "two nodes agree on the meta leader")
        case .followerKill:
            targetName = try #require((0..<ScratchJetStreamCluster.size).map(cluster.serverName).first { $0 != streamLeader })
        case .streamLeaderKill, .streamLeaderFreeze, .rollingRestart:
            targetName = streamLeader
        }
        let target = try #require(cluster.index(ofServer: targetName))
        let atKill = await ingest.checkpoint() ?? 0
        let killedAt = clock.now
        if fault == .streamLeaderFreeze { cluster.freeze(target) } else { cluster.kill9(target) }

        // Two of three nodes keep a quorum: the stream has a leader on a live node and takes writes.
        var newLeader: String?
        try await Eventually.wait("a stream leader on a live node", timeout: .seconds(60)) {
            newLeader = try? await cluster.streamInfo(stream).clusterLeader
            return newLeader != nil && newLeader != targetName
        }
        let electedAfter = clock.now - killedAt
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], natsURL: cluster.urls, range: half..<corpus.messages.count, replicas: 3)
        try await Eventually.wait("ingest moving past the kill", timeout: .seconds(120)) { (await ingest.checkpoint() ?? 0) > atKill }
        let movingAfter = clock.now - killedAt

        if fault == .streamLeaderFreeze {
            // Frozen well past the Raft heartbeats and election timeouts before it thaws.
            while clock.now - killedAt < .seconds(15) { try await clock.sleep(for: .milliseconds(200)) }
            cluster.thaw(target)
        } else {
            try cluster.start(target)
        }
        #expect(try await cluster.waitUntilHealthy(), "the node rejoined; its log:\n\(cluster.log(target).suffix(2000))")
        try await Eventually.wait("ingest caught up", timeout: .seconds(180)) { (await ingest.checkpoint() ?? 0) >= last || !ingest.isRunning }
        let checkpointNow = await ingest.checkpoint()
        let reachedEnd = ingest.isRunning && checkpointNow == last
        #expect(ingest.isRunning, "ingest survived the node kill without a restart; log:\n\(ingest.log.suffix(3000))")
        #expect(await ingest.checkpoint() == last, "ingest did not catch up; log:\n\(ingest.log.suffix(3000))")
        let caughtUpAfter = clock.now - killedAt
        let (exited, status) = await ingest.terminate(timeout: .seconds(15))
        #expect(exited && status == 0, "SIGTERM drains and exits 0")

        await FaultMatrixCell(
            fault: "cluster-\(fault)", store: kind, facts: last, stalled: !reachedEnd,
            recovery: [movingAfter], recoveryMeaning: "from the fault until ingest's checkpoint moved again",
            expected: corpus, fixture: fixture, note: "a stream leader on a live node after \(FaultMatrixCell.seconds(electedAfter)) s").write()
        let daily = try await fixture.dailyTotals()
        #expect(daily == corpus.daily, "daily_sales: 0 lost, 0 doubled")
        let orders = try await fixture.orders()
        #expect(orders == corpus.orders, "orders: every order exactly once, latest version")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount, "the quarantine holds exactly the poison facts")
        // Reported, never asserted: timings depend on the machine.
        print("cluster-fault \(fault) \(kind.rawValue): facts=\(last) target=\(targetName) (stream leader \(streamLeader)) at checkpoint \(atKill); stream leader \(newLeader ?? "?") after \(electedAfter); ingest moving after \(movingAfter); caught up after \(caughtUpAfter)")
        if daily == corpus.daily && orders == corpus.orders { await fixture.drop() }
    }
}
