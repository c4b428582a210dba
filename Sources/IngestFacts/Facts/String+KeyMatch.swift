extension String {
    /// Equality for JSON member keys and fact types: by UTF-8 bytes, as RFC 8259 compares names (Swift's
    /// `==` calls canonically equivalent spellings, composed and decomposed "é", one name), lengths first.
    ///
    /// Most names compared differ: their lengths or Swift's `==` (a memcmp for ASCII; equal bytes are always
    /// `==`) say so at once, and only a name that is `==` pays for the byte comparison's copies.
    @inline(__always)
    func matchesKey(_ other: String) -> Bool {
        utf8.count == other.utf8.count && self == other && hasSameBytes(as: other)
    }
}
