extension StringProtocol {
    /// The text without leading and trailing whitespace (including CR/LF), without Foundation.
    ///
    /// ASCII edges are trimmed on the bytes (every response header line passes here, and the
    /// Unicode property look-up per character showed in the query API's profile); an edge that is
    /// not ASCII is left to `Character.isWhitespace`, so the answer is the same for any text.
    func trimmingWhitespace() -> String {
        var text = String(self)
        let trimmed: String?? = text.withUTF8 { b -> String?? in
            func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
            var start = 0, end = b.count
            while start < end, isASCIISpace(b[start]) { start += 1 }
            while start < end, isASCIISpace(b[end - 1]) { end -= 1 }
            if start == end { return .some("") }
            guard b[start] < 0x80, b[end - 1] < 0x80 else { return .none }
            return .some(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
        }
        if let trimmed { return trimmed ?? "" }
        return trimmingWhitespaceByCharacter()
    }

    /// The same, by `Character.isWhitespace` (for edges that are not ASCII).
    func trimmingWhitespaceByCharacter() -> String {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map { index(after: $0) } ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
