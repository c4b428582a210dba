/// The scope in which an idempotency key is unique: fact type and tenant.
public struct IdempotencyKey: Hashable, Sendable {
    public var factType: String
    public var tenant: String
    public var key: String

    public init(factType: String, tenant: String, key: String) {
        self.factType = factType
        self.tenant = tenant
        self.key = key
    }

    public init(_ fact: MappedFact) {
        self.init(factType: fact.factType, tenant: fact.tenant, key: fact.idempotencyKey)
    }

    /// By bytes, as the stores' seen-key tables compare them: keys that differ only in Unicode
    /// normalization are different facts (see `String.hasSameBytes(as:)`).
    public static func == (lhs: IdempotencyKey, rhs: IdempotencyKey) -> Bool {
        lhs.key.hasSameBytes(as: rhs.key) && lhs.tenant.hasSameBytes(as: rhs.tenant) && lhs.factType.hasSameBytes(as: rhs.factType)
    }

    public func hash(into hasher: inout Hasher) {
        factType.hashBytes(into: &hasher)
        tenant.hashBytes(into: &hasher)
        key.hashBytes(into: &hasher)
    }
}
