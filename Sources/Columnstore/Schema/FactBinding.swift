/// Binds a CloudEvents fact type to a projection.
public struct FactBinding: Sendable, Hashable {
    /// The CloudEvents `type`, e.g. `orders.order_placed.v1`.
    public var factType: String
    /// Logical name used by column sources, e.g. `order_placed`.
    public var ref: String
    /// Path into `data` whose value deduplicates facts of this type.
    public var idempotencyKey: FieldPath
    /// Fully-qualified proto message describing `data`, when declared.
    public var dataMessage: String?

    public init(factType: String, ref: String, idempotencyKey: FieldPath, dataMessage: String? = nil) {
        self.factType = factType
        self.ref = ref
        self.idempotencyKey = idempotencyKey
        self.dataMessage = dataMessage
    }
}
