import ClickHouseBackend
import ClickHouseHTTP
import Columnstore
import Foundation
import JetStream
import Logging
import PostgresBackend
import Testing

/// Lease epochs are the lease bucket's revisions, which start again at 1 when the bucket is deleted and
/// re-created. The store's checkpoints keep the old, higher epochs: before, every new owner was fenced
/// until the new bucket's revisions caught up (hours of renewals for a long-lived bucket). Now a replica
/// moves the bucket's revisions past the store's highest epoch and takes its partitions at once.
@Suite("A re-created lease bucket (dev stack)", .serialized)
struct LeaseBucketRecreationTests {
    @Test("the bucket deleted under high store epochs: the replica moves its revisions past them and applies new facts", arguments: [StoreKind.postgres, .clickhouse])
    func recreated(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "leaseepoch")
        let bucket = DevStack.uniqueName("leaseepoch")
        let stream = DevStack.uniqueName("LEASEEPOCH").uppercased()
        let lower = stream.lowercased()
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-lease-epoch")
        let js = try connection.jetStream()
        func replica(_ id: String) -> IngestProcess {
            IngestProcess(environment: [
                "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
                "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_PARTITIONS": "1",
                "PROJECTION_STREAM": "\(stream)_P{partition}", "PROJECTION_SUBJECTS": "\(lower).p{partition}.>",
                "PROJECTION_DURABLE": "leaseepoch-p{partition}", "PROJECTION_LEASE_BUCKET": bucket,
                "PROJECTION_LEASE_TTL_MS": "3000", "PROJECTION_REPLICA_ID": id, "PROJECTION_BATCH_LINGER_MS": "20",
            ])
        }
        func checkpoint() async throws -> (sequence: UInt64, epoch: UInt64, projection: String, consumer: String)? {
            let rows = try await fixture.rows(
                "SELECT last_sequence, lease_epoch, projection, consumer FROM _projection_checkpoints WHERE partition = 0 ORDER BY version DESC, lease_epoch DESC LIMIT 1",
                postgres: "SELECT last_sequence, lease_epoch, projection, consumer FROM _projection_checkpoints WHERE partition = 0 ORDER BY lease_epoch DESC LIMIT 1")
            guard let row = rows.first, row.count == 4, let sequence = UInt64(row[0]), let epoch = UInt64(row[1]) else { return nil }
            return (sequence, epoch, row[2], row[3])
        }
        func waitApplied(_ last: UInt64) async throws -> (sequence: UInt64, epoch: UInt64, projection: String, consumer: String)? {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while clock.now < deadline {
                if let row = try? await checkpoint(), row.sequence >= last { return row }
                try await clock.sleep(for: .milliseconds(200))
            }
            return try await checkpoint()
        }

        let corpus = FactCorpus(subjectPrefix: "\(lower).p0", orders: 40, seed: 5)
        let half = corpus.messages.count / 2
        let firstLast = try await FactPublisher.publish(corpus, stream: "\(stream)_P0", subjects: ["\(lower).p0.>"], range: 0..<half)
        let before = replica("first")
        try before.start()
        let applied = try await waitApplied(firstLast)
        #expect(applied?.sequence == firstLast, "log:\n\(before.log.suffix(2000))")
        _ = await before.terminate()
        let row = try #require(applied)

        // A long-lived bucket's epochs: many renewals later. Raised through the store's own fence.
        let high: UInt64 = 10_000
        let consumer = ConsumerID(projection: row.projection, consumer: row.consumer, partition: 0)
        switch kind {
        case .postgres:
            try await PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test.lease-epoch")).fence(consumer, epoch: high)
        case .clickhouse:
            try await ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics).fence(consumer, epoch: high)
        }
        try await js.deleteKeyValueBucket(name: bucket)

        let secondLast = try await FactPublisher.publish(corpus, stream: "\(stream)_P0", subjects: ["\(lower).p0.>"], range: half..<corpus.messages.count)
        try #require(secondLast > firstLast)
        let after = replica("second")
        try after.start()
        let reapplied = try await waitApplied(secondLast)
        #expect(reapplied?.sequence == secondLast, "log:\n\(after.log.suffix(3000))")
        #expect((reapplied?.epoch ?? 0) > high, "log:\n\(after.log.suffix(3000))")
        #expect(after.log.contains("moving them past the epoch"), "log:\n\(after.log.suffix(3000))")
        _ = await after.terminate()

        try? await js.deleteKeyValueBucket(name: bucket)
        await FactPublisher.deleteStream("\(stream)_P0")
        await connection.close()
        await fixture.drop()
    }
}
