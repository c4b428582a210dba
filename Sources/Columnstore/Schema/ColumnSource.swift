/// One fact type's contribution to a column.
public struct ColumnSource: Sendable, Hashable {
    /// The CloudEvents type of the fact (binding refs are resolved).
    public var factType: String
    public var value: SourceValue
    public var transform: SourceTransform
    /// Whether a fact lacking the value is rejected rather than stored as null/zero.
    public var isRequired: Bool

    public init(factType: String, value: SourceValue, transform: SourceTransform = .none, isRequired: Bool = true) {
        self.factType = factType
        self.value = value
        self.transform = transform
        self.isRequired = isRequired
    }
}
