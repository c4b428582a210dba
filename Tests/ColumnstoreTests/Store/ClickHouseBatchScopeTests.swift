import Columnstore
import Testing
@testable import ClickHouseBackend

/// The names a ClickHouse batch writes under: its deduplication tokens and its identity in the seen keys.
@Suite("ClickHouse batch scopes")
struct ClickHouseBatchScopeTests {
    static func payload(consumer: String, partition: Int, first: UInt64, last: UInt64) -> BatchPayload {
        BatchPayload(consumer: ConsumerID(projection: "p", consumer: consumer, partition: partition),
                     range: SequenceRange(first: first, last: last), facts: [], quarantined: [])
    }

    @Test("tokens name the consumer and partition; the legacy scope keeps the tokens of earlier releases")
    func tokens() {
        let a = Self.payload(consumer: "durable-a", partition: 0, first: 1, last: 500)
        let b = Self.payload(consumer: "durable-b", partition: 0, first: 1, last: 500)
        let a3 = Self.payload(consumer: "durable-a", partition: 3, first: 1, last: 500)
        let scopeA = ClickHouseBatchScope.current(for: a.consumer)
        #expect(scopeA.name == "durable-a/p0")
        #expect(a.deduplicationToken(table: "orders", scope: scopeA.name) == "p:orders:durable-a/p0:1-500")
        // Two sequence spaces with equal ranges no longer share a token.
        let tokens = [a, b, a3].map { $0.deduplicationToken(table: "orders", scope: ClickHouseBatchScope.current(for: $0.consumer).name) }
        #expect(Set(tokens).count == 3)
        // A batch left pending by an earlier release is re-formed under exactly the tokens it wrote.
        #expect(a.deduplicationToken(table: "orders", scope: ClickHouseBatchScope.legacy.name) == "p:orders:1-500")
        #expect(a3.deduplicationToken(table: "orders", scope: ClickHouseBatchScope.legacy.name) == "p:orders:1-500:p3")
    }

    @Test("a batch's identity in the seen keys: scope and range; empty for the legacy scope")
    func batchIdentity() {
        let range = SequenceRange(first: 7, last: 9)
        let scope = ClickHouseBatchScope.current(for: ConsumerID(projection: "p", consumer: "d", partition: 2))
        #expect(scope.batchID(range) == "d/p2/7-9")
        #expect(!scope.isLegacy)
        #expect(ClickHouseBatchScope.legacy.batchID(range) == "")
        #expect(ClickHouseBatchScope.legacy.isLegacy)
        // No (consumer, partition) pair spells another's scope: the partition is the last `/p<digits>`.
        let tricky = ClickHouseBatchScope.current(for: ConsumerID(projection: "p", consumer: "d/p2", partition: 0))
        #expect(tricky.name == "d/p2/p0" && tricky != scope)
    }
}
