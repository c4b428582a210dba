import Columnstore
import Foundation
import JetStream
import Testing

/// The server expires lease keys by the bucket's own TTL, the replica renews and stops by
/// `PROJECTION_LEASE_TTL_MS`: an existing bucket made with another TTL keeps it. A replica that finds
/// them different takes no partition and says why (before, a shorter bucket TTL let another replica take
/// a partition before its owner stopped writing; none kept a dead replica's partitions for ever).
@Suite("Lease bucket TTL against PROJECTION_LEASE_TTL_MS (dev stack)", .serialized)
struct LeaseBucketTTLTests {
    @Test("a bucket with another TTL: no partition taken, the log names the setting; the same TTL: the partition is taken")
    func mismatchRefused() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "leasettl")
        let bucket = DevStack.uniqueName("leasettl")
        let stream = DevStack.uniqueName("LEASETTL").uppercased()
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-lease-ttl")
        _ = try await connection.jetStream().keyValueBucket(name: bucket, ttl: .seconds(5))
        func replica(ttlMs: Int) -> IngestProcess {
            IngestProcess(environment: [
                "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
                "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_PARTITIONS": "1",
                "PROJECTION_STREAM": "\(stream)_P{partition}", "PROJECTION_SUBJECTS": "\(stream.lowercased()).p{partition}.>",
                "PROJECTION_DURABLE": "leasettl-p{partition}", "PROJECTION_LEASE_BUCKET": bucket,
                "PROJECTION_LEASE_TTL_MS": String(ttlMs), "PROJECTION_REPLICA_ID": "replica-\(ttlMs)",
            ])
        }
        let clock = ContinuousClock()

        let mismatched = replica(ttlMs: 15_000)
        try mismatched.start()
        var named = false
        let by = clock.now + .seconds(120) // hang guard: start, connect and log on a loaded machine
        while !named, clock.now < by {
            named = mismatched.log.contains("PROJECTION_LEASE_TTL_MS") && mismatched.log.contains("expires keys after 5000 ms")
            if !named { try await clock.sleep(for: .milliseconds(200)) }
        }
        #expect(named, "log:\n\(mismatched.log.suffix(2000))")
        #expect(await FrozenReplicaTakeoverTests.partitions(of: mismatched).isEmpty)
        #expect(await mismatched.get("/readyz") == 503)
        _ = await mismatched.terminate()

        let matching = replica(ttlMs: 5_000)
        try matching.start()
        var taken: [Int] = []
        let takenBy = clock.now + .seconds(60)
        while taken.isEmpty, clock.now < takenBy {
            taken = await FrozenReplicaTakeoverTests.partitions(of: matching)
            if taken.isEmpty { try await clock.sleep(for: .milliseconds(200)) }
        }
        #expect(taken == [0], "log:\n\(matching.log.suffix(2000))")
        _ = await matching.terminate()

        try? await connection.jetStream().deleteKeyValueBucket(name: bucket)
        await FactPublisher.deleteStream("\(stream)_P0")
        await connection.close()
        await fixture.drop()
    }
}
