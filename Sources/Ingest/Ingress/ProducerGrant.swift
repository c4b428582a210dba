/// What one producer token may send: its tenants (always named: a producer never picks a tenant it
/// was not given) and its fact types (`*` = every type).
struct ProducerGrant: Sendable, Hashable {
    var tenants: Set<String>
    /// nil: every fact type.
    var types: Set<String>?

    func allows(type: String) -> Bool { types?.contains(type) ?? true }
}
