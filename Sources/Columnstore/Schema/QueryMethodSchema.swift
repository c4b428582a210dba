/// A query RPC: request parameters and the shape of its response.
public struct QueryMethodSchema: Sendable, Hashable {
    /// RPC name, e.g. `GetDailySales`.
    public var name: String
    /// Stem of the per-store SQL file (`sql/<store>/queries/<sqlName>.sql`).
    public var sqlName: String
    /// Fully-qualified request message name.
    public var requestMessage: String
    public var requestFields: [QueryFieldSchema]
    /// Fully-qualified response message name.
    public var responseMessage: String
    public var response: QueryResponseShape
    /// Fully-qualified name of the message one result row maps to.
    public var rowMessage: String
    /// Fields of the row message; result columns map to them by name.
    public var rowFields: [QueryFieldSchema]
    /// Field number of the response field that holds the rows (`.rows`, `.single`); unused for `.message`.
    public var responseFieldNumber: Int
    /// JSON key of that field: its descriptor's `json_name` (a custom one too); "" for `.message`.
    public var responseFieldJSONName: String
    /// `option idempotency_level = NO_SIDE_EFFECTS;`: Connect allows GET only for such methods.
    public var hasNoSideEffects: Bool

    public init(
        name: String, sqlName: String, requestMessage: String, requestFields: [QueryFieldSchema],
        responseMessage: String, response: QueryResponseShape, rowMessage: String, rowFields: [QueryFieldSchema],
        responseFieldNumber: Int = 1, responseFieldJSONName: String? = nil, hasNoSideEffects: Bool = true
    ) {
        self.name = name
        self.sqlName = sqlName
        self.requestMessage = requestMessage
        self.requestFields = requestFields
        self.responseMessage = responseMessage
        self.response = response
        self.rowMessage = rowMessage
        self.rowFields = rowFields
        self.responseFieldNumber = responseFieldNumber
        switch response {
        case .rows(let field), .single(let field):
            // protoc's default json_name when the caller does not say.
            self.responseFieldJSONName = responseFieldJSONName ?? SchemaNaming.lowerCamelCase(field)
        case .message:
            self.responseFieldJSONName = responseFieldJSONName ?? ""
        }
        self.hasNoSideEffects = hasNoSideEffects
    }
}
