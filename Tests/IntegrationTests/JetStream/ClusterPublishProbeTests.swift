import Foundation
import JetStream
import Testing

/// Does the JetStream cluster itself keep every acknowledged message through the faults of
/// `ClusterReplicaFaultTests`? No projection runs here: the retrying producer publishes a partitioned
/// corpus to six R3 streams while a stream leader is killed, a leader is frozen for 15 s, the meta leader
/// is killed and all nodes restart in turn; then every stream is read back through a fresh consumer and
/// compared, message id by message id, with what the producer had acknowledged.
///
/// On demand (PROJECTION_NATS_PUBLISH_PROBE=1): it judges nats-server, not the product. Runs and
/// results are in docs/RELIABILITY.md ("Open findings").
@Suite("A JetStream cluster keeps acknowledged messages through faults", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_NATS_PUBLISH_PROBE"] == "1" && ScratchNATSServer.executable != nil))
struct ClusterPublishProbeTests {
    static let partitions = 6

    /// Which faults follow the leader's kill -9: `all` (freeze, meta-leader kill, rolling restart),
    /// `freeze` (the freeze alone), `freeze-restart` / `freeze-kill` (the freeze, then the thawed node
    /// restarted after a SIGTERM / a kill -9).
    static let variants = (ProcessInfo.processInfo.environment["PROJECTION_NATS_PUBLISH_PROBE_FAULTS"] ?? "all,freeze,freeze-restart")
        .split(separator: ",").map(String.init)

    @Test("6 R3 streams, retrying producer: leader kill -9, then leader SIGSTOP 15 s, meta leader kill -9, rolling restart (by variant)",
          arguments: ClusterPublishProbeTests.variants)
    func everyAcknowledgedMessageIsStoredOnce(variant: String) async throws {
        let seed = 40 + (Self.variants.firstIndex(of: variant) ?? 0)
        let cluster = try ScratchJetStreamCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        #expect(try await cluster.waitUntilHealthy(), "the cluster formed")

        let corpus = PartitionedCorpus(orders: 16_000, partitions: Self.partitions, seed: UInt64(seed))
        try await corpus.ensureStreams(natsURL: cluster.urls, replicas: 3)
        let messages = corpus.corpus.messages
        let clock = ContinuousClock()

        func leader(of p: Int) async -> Int? {
            guard let name = try? await cluster.streamInfo(corpus.stream(p)).clusterLeader else { return nil }
            return cluster.index(ofServer: name)
        }
        func newLeader(of p: Int, otherThan old: Int) async throws {
            try await Eventually.wait("stream \(p) led by another node", timeout: .seconds(60)) {
                guard let now = await leader(of: p) else { return false }
                return now != old
            }
        }

        var log: [String] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = try await RetryingPublisher.publish(messages[...], natsURL: cluster.urls, chunk: 400, pause: .milliseconds(1400), deadline: .seconds(400))
            }
            try await clock.sleep(for: .seconds(4))
            // 1. kill -9 of stream 0's leader, restarted once another node leads it.
            let killed = try #require(await leader(of: 0))
            cluster.kill9(killed)
            try await newLeader(of: 0, otherThan: killed)
            try cluster.start(killed)
            #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)))
            log.append("killed n\(killed)")
            // 2. SIGSTOP of stream 0's new leader for 15 s.
            let frozen = try #require(await leader(of: 0))
            let frozenAt = clock.now
            cluster.freeze(frozen)
            try await newLeader(of: 0, otherThan: frozen)
            while clock.now - frozenAt < .seconds(15) { try await clock.sleep(for: .milliseconds(200)) }
            cluster.thaw(frozen)
            #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)))
            log.append("froze n\(frozen)")
            if variant == "freeze-restart" || variant == "freeze-kill" {
                // The thawed node restarted: SIGTERM as a rolling restart would, or kill -9.
                if variant == "freeze-kill" { cluster.kill9(frozen) } else { cluster.terminate(frozen) }
                try cluster.start(frozen)
                #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)))
                log.append("restarted n\(frozen)")
            }
            if variant == "all" {
                // 3. kill -9 of the meta leader.
                let metaName = try #require(try await cluster.agreedMetaLeader())
                let meta = try #require(cluster.index(ofServer: metaName))
                cluster.kill9(meta)
                try await clock.sleep(for: .seconds(3))
                try cluster.start(meta)
                #expect(try await cluster.waitUntilHealthy(timeout: .seconds(90)))
                log.append("killed meta leader n\(meta)")
                // 4. Rolling restart.
                _ = try await cluster.rollingRestart(position: { 1 }, caughtUp: { true })
                log.append("rolling restart")
            }
            _ = try await group.next()
        }

        // Every node's copy of each stream must be the same once they caught up.
        var problems: [String] = []
        let divergent = try await cluster.divergentStreams((0..<Self.partitions).map { corpus.stream($0) })
        for (name, copies) in divergent.sorted(by: { $0.key < $1.key }) {
            problems.append("\(name) copies differ: \(copies)")
        }
        // Read every stream back and compare ids with what was published (and acknowledged).
        let reader = try await NATSConnection.connect(url: cluster.urls, name: "publish-probe-reader")
        let rjs = try reader.jetStream(options: .init(requestTimeout: .seconds(5)))
        for p in 0..<Self.partitions {
            let expected = messages.filter { $0.subject.hasPrefix("\(corpus.subjectPrefix).p\(p).") }.map(\.messageID)
            let info = try await rjs.streamInfo(name: corpus.stream(p))
            _ = try await rjs.ensurePullConsumer(stream: corpus.stream(p), config: ConsumerConfig(
                durableName: "probe", ackWait: .seconds(60), maxAckPending: 100_000, maxDeliver: -1, deliverPolicy: .all, ackPolicy: .all, replicas: 1))
            let subscription = try await rjs.bindPullConsumer(stream: corpus.stream(p), durable: "probe")
            var stored: [(UInt64, String)] = []
            var quiet = 0
            while stored.count < Int(info.messages), quiet < 5 {
                let batch = try await subscription.fetch(batch: 1000, timeout: .seconds(2))
                if batch.isEmpty { quiet += 1 }
                for m in batch { stored.append((m.metadata.streamSequence, m.header("Nats-Msg-Id") ?? "?")) }
                try batch.last?.ack()
            }
            subscription.destroy()
            let storedIDs = stored.map(\.1)
            let missing = Set(expected).subtracting(storedIDs)
            var counts: [String: Int] = [:]
            for id in storedIDs { counts[id, default: 0] += 1 }
            let doubled = counts.filter { $0.value > 1 }
            let missingSequences = expected.enumerated().filter { missing.contains($0.element) }.map { $0.offset + 1 }
            let line = "stream \(p): published \(expected.count), stream says \(info.messages) messages \(info.firstSequence)…\(info.lastSequence), read \(stored.count); missing \(missing.count) (published as the \(missingSequences.first.map(String.init) ?? "-")…\(missingSequences.last.map(String.init) ?? "-")th), stored twice \(doubled.count)"
            print("publish-probe \(variant) seed \(seed): \(line)")
            if !missing.isEmpty || !doubled.isEmpty { problems.append(line) }
        }
        await reader.close()
        print("publish-probe \(variant) seed \(seed): faults \(log)")
        if !problems.isEmpty {
            for i in 0..<3 { print("node \(i) log tail:\n\(cluster.log(i).suffix(6000))") }
        }
        #expect(problems.isEmpty, "every acknowledged message stored exactly once: \(problems)")
    }
}
