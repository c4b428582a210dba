/// Constraints of a query parameter, from `(projection.v1.param)`.
public struct QueryParameterHints: Sendable, Hashable {
    /// Whether the request must set the field.
    public var isRequired: Bool
    /// Value used when the field is absent.
    public var defaultValue: Int64?
    public var minimum: Int64?
    public var maximum: Int64?
    /// How a string parameter is interpreted, e.g. `.date` for `YYYY-MM-DD`.
    public var valueType: ColumnType?

    public init(
        isRequired: Bool = false, defaultValue: Int64? = nil, minimum: Int64? = nil, maximum: Int64? = nil,
        valueType: ColumnType? = nil
    ) {
        self.isRequired = isRequired
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.valueType = valueType
    }
}
