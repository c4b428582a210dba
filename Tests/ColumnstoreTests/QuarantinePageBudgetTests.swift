import Testing
@testable import Columnstore

@Suite("Quarantine page budget")
struct QuarantinePageBudgetUnitTests {
    static func entry(_ n: UInt64, bytes: Int) -> QuarantinedFact {
        QuarantinedFact(sequence: n, subject: "s", reason: "r", raw: [UInt8](repeating: 7, count: bytes))
    }

    @Test("entries while the bytes before each are under the budget; at least one; full when cut or at the limit")
    func cut() {
        let budget = QuarantinePageBudget.rawBytes
        #expect(QuarantinePageBudget.cut([]).isEmpty)
        let huge = [Self.entry(1, bytes: budget * 2), Self.entry(2, bytes: 1)]
        #expect(QuarantinePageBudget.cut(huge).map(\.sequence) == [1], "one entry over the budget still makes a page")
        let exact = [Self.entry(1, bytes: budget - 1), Self.entry(2, bytes: 1), Self.entry(3, bytes: 1)]
        #expect(QuarantinePageBudget.cut(exact).map(\.sequence) == [1, 2], "the entry after the budget is reached waits")
        let small = (1...50).map { Self.entry($0, bytes: 100) }
        #expect(QuarantinePageBudget.cut(small).count == 50)
        #expect(!QuarantinePageBudget.isFull(small, limit: 100))
        #expect(QuarantinePageBudget.isFull(small, limit: 50))
        #expect(QuarantinePageBudget.isFull(QuarantinePageBudget.cut(exact), limit: 100))
    }
}
