extension String {
    /// Equality for JSON member keys, lengths first: comparing two different short strings is the slow
    /// path of `==`, and most keys compared on the hot path differ.
    @inline(__always)
    func matchesKey(_ other: String) -> Bool {
        utf8.count == other.utf8.count && self == other
    }
}
