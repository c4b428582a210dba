import Columnstore
import Foundation
import JetStream
import Testing

/// The rows of docs/RELIABILITY.md's fault matrix that no other test covers, CI-sized, with the real
/// `projection-ingest` on both stores: the ingest process frozen (SIGSTOP) past its ack wait, the store
/// slowed by a latency proxy, a flood of poison facts, and a producer's flood of duplicates. Each ends
/// with exact totals and writes its measured cell (`FaultMatrixCell`); times are reported, never asserted.
///
/// Gated like the chaos tests (PROJECTION_CHAOS=1): it runs in the chaos stage.
@Suite("Fault matrix: ingest frozen, slow store, poison and duplicate floods", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PROJECTION_CHAOS"] == "1"))
struct FaultMatrixTests {
    static let orders = Int(ProcessInfo.processInfo.environment["PROJECTION_FAULT_MATRIX_ORDERS"] ?? "") ?? 6_000

    struct Run {
        var fixture: StoreFixture
        var corpus: FactCorpus
        var stream: String
        var subject: String
        var environment: [String: String]
    }

    /// - Parameters:
    ///   - fixture: the store to use (default: a fresh one); `dsn`: how ingest reaches it (default: directly).
    func prepare(_ kind: StoreKind, prefix: String, seed: UInt64, publish range: (Int) -> Range<Int>,
                 fixture given: StoreFixture? = nil, dsn: String? = nil, extra: [String: String] = [:]) async throws -> Run {
        let fixture: StoreFixture
        if let given { fixture = given } else { fixture = try await StoreFixture.make(kind, prefix: prefix) }
        let stream = DevStack.uniqueName(prefix.uppercased()).uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: Self.orders, seed: seed)
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: range(corpus.messages.count))
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue,
            "PROJECTION_STORE_DSN": dsn ?? fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>",
            "PROJECTION_DURABLE": "\(prefix)-\(subject)",
            "PROJECTION_BATCH_MAX_FACTS": "1000",
            "PROJECTION_RETRY_MAX_MS": "1000",
        ].merging(extra) { $1 }
        return Run(fixture: fixture, corpus: corpus, stream: stream, subject: subject, environment: environment)
    }

    /// Waits (generously) until ingest reached `last`, stops it, and checks the totals against `expected`.
    /// - Returns: whether ingest reached `last` by itself.
    func finish(_ run: Run, _ ingest: IngestProcess, last: UInt64, expected: FactCorpus) async throws -> Bool {
        try await Eventually.wait("ingest caught up", timeout: .seconds(180)) { (await ingest.checkpoint() ?? 0) >= last || !ingest.isRunning }
        let checkpointNow = await ingest.checkpoint()
        let reached = ingest.isRunning && checkpointNow == last
        #expect(reached, "ingest reached the stream's end by itself; log:\n\(ingest.log.suffix(3000))")
        let (exited, status) = await ingest.terminate(timeout: .seconds(15))
        #expect(exited && status == 0, "SIGTERM drains and exits 0")
        return reached
    }

    func expectTotals(_ run: Run, expected: FactCorpus) async throws {
        let daily = try await run.fixture.dailyTotals()
        #expect(daily == expected.daily, "daily_sales: 0 lost, 0 doubled")
        let orders = try await run.fixture.orders()
        #expect(orders == expected.orders, "orders: every order exactly once, latest version")
        #expect(try await run.fixture.quarantineCount() == expected.poisonCount, "the quarantine holds exactly the poison facts")
        if daily == expected.daily, orders == expected.orders {
            await run.fixture.drop()
            await FactPublisher.deleteStream(run.stream)
        }
    }

    /// Frozen for 12 s (past a 5 s ack wait, so JetStream redelivers the unacked batch) while the second
    /// half is published; on SIGCONT the woken process finds its pulls expired and its batch redelivered.
    @Test("ingest frozen (SIGSTOP) past its ack wait mid-drain, then thawed", arguments: [StoreKind.postgres, .clickhouse])
    func ingestFrozen(kind: StoreKind) async throws {
        let run = try await prepare(kind, prefix: "fmfreeze", seed: 41, publish: { 0..<($0 / 2) }, extra: ["PROJECTION_ACK_WAIT_MS": "5000"])
        let half = run.corpus.messages.count / 2
        let ingest = IngestProcess(environment: run.environment)
        try ingest.start()
        defer { ingest.thaw(); ingest.kill9() }
        try await Eventually.wait("a quarter applied", timeout: .seconds(120)) { (await ingest.checkpoint() ?? 0) >= UInt64(half / 2) }
        let atFreeze = await ingest.checkpoint() ?? 0
        ingest.freeze()
        let clock = ContinuousClock()
        let frozenAt = clock.now
        let last = try await FactPublisher.publish(run.corpus, stream: run.stream, subjects: ["\(run.subject).>"], range: half..<run.corpus.messages.count)
        while clock.now - frozenAt < .seconds(12) { try await clock.sleep(for: .milliseconds(100)) }
        ingest.thaw()
        let thawedAt = clock.now
        var movingAfter: Duration?
        try await Eventually.wait("ingest moving after the thaw", timeout: .seconds(120)) {
            guard (await ingest.checkpoint() ?? 0) > atFreeze else { return false }
            movingAfter = clock.now - thawedAt
            return true
        }
        let reached = try await finish(run, ingest, last: last, expected: run.corpus)
        await FaultMatrixCell(
            fault: "ingest-sigstop", store: kind, facts: last, stalled: !reached, recovery: movingAfter.map { [$0] } ?? [],
            recoveryMeaning: "from SIGCONT until ingest's checkpoint moved again", expected: run.corpus, fixture: run.fixture,
            note: "frozen 12 s at checkpoint \(atFreeze), ack wait 5 s").write()
        try await expectTotals(run, expected: run.corpus)
    }

    /// Every byte between ingest and the store delayed 100 ms each way (a round trip costs 200 ms) for the
    /// second half of the drain; the rate with and without the latency is reported.
    @Test("the store slowed by 100 ms each way (a latency proxy) mid-drain", arguments: [StoreKind.postgres, .clickhouse])
    func storeSlow(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "fmslow")
        var target = URLComponents(string: fixture.dsn)!
        let latency = try await LatencyProxy.start(targetHost: target.host ?? "127.0.0.1", targetPort: target.port ?? (kind == .postgres ? 5432 : 8123))
        target.host = "127.0.0.1"
        target.port = latency.port
        let run = try await prepare(kind, prefix: "fmslow", seed: 42, publish: { 0..<$0 }, fixture: fixture, dsn: target.string!,
                                  extra: ["PROJECTION_BATCH_MAX_FACTS": "500"])
        let last = UInt64(run.corpus.messages.count)
        let ingest = IngestProcess(environment: run.environment)
        let clock = ContinuousClock()
        try ingest.start()
        defer { ingest.kill9() }
        // The rate without latency is taken from the first commit on (not from the process start).
        var firstCommit: (at: ContinuousClock.Instant, checkpoint: UInt64)?
        try await Eventually.wait("a first commit", timeout: .seconds(120)) {
            guard let checkpoint = await ingest.checkpoint(), checkpoint > 0 else { return false }
            firstCommit = (clock.now, checkpoint)
            return true
        }
        let quarter = last / 4
        try await Eventually.wait("a quarter applied", timeout: .seconds(120)) { (await ingest.checkpoint() ?? 0) >= quarter }
        let fastPart = await ingest.checkpoint() ?? 0
        // When the first reading already showed a quarter applied there is no rate to report (not 0).
        let fastFacts = fastPart - min(fastPart, firstCommit?.checkpoint ?? 0)
        let fastRate = Double(fastFacts) / max(FaultMatrixCell.seconds(clock.now - (firstCommit?.at ?? clock.now)), 0.01)
        let withoutLatency = fastFacts > 0 ? "\(Int(fastRate)) facts/s without" : "a quarter applied before the first reading without it"
        latency.setLatency(.milliseconds(100))
        let slowedAt = clock.now
        let atSlow = fastPart
        // Half of what is left, under latency.
        let slowTarget = atSlow + (last - atSlow) / 2
        var stalled = false
        try await Eventually.wait("half of the rest applied under latency", timeout: .seconds(240)) {
            if !ingest.isRunning { stalled = true; return true }
            return (await ingest.checkpoint() ?? 0) >= slowTarget
        }
        let slowPart = (await ingest.checkpoint() ?? atSlow) - atSlow
        let slowRate = Double(slowPart) / FaultMatrixCell.seconds(clock.now - slowedAt)
        latency.setLatency(.zero)
        let restoredAt = clock.now
        let atRestore = await ingest.checkpoint() ?? 0
        var movingAfter: Duration?
        try await Eventually.wait("ingest moving after the latency is gone", timeout: .seconds(120)) {
            let now = await ingest.checkpoint() ?? 0
            guard now > atRestore || now >= last else { return false }
            movingAfter = clock.now - restoredAt
            return true
        }
        let reached = try await finish(run, ingest, last: last, expected: run.corpus)
        await FaultMatrixCell(
            fault: "store-slow", store: kind, facts: last, stalled: stalled || !reached, recovery: movingAfter.map { [$0] } ?? [],
            recoveryMeaning: "from removing the latency until ingest's checkpoint moved again", expected: run.corpus, fixture: run.fixture,
            note: "\(Int(slowRate)) facts/s under 100 ms each way, \(withoutLatency)").write()
        try await expectTotals(run, expected: run.corpus)
        await latency.stop()
    }

    /// 3,000 poison facts (the corpus' four kinds: bad JSON, a wrong type, a missing key, no id) in one
    /// burst between the two halves: each is quarantined, none holds the stream up.
    @Test("a poison flood: 3,000 bad facts in a burst mid-stream", arguments: [StoreKind.postgres, .clickhouse])
    func poisonFlood(kind: StoreKind) async throws {
        let flood = 3_000
        let run = try await prepare(kind, prefix: "fmpoison", seed: 43, publish: { 0..<($0 / 2) })
        let half = run.corpus.messages.count / 2
        let poison = FactCorpus.poisonFlood(subjectPrefix: run.subject, count: flood)
        let floodLast = try await FactPublisher.publish(poison, stream: run.stream, subjects: ["\(run.subject).>"])
        let floodFirst = floodLast - UInt64(flood) + 1
        let last = try await FactPublisher.publish(run.corpus, stream: run.stream, subjects: ["\(run.subject).>"], range: half..<run.corpus.messages.count)
        var expected = run.corpus
        expected.poisonCount += flood

        let ingest = IngestProcess(environment: run.environment)
        try ingest.start()
        defer { ingest.kill9() }
        let clock = ContinuousClock()
        var reachedFlood: ContinuousClock.Instant?
        var through: Duration?
        try await Eventually.wait("ingest through the flood", timeout: .seconds(180)) {
            let now = await ingest.checkpoint() ?? 0
            if reachedFlood == nil, now >= floodFirst - 1 { reachedFlood = clock.now }
            guard now >= floodLast, let reachedFlood else { return !ingest.isRunning }
            through = clock.now - reachedFlood
            return true
        }
        let reached = try await finish(run, ingest, last: last, expected: expected)
        await FaultMatrixCell(
            fault: "poison-flood", store: kind, facts: last, stalled: !reached, recovery: through.map { [$0] } ?? [],
            recoveryMeaning: "from reaching the flood until ingest's checkpoint passed it (every poison fact quarantined)",
            expected: expected, fixture: run.fixture,
            note: "\(flood) poison facts in a row, \(through.map { Int(Double(flood) / max(FaultMatrixCell.seconds($0), 0.01)) } ?? 0) quarantined/s").write()
        try await expectTotals(run, expected: expected)
    }

    /// After the corpus is applied, its producer re-publishes every good fact twice more under new message
    /// ids (so the stream's duplicate window cannot drop them): the store's idempotency keys must.
    @Test("a producer's duplicate flood: every fact re-published twice under new message ids", arguments: [StoreKind.postgres, .clickhouse])
    func duplicateFlood(kind: StoreKind) async throws {
        let run = try await prepare(kind, prefix: "fmdup", seed: 44, publish: { 0..<$0 })
        let first = UInt64(run.corpus.messages.count)
        let ingest = IngestProcess(environment: run.environment)
        try ingest.start()
        defer { ingest.kill9() }
        try await ingest.waitForCheckpoint(first, timeout: .seconds(180))
        let repeats = FactCorpus.duplicateFlood(of: run.corpus, rounds: 2)
        let clock = ContinuousClock()
        let floodAt = clock.now
        let last = try await FactPublisher.publish(repeats, stream: run.stream, subjects: ["\(run.subject).>"])
        var through: Duration?
        try await Eventually.wait("ingest through the duplicates", timeout: .seconds(180)) {
            guard (await ingest.checkpoint() ?? 0) >= last else { return !ingest.isRunning }
            through = clock.now - floodAt
            return true
        }
        let reached = try await finish(run, ingest, last: last, expected: run.corpus)
        let flood = repeats.messages.count
        await FaultMatrixCell(
            fault: "duplicate-flood", store: kind, facts: last, stalled: !reached, recovery: through.map { [$0] } ?? [],
            recoveryMeaning: "from the start of the flood's publishing until ingest's checkpoint passed it (published and applied)",
            expected: run.corpus, fixture: run.fixture,
            note: "\(flood) duplicates after \(first) facts, \(through.map { Int(Double(flood) / max(FaultMatrixCell.seconds($0), 0.01)) } ?? 0) duplicates/s").write()
        try await expectTotals(run, expected: run.corpus)
    }
}
