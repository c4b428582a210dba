import Columnstore
import Foundation
import Testing
@testable import Migrate

/// How `projection-migrate rebuild`/`rollback` name a partitioned projection's consumers, and how the
/// replay's progress is read from a replica-mode `/admin/ingestion`; no I/O.
@Suite("Partitioned rebuild settings")
struct PartitionedRebuildSettingsTests {
    @Test("PROJECTION_PARTITIONS: one live consumer per partition, named like the replicas name them; rebuild consumers beside them")
    func consumers() throws {
        let settings = SettingsSource(values: ["PROJECTION_PARTITIONS": "3", "PROJECTION_DURABLE": "live-{partition}"])
        let generation = try RebuildGeneration.live(from: settings)
        #expect(generation.consumers == (0..<3).map { ConsumerID(projection: "orders-analytics", consumer: "live-\($0)", partition: $0) })
        #expect(generation.live == generation.consumers[0])
        #expect(generation.rebuild(of: generation.consumers[2]) == ConsumerID(projection: "orders-analytics__rebuild", consumer: "live-2__rebuild", partition: 2))
        let defaults = try RebuildGeneration.live(from: SettingsSource(values: ["PROJECTION_PARTITIONS": "2", "PROJECTION_NAME": "shop"]))
        #expect(defaults.consumers.map(\.consumer) == ["projection-shop-p0", "projection-shop-p1"])
        let partitions = try #require(try RebuildPartitions(SettingsSource(values: ["PROJECTION_PARTITIONS": "2", "PROJECTION_LEASE_TTL_MS": "3000"])))
        #expect(partitions.ttl == .seconds(3))
        #expect(partitions.bucket == "projection_leases")
    }

    @Test("without PROJECTION_PARTITIONS: the one hand-configured consumer, as before")
    func single() throws {
        let generation = try RebuildGeneration.live(from: SettingsSource(values: ["PROJECTION_PARTITION": "4"]))
        #expect(generation.consumers == [ConsumerID(projection: "orders-analytics", consumer: "projection-orders-analytics-p4", partition: 4)])
        #expect(try RebuildPartitions(SettingsSource(values: [:])) == nil)
    }

    @Test("replay progress: summed over the partitions once all run; caught up by the furthest-behind one")
    func progress() throws {
        func progress(_ json: String) throws -> IngestionProgress { try JSONDecoder().decode(IngestionProgress.self, from: Data(json.utf8)) }
        func partition(_ n: Int, _ checkpoint: Int, _ last: Int) -> String {
            #"{"partition":\#(n),"status":{"checkpoint":\#(checkpoint),"stream_last_sequence":\#(last)}}"#
        }
        let all = try #require(RebuildCommand.progress(try progress(#"{"partitions":[\#(partition(0, 90, 100)),\#(partition(1, 50, 50)),\#(partition(2, 0, 7))]}"#), partitions: 3))
        #expect(all == (140, 157, 10))
        // Not every partition runs yet: no progress to judge.
        #expect(RebuildCommand.progress(try progress(#"{"partitions":[\#(partition(0, 90, 100))]}"#), partitions: 3) == nil)
        let single = try #require(RebuildCommand.progress(try progress(#"{"checkpoint":5,"stream_last_sequence":9,"lag":4}"#), partitions: nil))
        #expect(single == (5, 9, 4))
    }
}
