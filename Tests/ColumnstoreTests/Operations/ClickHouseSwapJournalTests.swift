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
        journal.next = 5
        #expect(journal.isDone)
        #expect(try ClickHouseSwapJournal(encoded: journal.encoded) == journal)
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
