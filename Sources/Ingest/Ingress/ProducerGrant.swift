import Columnstore

/// What one producer token may send: its tenants (always named: a producer never picks a tenant it
/// was not given) and its fact types (`*` = every type).
struct ProducerGrant: Sendable, Hashable {
    var tenants: Set<String>
    /// nil: every fact type.
    var types: Set<String>?

    func allows(type: String) -> Bool { types?.contains(type) ?? true }

    /// By bytes, as the stores compare tenants (Swift's `==` calls composed and decomposed "é" equal).
    func allows(tenant: String) -> Bool {
        tenants.firstIndex(of: tenant).map { tenants[$0].hasSameBytes(as: tenant) } ?? false
    }
}
