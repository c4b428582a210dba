import Synchronization

/// The tenants that get a `tenant` label of their own on the consumed-facts counter. Tenants come from
/// producers, so without a bound a producer inventing tenants would grow `/metrics` (and the registry's
/// memory) without end: the first `limit` tenants seen keep their label, later ones share `other`.
/// One set per process (every partition of a replica shares it), so a tenant's label never depends on
/// which partition counted the fact.
final class TenantLabelSet: Sendable {
    static let overflowLabel = "other"
    let limit: Int
    private let admitted = Mutex<Set<String>>([])

    init(limit: Int) {
        precondition(limit > 0, "limit must be positive")
        self.limit = limit
    }

    /// `tenant`'s label: itself while it is among the first `limit` tenants seen, else `other`.
    /// A tenant literally named `other` shares that series too.
    func label(_ tenant: String) -> String {
        admitted.withLock { admitted in
            if admitted.contains(tenant) { return tenant }
            guard admitted.count < limit else { return Self.overflowLabel }
            admitted.insert(tenant)
            return tenant
        }
    }

    private static let shared = Mutex<[Int: TenantLabelSet]>([:])

    /// The process's set for `limit` (the setting is read once, so in practice one set).
    static func process(limit: Int) -> TenantLabelSet {
        shared.withLock { sets in
            if let set = sets[limit] { return set }
            let set = TenantLabelSet(limit: limit)
            sets[limit] = set
            return set
        }
    }
}
