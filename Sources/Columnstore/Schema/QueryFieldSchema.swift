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
    /// An enum field's name per number: of aliases the first declared, the name ProtoJSON writes.
    public var enumNames: [Int32: String]
    /// The name an absent enum field binds: the first declared value (proto3's zero value).
    public var enumDefault: String?

    public init(
        name: String, jsonName: String, number: Int, type: QueryFieldType, isRepeated: Bool = false,
        isOptional: Bool = false, hints: QueryParameterHints? = nil, encoding: QueryFieldEncoding = .plain,
        enumValues: [String: Int32] = [:], enumNames: [Int32: String]? = nil, enumDefault: String? = nil
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
        // Without the declaration order: of aliases the least name, the zero value as the default.
        let names = enumNames ?? Dictionary(enumValues.map { ($0.value, $0.key) }, uniquingKeysWith: min)
        self.enumNames = names
        self.enumDefault = enumDefault ?? names[0]
    }
}

extension QueryFieldSchema {
    /// Whether the field, left out of a request, binds SQL NULL: a date or timestamp (typed strings and
    /// `google.protobuf.Timestamp`) that is not `required` has no zero value to bind. A ClickHouse
    /// placeholder for such a field must be `Nullable(...)` (the catalog checks it at load).
    public var absentBindsNull: Bool {
        guard hints?.isRequired != true else { return false }
        return hints?.valueType != nil || type == .timestamp
    }
}
