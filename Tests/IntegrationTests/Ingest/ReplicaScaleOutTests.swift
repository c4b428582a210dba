import Columnstore
import Foundation
import JetStream
import Testing
import IngestTestKit

/// Scale-out under abuse (issue #7): 3 `projection-ingest` replicas share 6 partitions through leases
/// in a JetStream KV bucket while replicas are `kill -9`ed at random and restarted, over 1,000,000 facts
/// (`PROJECTION_SCALEOUT_FACTS`). The totals must come out exact, and every partition's checkpoint, read
/// from the store throughout, must only ever move forward.
///
/// Runs with the chaos suite (PROJECTION_CHAOS=1): it loads the machine for minutes.
@Suite("Replicas sharing partitions under kill -9", .serialized, .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS"] == "1"))
struct ReplicaScaleOutTests {
    static let facts = Int(ProcessInfo.processInfo.environment["PROJECTION_SCALEOUT_FACTS"] ?? "") ?? 1_000_000
    static let partitions = 6
    static let replicas = 3

    /// One published corpus for both stores: building and publishing a million facts takes a while.
    actor Shared {
        static let instance = Shared()
        private var corpus: PartitionedCorpus?
        private var users = 2

        func corpus() async throws -> PartitionedCorpus {
            if let corpus { return corpus }
            // About 1.27 messages per order (duplicates, refunds, poison, unconsumed types).
            let made = PartitionedCorpus(orders: Int(Double(ReplicaScaleOutTests.facts) / 1.27), partitions: ReplicaScaleOutTests.partitions, seed: 11)
            try await made.publish()
            corpus = made
            return made
        }

        func release() async {
            users -= 1
            if users == 0, let corpus { await corpus.deleteStreams(); self.corpus = nil }
        }
    }

    /// partition → committed sequence, as the store has it (ClickHouse: the newest checkpoint row).
    static func checkpoints(_ fixture: StoreFixture) async throws -> [Int: UInt64] {
        let rows = try await fixture.rows(
            """
            SELECT partition, argMax(if(state = 'after', last_sequence, first_sequence - 1), (version, lease_epoch))
            FROM _projection_checkpoints WHERE projection = 'orders-analytics' GROUP BY partition
            """,
            postgres: "SELECT partition, last_sequence FROM _projection_checkpoints WHERE projection = 'orders-analytics'")
        var result: [Int: UInt64] = [:]
        for row in rows where row.count == 2 {
            if let p = Int(row[0]), let s = UInt64(row[1]) { result[p] = s }
        }
        return result
    }

    static func epochs(_ fixture: StoreFixture) async throws -> [Int: UInt64] {
        let rows = try await fixture.rows(
            "SELECT partition, max(lease_epoch) FROM _projection_checkpoints WHERE projection = 'orders-analytics' GROUP BY partition",
            postgres: "SELECT partition, lease_epoch FROM _projection_checkpoints WHERE projection = 'orders-analytics'")
        var result: [Int: UInt64] = [:]
        for row in rows where row.count == 2 {
            if let p = Int(row[0]), let e = UInt64(row[1]) { result[p] = e }
        }
        return result
    }

    /// Polls the checkpoints until cancelled; records every step backwards.
    final class Monitor: @unchecked Sendable {
        private let lock = NSLock()
        private var highest: [Int: UInt64] = [:]
        private(set) var backwards: [String] = []
        private(set) var samples = 0

        func record(_ checkpoints: [Int: UInt64]) {
            lock.lock(); defer { lock.unlock() }
            samples += 1
            for (p, s) in checkpoints {
                if let before = highest[p], s < before { backwards.append("partition \(p): \(before) → \(s)") }
                highest[p] = max(highest[p] ?? 0, s)
            }
        }
        var result: (samples: Int, backwards: [String]) { lock.lock(); defer { lock.unlock() }; return (samples, backwards) }
    }

    @Test("3 replicas × 6 partitions, 1,000,000 facts, replicas killed at random: exact totals, checkpoints only forward",
          arguments: [StoreKind.postgres, .clickhouse])
    func killReplicas(kind: StoreKind) async throws {
        let shared = try await Shared.instance.corpus()
        let fixture = try await StoreFixture.make(kind, prefix: "scale")
        let bucket = DevStack.uniqueName("leases")
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_PARTITIONS": String(Self.partitions),
            "PROJECTION_STREAM": "\(shared.streamPrefix)_P{partition}",
            "PROJECTION_SUBJECTS": "\(shared.subjectPrefix).p{partition}.>",
            "PROJECTION_DURABLE": "\(kind.rawValue)-\(shared.subjectPrefix)-p{partition}",
            "PROJECTION_LEASE_BUCKET": bucket,
            "PROJECTION_LEASE_TTL_MS": "3000",
            "PROJECTION_RETRY_MAX_MS": "1000",
        ]
        let replicas = (0..<Self.replicas).map { i in
            IngestProcess(environment: environment.merging(["PROJECTION_REPLICA_ID": "replica-\(i)"]) { $1 })
        }
        for replica in replicas { try replica.start() }

        let monitor = Monitor()
        let clock = ContinuousClock()
        let watcher = Task {
            while !Task.isCancelled {
                if let checkpoints = try? await Self.checkpoints(fixture) { monitor.record(checkpoints) }
                try? await clock.sleep(for: .milliseconds(100))
            }
        }
        func caughtUp() async -> Bool {
            guard let checkpoints = try? await Self.checkpoints(fixture) else { return false }
            return (0..<Self.partitions).allSatisfy { checkpoints[$0] == shared.lastSequence[$0] }
        }

        // Every 2–6 s strike a random replica until caught up, and at least six times (a fast drain must
        // not dodge the strikes): kill -9 and a restart 0.5–3 s later, except that every third strike
        // freezes it (SIGSTOP) past its lease TTL and thaws it, so it wakes up as a zombie whose
        // partitions were taken over meanwhile.
        var rng = SplitMix64(seed: kind == .postgres ? 5 : 6)
        var kills = 0, freezes = 0
        let deadline = clock.now + .seconds(900)
        while clock.now < deadline {
            if kills + freezes >= 6, await caughtUp() { break }
            try await clock.sleep(for: .milliseconds(2_000 + Int(rng.next() % 4_000)))
            let victim = replicas[Int(rng.next() % UInt64(replicas.count))]
            guard victim.isRunning else { continue }
            if (kills + freezes) % 3 == 2 {
                victim.freeze()
                freezes += 1
                try await clock.sleep(for: .milliseconds(4_500 + Int(rng.next() % 1_500)))
                victim.thaw()
                continue
            }
            victim.kill9()
            kills += 1
            try await clock.sleep(for: .milliseconds(500 + Int(rng.next() % 2_500)))
            try victim.start()
            for replica in replicas where !replica.isRunning { try replica.start() }
        }
        // The last strike may have been a freeze: make sure every replica runs before checking.
        for replica in replicas where !replica.isRunning { try replica.start() }
        let settleDeadline = clock.now + .seconds(120)
        while clock.now < settleDeadline, !(await caughtUp()) { try await clock.sleep(for: .milliseconds(200)) }
        let done = await caughtUp()
        let reached = try? await Self.checkpoints(fixture)
        #expect(done, "the replicas did not catch up; checkpoints \(String(describing: reached)), expected \(shared.lastSequence)")
        #expect(kills >= 4 && freezes >= 2, "\(kills) kills and \(freezes) freezes")

        // SIGTERM drains every replica and hands its leases back. A replica restarted by the last strike
        // may still be loading (a signal before its handlers exist just kills it): wait until it answers.
        for replica in replicas {
            let answerDeadline = clock.now + .seconds(30)
            while clock.now < answerDeadline, await replica.get("/healthz") == nil { try await clock.sleep(for: .milliseconds(50)) }
        }
        for replica in replicas {
            let (exited, status) = await replica.terminate(timeout: .seconds(30))
            #expect(exited && status == 0, "SIGTERM must drain and exit 0; log:\n\(replica.log.suffix(2000))")
        }
        watcher.cancel()
        _ = await watcher.value
        let (samples, backwards) = monitor.result
        #expect(samples > 50)
        #expect(backwards.isEmpty, "checkpoints moved backwards: \(backwards.prefix(10))")
        let epochs = try await Self.epochs(fixture)
        #expect((0..<Self.partitions).allSatisfy { (epochs[$0] ?? 0) > 0 }, "every partition was written under a lease: \(epochs)")
        let logs = replicas.map(\.log)
        let fenced = logs.map { $0.components(separatedBy: "fenced").count - 1 }.reduce(0, +)
        let lapsed = logs.map { $0.components(separatedBy: "lease lapsed").count - 1 }.reduce(0, +)
        let lost = logs.map { $0.components(separatedBy: "lease lost").count - 1 }.reduce(0, +)
        print("scale-out \(kind.rawValue): \(shared.corpus.messages.count) facts, \(kills) kills, \(freezes) freezes, \(samples) checkpoint samples, epochs \(epochs.sorted { $0.key < $1.key }.map(\.value)); log lines: fenced \(fenced), lease lapsed \(lapsed), lease lost \(lost)")

        let daily = try await fixture.dailyTotals()
        #expect(daily == shared.corpus.daily, "daily_sales: 0 lost, 0 doubled")
        let orders = try await fixture.orders()
        #expect(orders == shared.corpus.orders, "orders: every order exactly once")
        #expect(try await fixture.quarantineCount() == shared.corpus.poisonCount, "the quarantine holds exactly the poison facts")
        if daily == shared.corpus.daily, orders == shared.corpus.orders { await fixture.drop() }
        await Shared.instance.release()
        if let connection = try? await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-cleanup") {
            try? await connection.jetStream().deleteKeyValueBucket(name: bucket)
            await connection.close()
        }
    }
}
