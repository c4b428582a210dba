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
}
