import Columnstore
import Foundation
@testable import Ingest
import Testing

/// `projection-migrate` reads `/admin/ingestion` as `IngestionProgress`: it must decode what the ingest
/// encodes, in both modes.
@Suite("Admin wire types")
struct AdminWireTests {
    @Test("IngestionProgress decodes the single consumer's and a replica's /admin/ingestion")
    func progressDecodesWhatIngestEncodes() throws {
        let status = IngestStatus()
        status.update { $0.checkpoint = 41; $0.streamLastSequence = 50; $0.lag = 9; $0.checkpointMovedAt = Date() }
        let single = try JSONDecoder().decode(IngestionProgress.self, from: status.ingestionJSON())
        #expect(single.checkpoint == 41 && single.streamLastSequence == 50 && single.partitions == nil)

        let replica = ReplicaStatus.Snapshot(replica: "r1", partitionCount: 2, liveReplicas: 1, leasesReachable: true, draining: false, partitions: [
            ReplicaStatus.PartitionSnapshot(partition: 1, leaseEpoch: 3, stream: "FACTS_P1", status: status.snapshot),
        ])
        let decoded = try JSONDecoder().decode(IngestionProgress.self, from: JSONEncoder().encode(replica))
        #expect(decoded.partitions?.map(\.partition) == [1] && decoded.partitions?.first?.status.checkpoint == 41)
    }

    @Test("pause and reload answers round-trip")
    func answers() throws {
        let pause = PauseAnswer(paused: true, idle: false)
        #expect(try JSONDecoder().decode(PauseAnswer.self, from: JSONEncoder().encode(pause)) == pause)
        #expect(try JSONDecoder().decode(ReloadAnswer.self, from: Data(#"{"reloaded":true}"#.utf8)) == ReloadAnswer(reloaded: true))
    }

    @Test("an unknown key is quoted in an error shortened and without control characters, not echoed whole")
    func unknownKeyIsShortened() {
        let long = String(repeating: "k", count: 1 << 20)
        #expect(AdminRoutes.printable(long) == "'\(String(repeating: "k", count: 64))'")
        #expect(AdminRoutes.printable("tenant\u{1B}[2J\n") == "'tenant[2J'")
        #expect(AdminRoutes.printable("limits") == "'limits'")
    }
}
