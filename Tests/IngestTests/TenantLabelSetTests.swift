import Testing
@testable import Ingest

/// The tenant label's bound: producers choose tenants, so only the first `limit` get a series.
@Suite("Tenant label set")
struct TenantLabelSetTests {
    @Test("the first tenants keep their label, later ones share other, and a label never changes")
    func bound() {
        let set = TenantLabelSet(limit: 3)
        #expect(["a", "b", "a", "c"].map(set.label) == ["a", "b", "a", "c"])
        #expect(set.label("d") == "other")
        #expect(set.label("a") == "a")
        #expect(set.label("") == "other")
        // 10,000 invented tenants add nothing.
        let labels = Set((0..<10_000).map { set.label("t\($0)") })
        #expect(labels == ["other"])
    }

    @Test("concurrent callers admit at most the limit")
    func concurrent() async {
        let set = TenantLabelSet(limit: 50)
        let labels = await withTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                group.addTask { (0..<200).map { set.label("w\(worker)-\($0 % 40)") } }
            }
            var all: Set<String> = []
            for await batch in group { all.formUnion(batch) }
            return all
        }
        #expect(labels.subtracting(["other"]).count == 50)
        #expect(labels.contains("other"))
    }

    @Test("one set per limit in a process, shared by every partition")
    func process() {
        #expect(TenantLabelSet.process(limit: 7) === TenantLabelSet.process(limit: 7))
        #expect(TenantLabelSet.process(limit: 7).limit == 7)
    }
}
