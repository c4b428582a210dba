/// Why a document is not valid JSON. The description names only a byte offset, never the input.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset where parsing stopped.
    public var offset: Int
    public var reason: String
    /// Which `JSONParser.Limits` bound the document broke, if that is why parsing stopped: the JSON may
    /// be valid, it is too big to take (callers answer "too large", not "invalid").
    public var limit: JSONParser.Limit?

    public init(offset: Int, reason: String, limit: JSONParser.Limit? = nil) {
        self.offset = offset
        self.reason = reason
        self.limit = limit
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
