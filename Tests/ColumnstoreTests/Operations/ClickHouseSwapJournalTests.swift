import Columnstore
import Foundation
import Testing
@testable import ClickHouseBackend

/// The journal's steps and encoding, without a store: which step does what, what a rerun is told, and
/// journals written before tenant cutovers were journaled still decode as whole-namespace swaps.
@Suite("ClickHouse swap journal")
struct ClickHouseSwapJournalTests {
    static let generation = RebuildGeneration(live: ConsumerID(projection: "p", consumer: "d"))
    static let tables = ["orders", "daily_sales"]

    @Test("a tenant cutover: keys, quarantine, one step per table, then clearing the rebuild namespace")
    func tenantSteps() throws {
        var journal = ClickHouseSwapJournal(tenant: "t1", liveCheckpoint: 10, generation: Self.generation, tables: Self.tables)
        #expect(journal.kind == "tenant cutover")
        #expect(journal.totalSteps == 2 + Self.tables.count + 1)
        #expect(journal.incomingProjection == "p" + RebuildGeneration.rebuildSuffix)
        #expect((0..<journal.totalSteps).map { journal.table(atStep: $0) } == [nil, nil, "orders", "daily_sales", nil])
        #expect(journal.describe(step: 0) == "replace tenant t1's seen keys")
        #expect(journal.describe(step: 3) == "replace tenant t1's rows of table daily_sales")
        #expect(journal.describe(step: 4) == "clear the rebuild's checkpoints, seen keys and quarantine")
        #expect(journal.describe(step: 5) == "done")
        #expect(journal.rerun == "rebuild --tenant t1 --cutover")
        journal.next = 4
        #expect(!journal.isDone)
        #expect(try ClickHouseSwapJournal(encoded: journal.encoded) == journal)
        journal.next = journal.doneStep
        #expect(journal.isDone && journal.doneStep == ClickHouseSwapJournal.internalSteps + Self.tables.count)
        #expect(try ClickHouseSwapJournal(encoded: journal.encoded) == journal)
    }

    /// The journal as a release before journaled tenant cutovers decoded it: every journal a whole swap.
    struct OlderRelease: Decodable {
        var tables: [String]
        var uuids: [String: String]
        var next: Int
        var versionBase: UInt64
        var isDone: Bool { next >= ClickHouseSwapJournal.internalSteps + tables.count }
        var nextVersionBase: UInt64 { versionBase + UInt64(ClickHouseSwapJournal.internalSteps + tables.count) + 1 }
    }

    @Test("an older release refuses an unfinished tenant cutover's journal and reads a finished one as done")
    func olderReleaseReadsTenantJournals() throws {
        var journal = ClickHouseSwapJournal(tenant: "t1", liveCheckpoint: 10, generation: Self.generation, tables: Self.tables)
        journal.versionBase = 7
        for next in 0..<journal.totalSteps {
            journal.next = next
            // Unreadable there ("unreadable cutover journal"): it refuses rather than run a whole swap's steps.
            #expect(throws: DecodingError.self, "step \(next)") { try JSONDecoder().decode(OlderRelease.self, from: Data(journal.encoded.utf8)) }
        }
        journal.next = journal.doneStep
        let older = try JSONDecoder().decode(OlderRelease.self, from: Data(journal.encoded.utf8))
        #expect(older.isDone, "its ingest loads the checkpoint after a binary rollback")
        // Row versions keep rising whichever release writes the next swap.
        #expect(older.nextVersionBase > journal.versionBase + UInt64(journal.next))
        #expect(journal.nextVersionBase > journal.versionBase + UInt64(journal.next))
    }

    @Test("a whole cutover and a rollback keep their steps and reruns")
    func wholeSwaps() {
        let cutover = ClickHouseSwapJournal(incomingSuffix: RebuildGeneration.rebuildSuffix, incomingProjection: "p__rebuild", keepPrevious: true,
                                            generation: Self.generation, tables: Self.tables, uuids: [:])
        #expect(cutover.kind == "cutover" && cutover.rerun == "rebuild --cutover")
        #expect(cutover.totalSteps == ClickHouseSwapJournal.internalSteps + 2)
        #expect(cutover.table(atStep: ClickHouseSwapJournal.internalSteps) == "orders")
        #expect(cutover.describe(step: ClickHouseSwapJournal.internalSteps + 1) == "exchange table daily_sales")
        #expect(cutover.describe(step: cutover.totalSteps) == "done")
        let rollback = ClickHouseSwapJournal(incomingSuffix: RebuildGeneration.previousSuffix, incomingProjection: "p__previous", keepPrevious: false,
                                             generation: Self.generation, tables: Self.tables, uuids: [:])
        #expect(rollback.kind == "rollback" && rollback.rerun == "rollback")
    }

    @Test("the server stops a rebuilder's statement before its client gives up (no statement lands after a retry)")
    func serverTimesOutFirst() throws {
        let configuration = ClickHouseRebuilder.clientConfiguration
        let server = try #require(configuration.settings["max_execution_time"].flatMap { Int64($0) })
        #expect(Duration.seconds(server) < configuration.requestTimeout)
        #expect(Duration.seconds(server) >= .seconds(600), "long enough for a large tenant's copy")
    }

    @Test("a journal written before tenant cutovers is a whole-namespace swap")
    func olderJournal() throws {
        let older = """
            {"consumers":[{"consumer":"d","partition":0}],"incomingProjection":"p__rebuild","incomingSuffix":"__rebuild","keepPrevious":false,\
            "leaseEpochs":{},"next":2,"tables":["orders"],"uuids":{},"versionBase":1}
            """
        let journal = try ClickHouseSwapJournal(encoded: older)
        #expect(journal.tenant == nil && journal.liveCheckpoint == nil)
        #expect(journal.kind == "cutover" && journal.totalSteps == ClickHouseSwapJournal.internalSteps + 1)
        #expect(!journal.encoded.contains("tenant"), "a whole swap's journal reads as before")
    }
}
