import Columnstore
import Testing

/// Which consumers found in a store a rebuild generation does not cover: pairs of durable and partition,
/// so one durable name on two hand-configured partitions' streams counts as two consumers.
@Suite("Rebuild generation: other consumers")
struct RebuildGenerationOthersTests {
    @Test("pairs, not names; the generation's own consumers never count; sorted and named with their partition")
    func others() {
        let single = RebuildGeneration(live: ConsumerID(projection: "p", consumer: "a", partition: 0))
        #expect(single.others(among: []) == [])
        #expect(single.others(among: [("a", 0), ("a", 0)]) == [])
        #expect(single.others(among: [("b", 0), ("a", 1), ("a", 0), ("b", 0), ("B", 2)]) == ["B (partition 2)", "a (partition 1)", "b"])
        let replicas = RebuildGeneration(live: ConsumerID(projection: "p", consumer: "d-p0", partition: 0),
                                         consumers: (0..<3).map { ConsumerID(projection: "p", consumer: "d-p\($0)", partition: $0) })
        #expect(replicas.others(among: (0..<3).map { ("d-p\($0)", $0) }) == [], "every replica partition is the generation's")
        #expect(replicas.others(among: [("d-p3", 3), ("d-p1", 0)]) == ["d-p1", "d-p3 (partition 3)"], "a partition beyond the count, a name in the wrong partition")
    }
}
