/// A JSON member name compared and hashed by its UTF-8 bytes (RFC 8259 compares code points; Swift's
/// `String ==` would call composed and decomposed "é" one name).
public struct JSONMemberName: Hashable, Sendable {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public static func == (lhs: JSONMemberName, rhs: JSONMemberName) -> Bool {
        lhs.name.hasSameBytes(as: rhs.name)
    }

    public func hash(into hasher: inout Hasher) {
        name.hashBytes(into: &hasher)
    }
}
