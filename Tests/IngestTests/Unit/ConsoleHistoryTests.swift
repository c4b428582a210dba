import Foundation
import Testing
@testable import Ingest

/// The console's history: the bounded ring, one sample from the status and the commit-latency totals.
@Suite("Console history")
struct ConsoleHistoryTests {
    private func sample(_ t: Double) -> IngestionSample {
        IngestionSample(time: t, checkpoint: 0, streamLastSequence: 0, lag: 0, lagSeconds: 0, factsApplied: 0, appliedPerSecond: 0, batches: 0, commitSecondsMean: nil)
    }

    @Test("the ring keeps the last `capacity` samples, oldest first")
    func ring() throws {
        let history = IngestionHistory(capacity: 3)
        #expect(history.samples.isEmpty)
        for t in 1...2 { history.append(sample(Double(t))) }
        #expect(history.samples.map(\.time) == [1, 2])
        for t in 3...7 { history.append(sample(Double(t))) }
        #expect(history.samples.map(\.time) == [5, 6, 7])
        let json = try JSONSerialization.jsonObject(with: history.json()) as? [String: Any]
        #expect(json?["capacity"] as? Int == 3)
        #expect((json?["samples"] as? [[String: Any]])?.compactMap { $0["time"] as? Double } == [5, 6, 7])
    }

    @Test("commit latency totals from the Prometheus text, summed over label sets")
    func latencyParse() {
        let text = """
        # TYPE projection_batch_commit_seconds histogram
        projection_batch_commit_seconds_bucket{projection="orders",le="0.005"} 1
        projection_batch_commit_seconds_sum{projection="orders"} 0.75
        projection_batch_commit_seconds_count{projection="orders"} 3
        projection_batch_commit_seconds_sum{projection="other"} 0.25
        projection_batch_commit_seconds_count{projection="other"} 1
        projection_batch_size_count{projection="orders"} 99
        """
        #expect(CommitLatencyReader.parse(text) == .init(count: 4, sum: 1.0))
        #expect(CommitLatencyReader.parse("") == .init())
    }

    @Test("a sample sums partitions; rates and mean latency come from the pass before")
    func sampling() {
        var a = IngestStatus.Snapshot(), b = IngestStatus.Snapshot()
        a.checkpoint = 10; a.streamLastSequence = 15; a.lag = 5; a.factsApplied = 100; a.lagSeconds = 2
        b.checkpoint = 20; b.streamLastSequence = 20; b.lag = 0; b.factsApplied = 50; b.lagSeconds = 0
        let now = Date(timeIntervalSince1970: 1_000)
        let first = IngestionHistorySampler.sample(at: now, snapshots: [a, b], latency: .init(count: 2, sum: 0.5), previous: nil)
        #expect(first.checkpoint == 30 && first.streamLastSequence == 35 && first.lag == 5 && first.lagSeconds == 2)
        #expect(first.factsApplied == 150 && first.appliedPerSecond == 0 && first.commitSecondsMean == nil)
        let next = IngestionHistorySampler.sample(at: now.addingTimeInterval(2), snapshots: [a, b], latency: .init(count: 6, sum: 1.3),
                                                  previous: (now, 110, .init(count: 2, sum: 0.5)))
        #expect(next.appliedPerSecond == 20)
        #expect(next.batches == 4)
        #expect(abs((next.commitSecondsMean ?? 0) - 0.2) < 1e-9)
        // A replica that lost a partition: the sum drops, the rate is 0, not negative.
        let dropped = IngestionHistorySampler.sample(at: now.addingTimeInterval(3), snapshots: [b], latency: .init(count: 6, sum: 1.3),
                                                     previous: (now, 150, .init(count: 6, sum: 1.3)))
        #expect(dropped.appliedPerSecond == 0 && dropped.commitSecondsMean == nil)
    }

    @Test("a skip names its facts and says why")
    func skipRequest() throws {
        let parsed = try ConsoleRoutes.skipRequest(Array(#"{"sequences":[3,9],"partition":2,"note":"bad producer"}"#.utf8))
        #expect(parsed == .init(sequences: [3, 9], partition: 2, note: "bad producer"))
        for bad in [#"{"sequences":[3]}"#, #"{"sequences":[3],"note":"  "}"#, #"{"sequences":[],"note":"x"}"#, #"{"sequences":[0],"note":"x"}"#,
                    #"{"sequences":[true],"note":"x"}"#, #"{"sequences":[1],"note":"x","tenant":"t"}"#, #"{"sequences":[1],"note":"x","partition":5000}"#, "[1]"] {
            #expect(throws: (any Error).self, "\(bad)") { try ConsoleRoutes.skipRequest(Array(bad.utf8)) }
        }
    }

    @Test("audit keys stay in the NATS key alphabet")
    func auditKeys() {
        #expect(SkippedFact.key(projection: "orders-analytics", consumer: "projection-orders", partition: 0, sequence: 42) == "skip.orders-analytics.projection-orders.p0.s42")
        #expect(SkippedFact.key(projection: "a.b c*", consumer: "d>", partition: 3, sequence: 1) == "skip.a_b_c_.d_.p3.s1")
        // Another durable's entry at the same sequence gets a key of its own, still under the skipping
        // ingest's prefix (its listing).
        let other = SkippedFact.key(projection: "orders-analytics", consumer: "projection-orders", partition: 0, sequence: 42, entryConsumer: "other.d")
        #expect(other == "skip.orders-analytics.projection-orders.p0.s42.cother_d")
        #expect(other.hasPrefix(SkippedFact.keyPrefix(projection: "orders-analytics", consumer: "projection-orders")))
        let none = SkippedFact.key(projection: "orders-analytics", consumer: "projection-orders", partition: 0, sequence: 42, entryConsumer: "")
        #expect(none == "skip.orders-analytics.projection-orders.p0.s42.n", "an entry naming no durable has a key of its own too")
    }
}
