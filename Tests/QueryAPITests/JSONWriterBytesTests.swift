import Columnstore
import Testing

/// `JSONWriter.write(_:into:)` (bytes, used for every event the ingress publishes) must write exactly
/// what the String writer writes, escapes included.
@Suite("JSON writer, bytes")
struct JSONWriterBytesTests {
    @Test("escapes, U+2028/2029, other characters led by 0xE2, and nesting: the same bytes as the String writer")
    func sameBytesAsString() {
        let strings = ["", "plain", "q\"uote", "back\\slash", "nl\ncr\rtab\t", "\u{08}\u{0C}\u{1}\u{1F}", "\u{2028}x\u{2029}",
                       "€ ünï 😀", "a\u{2027}b\u{202A}", "\u{7F}", "ends with \u{E2}".replacingOccurrences(of: "\u{E2}", with: "â")]
        let value = JSONValue.object(strings.enumerated().map { (key: "k\($0.offset)\($0.element)", value: .string($0.element)) }
            + [(key: "n", value: .array([.number("-1.5e3"), .null, .bool(true), .bool(false), .object([]), .array([])]))])
        var bytes: [UInt8] = []
        JSONWriter.write(value, into: &bytes)
        #expect(bytes == Array(JSONWriter.write(value).utf8))
        for string in strings {
            var one: [UInt8] = []
            JSONWriter.writeString(string, into: &one)
            #expect(one == Array(JSONWriter.write(.string(string)).utf8), "\(string.unicodeScalars.map(\.value))")
        }
    }

    @Test("random strings of ASCII, control characters and the U+20xx block agree with the String writer")
    func randomStrings() {
        // SplitMix64 with a fixed seed, so a failure repeats.
        var state: UInt64 = 18
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet: [Unicode.Scalar] = ["a", "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{2028}", "\u{2029}", "\u{2026}", "é", "😀", " "]
        for _ in 0..<2_000 {
            let length = Int(next() % 12)
            var s = String.UnicodeScalarView()
            for _ in 0..<length { s.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
            let string = String(s)
            var bytes: [UInt8] = []
            JSONWriter.write(.string(string), into: &bytes)
            #expect(bytes == Array(JSONWriter.write(.string(string)).utf8))
        }
    }
}
