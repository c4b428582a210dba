/// One fact turned into rows, ready for a store: the unit of idempotency.
public struct MappedFact: Sendable, Hashable {
    public var sequence: UInt64
    public var factType: String
    public var tenant: String
    /// The binding's idempotency key, read from the fact's data.
    public var idempotencyKey: String
    /// One row per table that consumes the fact type.
    public var rows: [TableRow]

    public init(sequence: UInt64, factType: String, tenant: String, idempotencyKey: String, rows: [TableRow]) {
        self.sequence = sequence
        self.factType = factType
        self.tenant = tenant
        self.idempotencyKey = idempotencyKey
        self.rows = rows
    }
}
