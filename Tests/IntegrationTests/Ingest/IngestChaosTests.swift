import Columnstore
import Foundation
import Testing
import IngestTestKit

/// The exactly-once claim under abuse, with the real `projection-ingest` binary: ≥100,000 facts over 3
/// tenants with producer duplicates and poison facts; the process is `kill -9`ed at random moments (some
/// while a batch is being written) and restarted; the store is stopped for 30 s; nats-server is restarted.
/// The totals must come out exact every time.
///
/// These tests stop shared dev-stack servers, so they run alone: `dev/stack test` runs them in a second
/// `swift test` pass with PROJECTION_CHAOS=1 (and `dev/chaos.sh` runs only them).
@Suite("Ingest under crashes and outages", .serialized, .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS"] == "1"))
struct IngestChaosTests {
    static let orders = Int(ProcessInfo.processInfo.environment["PROJECTION_CHAOS_ORDERS"] ?? "") ?? 80_000

    struct Run {
        var fixture: StoreFixture
        var corpus: FactCorpus
        var stream: String
        var last: UInt64
        var environment: [String: String]
    }

    /// - Parameter publishFraction: how much of the corpus to publish now; the rest is published by the test.
    func prepare(_ kind: StoreKind, publishFraction: Double = 1) async throws -> Run {
        let fixture = try await StoreFixture.make(kind, prefix: "chaos")
        let stream = DevStack.uniqueName("CHAOS").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: Self.orders, seed: 7)
        let now = Int(Double(corpus.messages.count) * publishFraction)
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<now)
        let last = UInt64(corpus.messages.count)
        #expect(last >= 100_000 || Self.orders < 80_000)
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>",
            "PROJECTION_DURABLE": "chaos-\(subject)",
            "PROJECTION_BATCH_MAX_FACTS": "2000",
            "PROJECTION_RETRY_MAX_MS": "1000",
        ]
        return Run(fixture: fixture, corpus: corpus, stream: stream, last: last, environment: environment)
    }

    /// A fault matrix cell to write once the run is over (docs/RELIABILITY.md).
    struct Cell {
        var fault: String
        var recovery: [Duration]
        var meaning: String
        var note = ""
    }

    func finish(_ run: Run, _ ingest: IngestProcess, timeout: Duration = .seconds(300), cell: Cell? = nil) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let checkpoint = await ingest.checkpoint(), checkpoint >= run.last { break }
            if !ingest.isRunning { try ingest.start() }
            try await clock.sleep(for: .milliseconds(200))
        }
        let reached = await ingest.checkpoint() == run.last
        #expect(reached, "ingest did not catch up; log:\n\(ingest.log.suffix(3000))")
        let (exited, status) = await ingest.terminate(timeout: .seconds(15))
        #expect(exited && status == 0, "SIGTERM must drain and exit 0 within the bound")
        if let cell {
            await FaultMatrixCell(fault: cell.fault, store: run.fixture.kind, facts: run.last, stalled: !reached, recovery: cell.recovery,
                                  recoveryMeaning: cell.meaning, expected: run.corpus, fixture: run.fixture, note: cell.note).write()
        }
        try await expectTotals(run)
        if ingest.log.contains("a batch skipped a message the stream holds") {
            // Not a failure: the gap check did its job. Worth seeing in the test log.
            print("chaos: the gap check held back a batch with a lost delivery (\(run.fixture.name))")
        }
    }

    func expectTotals(_ run: Run) async throws {
        let daily = try await run.fixture.dailyTotals()
        let count = daily.values.flatMap(\.values).reduce(Int64(0)) { $0 + $1.orderCount }
        let gross = daily.values.flatMap(\.values).reduce(Int64(0)) { $0 + $1.grossCents }
        #expect(daily == run.corpus.daily, "daily_sales: 0 lost, 0 doubled; store has \(count) orders / \(gross) cents, published \(run.corpus.totalOrderCount) / \(run.corpus.totalGross)")
        let orders = try await run.fixture.orders()
        #expect(orders == run.corpus.orders, "orders: every order exactly once, latest version")
        if orders != run.corpus.orders {
            // Name what is missing or extra, and keep the data for a post-mortem.
            var missing: [String] = []
            for (tenant, byID) in run.corpus.orders { for id in byID.keys where orders[tenant]?[id] == nil { missing.append("\(tenant)/\(id)") } }
            Issue.record("missing orders (\(missing.count)): \(missing.sorted().prefix(40)); kept \(run.fixture.name) and stream \(run.stream)")
            return
        }
        #expect(try await run.fixture.quarantineCount() == run.corpus.poisonCount, "the quarantine holds exactly the poison facts")
        await run.fixture.drop()
        await FactPublisher.deleteStream(run.stream)
    }

    @Test("kill -9 at random moments, ten times, and restart", arguments: [StoreKind.postgres, .clickhouse])
    func killNine(kind: StoreKind) async throws {
        let run = try await prepare(kind)
        let ingest = IngestProcess(environment: run.environment)
        try ingest.start()
        var rng = SplitMix64(seed: 99)
        var killsDuringBatch = 0
        var kills = 0
        let clock = ContinuousClock()
        // Per restart, how long until the checkpoint moved past where the kill left it (the fault matrix's
        // recovery): the next strike waits at least its random pause and until that happened.
        var restartedAt: ContinuousClock.Instant?
        var atKill: UInt64 = 0
        var recoveries: [Duration] = []
        while kills < 10 {
            let pause = clock.now + .milliseconds(300 + Int(rng.next() % 1200))
            while clock.now < pause || restartedAt != nil {
                if let restarted = restartedAt, let checkpoint = await ingest.checkpoint(), checkpoint > atKill || checkpoint >= run.last {
                    recoveries.append(clock.now - restarted)
                    restartedAt = nil
                }
                if let restarted = restartedAt, clock.now - restarted > .seconds(60) { restartedAt = nil }
                try await clock.sleep(for: .milliseconds(20))
            }
            // Prefer to strike while a batch is being written.
            for _ in 0..<50 {
                if let admin = await ingest.admin(), !(admin["pending_batch"] is NSNull), admin["pending_batch"] != nil { killsDuringBatch += 1; break }
                try await clock.sleep(for: .milliseconds(5))
            }
            atKill = await ingest.checkpoint() ?? atKill
            ingest.kill9()
            kills += 1
            if atKill >= run.last { break }
            try ingest.start()
            restartedAt = clock.now
        }
        #expect(kills >= 10 || killsDuringBatch > 0)
        if !ingest.isRunning { try ingest.start() }
        try await finish(run, ingest, cell: Cell(
            fault: "ingest-kill9", recovery: recoveries, meaning: "per kill, from the restart until ingest's checkpoint moved past where the kill left it",
            note: "\(kills) kills, \(killsDuringBatch) while a batch was being written"))
    }

    /// Half the facts are applied, the store goes down, the other half is published into the outage.
    @Test("the store stopped for 30 s mid-run", arguments: [StoreKind.postgres, .clickhouse])
    func storeOutage(kind: StoreKind) async throws {
        let run = try await prepare(kind, publishFraction: 0.5)
        let half = UInt64(run.corpus.messages.count / 2)
        let ingest = IngestProcess(environment: run.environment)
        try ingest.start()
        let clock = ContinuousClock()
        while (await ingest.checkpoint() ?? 0) < half { try await clock.sleep(for: .milliseconds(50)) }
        try DevStackControl.stop(kind == .postgres ? "postgres" : "clickhouse")
        let subject = run.environment["PROJECTION_SUBJECTS"]!
        _ = try await FactPublisher.publish(run.corpus, stream: run.stream, subjects: [subject], range: run.corpus.messages.count / 2..<run.corpus.messages.count)
        try await clock.sleep(for: .seconds(30))
        #expect(await ingest.get("/readyz") == 503, "not ready while the store is down")
        let during = await ingest.checkpoint() ?? 0
        #expect(during == half, "nothing is applied while the store is down")
        try DevStackControl.up()
        let backAt = clock.now
        var movingAfter: Duration?
        try await Eventually.wait("ingest moving after the store is back", timeout: .seconds(180)) {
            guard (await ingest.checkpoint() ?? 0) > half else { return !ingest.isRunning }
            movingAfter = clock.now - backAt
            return true
        }
        try await finish(run, ingest, cell: Cell(
            fault: "store-down-30s", recovery: movingAfter.map { [$0] } ?? [],
            meaning: "from the store answering again (dev/stack up returned) until ingest's checkpoint moved"))
    }

    /// The store dies while batches are being written (not while ingest idles).
    @Test("the store stopped while batches are in flight", .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS_MIDBATCH"] == "1"), arguments: [StoreKind.clickhouse, .postgres])
    func storeKilledMidBatch(kind: StoreKind) async throws {
        let run = try await prepare(kind, publishFraction: 1)
        let ingest = IngestProcess(environment: run.environment.merging(["PROJECTION_BATCH_MAX_FACTS": "500"]) { $1 })
        try ingest.start()
        let clock = ContinuousClock()
        while (await ingest.checkpoint() ?? 0) < run.last / 5 { try await clock.sleep(for: .milliseconds(5)) }
        try DevStackControl.stop(kind == .postgres ? "postgres" : "clickhouse")
        let during = await ingest.checkpoint() ?? 0
        try await clock.sleep(for: .seconds(5))
        try DevStackControl.up()
        try await finish(run, ingest)
        #expect(during < run.last)
    }

    /// Half the facts are applied, nats-server restarts, the other half is published after it.
    @Test("nats-server restarted mid-run", arguments: [StoreKind.postgres, .clickhouse])
    func natsRestart(kind: StoreKind) async throws {
        let run = try await prepare(kind, publishFraction: 0.5)
        let half = UInt64(run.corpus.messages.count / 2)
        let ingest = IngestProcess(environment: run.environment)
        try ingest.start()
        let clock = ContinuousClock()
        while (await ingest.checkpoint() ?? 0) < half / 2 { try await clock.sleep(for: .milliseconds(20)) }
        try DevStackControl.stop("nats")
        try await clock.sleep(for: .seconds(3))
        #expect(await ingest.get("/readyz") == 503, "not ready while NATS is down")
        let atStop = await ingest.checkpoint() ?? 0
        try DevStackControl.up()
        let backAt = clock.now
        let subject = run.environment["PROJECTION_SUBJECTS"]!
        _ = try await FactPublisher.publish(run.corpus, stream: run.stream, subjects: [subject], range: run.corpus.messages.count / 2..<run.corpus.messages.count)
        var movingAfter: Duration?
        try await Eventually.wait("ingest moving after NATS is back", timeout: .seconds(180)) {
            guard (await ingest.checkpoint() ?? 0) > atStop else { return !ingest.isRunning }
            movingAfter = clock.now - backAt
            return true
        }
        try await finish(run, ingest, cell: Cell(
            fault: "nats-restart", recovery: movingAfter.map { [$0] } ?? [],
            meaning: "from nats-server answering again (dev/stack up returned) until ingest's checkpoint moved (the second half is published meanwhile)"))
    }
}

/// Stops and starts dev-stack services through `dev/stack`, exactly as an operator would.
enum DevStackControl {
    static func stop(_ service: String) throws { try run(["stop", service]) }
    static func up() throws { try run(["up"]) }

    /// posix_spawn + waitpid: Foundation's `Process.waitUntilExit` can hang here when the child leaves
    /// daemons behind (dev/stack starts servers that outlive it).
    private static func run(_ arguments: [String]) throws {
        let path = StoreFixture.repositoryRoot.appendingPathComponent("dev/stack").path
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot start dev/stack"])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "dev/stack \(arguments.joined(separator: " ")) failed"])
        }
    }
}
