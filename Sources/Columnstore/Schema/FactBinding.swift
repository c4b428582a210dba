/// Binds a CloudEvents fact type to a projection.
public struct FactBinding: Sendable, Hashable {
    /// The CloudEvents `type`, e.g. `orders.order_placed.v1`.
    public var factType: String
    /// Logical name used by column sources, e.g. `order_placed`.
    public var ref: String
    /// The values that deduplicate facts of this type (with the tenant), in order: one data path
    /// (`idempotency_key`) or the parts of `idempotency_key_parts`.
    public var keyParts: [IdempotencyKeyPart]
    /// Fully-qualified proto message describing `data`, when declared.
    public var dataMessage: String?

    public init(factType: String, ref: String, keyParts: [IdempotencyKeyPart], dataMessage: String? = nil) {
        precondition(!keyParts.isEmpty, "an idempotency key has at least one part")
        self.factType = factType
        self.ref = ref
        self.keyParts = keyParts
        self.dataMessage = dataMessage
    }

    /// A binding keyed by one data path.
    public init(factType: String, ref: String, idempotencyKey: FieldPath, dataMessage: String? = nil) {
        self.init(factType: factType, ref: ref, keyParts: [.data(idempotencyKey)], dataMessage: dataMessage)
    }
}
