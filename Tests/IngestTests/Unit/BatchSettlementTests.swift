import Testing
@testable import Ingest

@Suite("Batch settlement on an ack-all consumer")
struct BatchSettlementTests {
    @Test("a batch without poison is settled by one ack of its highest sequence")
    func oneAck() {
        let settlement = BatchSettlement([(5, false), (7, false), (6, false)])
        #expect(settlement == BatchSettlement(ack: 7, terminate: []))
    }

    @Test("poison at the top: the ack goes to the highest fact below it, the poison is terminated")
    func poisonOnTop() {
        let settlement = BatchSettlement([(5, false), (6, true), (7, false), (8, true)])
        #expect(settlement == BatchSettlement(ack: 7, terminate: [6, 8]))
    }

    @Test("a batch of poison only is settled by its terms")
    func poisonOnly() {
        let settlement = BatchSettlement([(9, true), (8, true)])
        #expect(settlement == BatchSettlement(ack: nil, terminate: [8, 9]))
    }

    @Test("an empty batch settles nothing")
    func empty() {
        #expect(BatchSettlement([]) == BatchSettlement(ack: nil, terminate: []))
    }
}
