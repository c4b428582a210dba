import Columnstore

extension FactJSONParser {
    /// Parses a string at `index` (on its opening quote). The common case, no escapes, becomes one
    /// `String` made straight from the bytes; escapes fall back to building it piece by piece.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        var ascii = true
        skipPlainASCII()
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return try makeString(run, ascii: ascii)
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            guard byte >= 0x20 else { throw error("control character in string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw error("unterminated string")
    }

    /// Moves `index` past string bytes that need no attention (not a quote, backslash, control
    /// character or non-ASCII byte), eight at a time; the byte loops then look at what stopped it.
    @inline(__always)
    mutating func skipPlainASCII() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while bytes.count - index >= 8 {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quote = word ^ 0x2222_2222_2222_2222
            let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
            // A byte's high bit is set by each test when the byte is: equal to `"` (quote has a zero
            // byte), to `\`, below 0x20, or at least 0x80. Borrows can flag a byte only after a byte
            // that really matched, so a zero result means all eight are plain.
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- 0x2020_2020_2020_2020) & ~word) | word
            guard special & highs == 0 else { return }
            index += 8
        }
    }

    /// A string of bytes known to be ASCII. Up to 15 make a small string, built in place without
    /// another validation pass.
    static func asciiString(_ run: UnsafeBufferPointer<UInt8>) -> String {
        if run.count <= 15, let source = run.baseAddress {
            return String(unsafeUninitializedCapacity: run.count) { target in
                target.baseAddress!.initialize(from: source, count: run.count)
                return run.count
            }
        }
        return String(decoding: run, as: UTF8.self)
    }

    /// Strict UTF-8: invalid bytes make the body invalid, as they did, instead of being replaced.
    private func makeString(_ run: UnsafeBufferPointer<UInt8>, ascii: Bool) throws(JSONParseError) -> String {
        if ascii { return Self.asciiString(run) }
        guard let string = String(validating: run, as: UTF8.self) else { throw error("invalid UTF-8") }
        return string
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var result = ""
        var runStart = start
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                result += try makeString(UnsafeBufferPointer(rebasing: bytes[runStart..<index]), ascii: ascii)
                index += 1
                return result
            case UInt8(ascii: "\\"):
                result += try makeString(UnsafeBufferPointer(rebasing: bytes[runStart..<index]), ascii: ascii)
                ascii = true
                index += 1
                result.unicodeScalars.append(try parseEscape())
                runStart = index
            case 0x00..<0x20:
                throw error("control character in string")
            default:
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// One escape after its backslash; surrogate pairs must be complete.
    private mutating func parseEscape() throws(JSONParseError) -> Unicode.Scalar {
        guard index < bytes.count else { throw error("unterminated string") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            switch unit {
            case 0xD800...0xDBFF:
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("lone surrogate in string")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low), let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) else {
                    throw error("lone surrogate in string")
                }
                return scalar
            default:
                guard let scalar = Unicode.Scalar(unit) else { throw error("lone surrogate in string") }
                return scalar
            }
        default:
            throw error("invalid escape")
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
