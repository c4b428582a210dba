extension String {
    /// Equality for JSON member keys and fact types: by UTF-8 bytes, as RFC 8259 compares names (Swift's
    /// `==` calls canonically equivalent spellings, composed and decomposed "é", one name), lengths first.
    @inline(__always)
    func matchesKey(_ other: String) -> Bool {
        utf8.count == other.utf8.count && hasSameBytes(as: other)
    }
}
