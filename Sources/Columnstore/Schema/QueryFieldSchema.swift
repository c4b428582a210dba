/// A field of a query request or row message.
public struct QueryFieldSchema: Sendable, Hashable {
    /// Proto field name, e.g. `from_day`.
    public var name: String
    /// JSON name, e.g. `fromDay`.
    public var jsonName: String
    public var number: Int
    public var type: QueryFieldType
    public var isRepeated: Bool
    /// Whether the field tracks presence (proto3 `optional`, proto2 fields).
    public var isOptional: Bool
    /// Parameter constraints from `(projection.v1.param)`.
    public var hints: QueryParameterHints?
    /// The integer variant on the protobuf wire (binary codec).
    public var encoding: QueryFieldEncoding
    /// An enum field's values, name → number (the binary codec sends numbers, JSON names).
    public var enumValues: [String: Int32]

    public init(
        name: String, jsonName: String, number: Int, type: QueryFieldType, isRepeated: Bool = false,
        isOptional: Bool = false, hints: QueryParameterHints? = nil, encoding: QueryFieldEncoding = .plain,
        enumValues: [String: Int32] = [:]
    ) {
        self.name = name
        self.jsonName = jsonName
        self.number = number
        self.type = type
        self.isRepeated = isRepeated
        self.isOptional = isOptional
        self.hints = hints
        self.encoding = encoding
        self.enumValues = enumValues
    }
}
