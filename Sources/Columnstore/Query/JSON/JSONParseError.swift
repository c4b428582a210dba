/// Why a document is not valid JSON. The description names only a byte offset, never the input.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset where parsing stopped.
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
