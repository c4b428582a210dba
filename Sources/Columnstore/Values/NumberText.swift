/// What "a number in a string" means for integer and double columns (docs/ANNOTATIONS.md): an optional
/// minus, digits, and for a double an optional fraction and exponent. Swift's own parsers take more
/// (`+5`, `.5`, `5.`, hex such as `0x10` or `0x1p3`, `inf`), which would store a surprising value where
/// an integer column refuses the same text, so strings are checked against this grammar first.
public enum NumberText {
    /// `-?[0-9]+`
    public static func isPlainInteger(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy(isDigit)
    }

    /// `-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    public static func isPlainDecimal(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard digits(&bytes) else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits(&bytes) else { return false }
        }
        if let e = bytes.first, e | 0x20 == UInt8(ascii: "e") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits(&bytes) else { return false }
        }
        return bytes.isEmpty
    }

    /// Consumes a run of digits; false when there is none.
    private static func digits(_ bytes: inout Substring.UTF8View) -> Bool {
        let start = bytes.startIndex
        while let byte = bytes.first, isDigit(byte) { bytes = bytes.dropFirst() }
        return bytes.startIndex != start
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
