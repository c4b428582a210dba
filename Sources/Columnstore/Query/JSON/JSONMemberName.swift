/// A JSON member name compared and hashed by its UTF-8 bytes (RFC 8259 compares code points; Swift's
/// `String ==` would call composed and decomposed "é" one name).
struct JSONMemberName: Hashable {
    let name: String

    init(_ name: String) {
        self.name = name
    }

    static func == (lhs: JSONMemberName, rhs: JSONMemberName) -> Bool {
        lhs.name.hasSameBytes(as: rhs.name)
    }

    func hash(into hasher: inout Hasher) {
        name.hashBytes(into: &hasher)
    }
}
