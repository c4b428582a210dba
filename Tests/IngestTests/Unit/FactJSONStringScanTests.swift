import Columnstore
import Testing
@testable import IngestFacts

/// The string scanner skips plain ASCII eight bytes at a time: whatever stops it (a quote, an escape,
/// a control character, a non-ASCII or invalid byte) must be seen at every position of the word.
@Suite("Fact JSON string scanning")
struct FactJSONStringScanTests {
    func parseString(_ bytes: [UInt8]) -> String? {
        guard case .array(let elements)? = try? FactJSONParser.parse(Array("[\"".utf8) + bytes + Array("\"]".utf8)),
              case .string(let string)? = elements.first else { return nil }
        return string
    }

    @Test("every special byte is found at every offset of strings up to 40 bytes")
    func specialsAtEveryOffset() {
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            #expect(parseString(plain) == String(decoding: plain, as: UTF8.self))
            for position in 0..<max(length, 1) where length > 0 {
                func with(_ replacement: [UInt8]) -> [UInt8] {
                    var bytes = plain
                    bytes.replaceSubrange(position..<(position + 1), with: replacement)
                    return bytes
                }
                let prefix = String(decoding: plain[..<position], as: UTF8.self)
                let suffix = String(decoding: plain[(position + 1)...], as: UTF8.self)
                #expect(parseString(with(Array(#"\""#.utf8))) == prefix + "\"" + suffix)
                #expect(parseString(with(Array(#"\\"#.utf8))) == prefix + "\\" + suffix)
                #expect(parseString(with(Array(#"\u00e9"#.utf8))) == prefix + "é" + suffix)
                #expect(parseString(with(Array(#"\ud83d\ude00"#.utf8))) == prefix + "😀" + suffix)
                #expect(parseString(with(Array("é".utf8))) == prefix + "é" + suffix)
                #expect(parseString(with(Array("😀".utf8))) == prefix + "😀" + suffix)
                #expect(parseString(with([0x7F])) == prefix + "\u{7F}" + suffix, "DEL is not a control character in JSON")
                for bad: [UInt8] in [[0x00], [0x09], [0x0A], [0x1F], [0x80], [0xC3], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xFF], Array(#"\x"#.utf8), Array(#"\ud800"#.utf8)] {
                    #expect(parseString(with(bad)) == nil, "\(bad) at \(position) of \(length)")
                }
                // An unescaped quote ends the string early: the rest is not valid JSON.
                #expect(parseString(with([UInt8(ascii: "\"")])) == nil)
            }
        }
    }

    @Test("a string that ends at the end of the input is unterminated, whatever its length")
    func unterminated() {
        for length in 0...20 {
            let body = Array("[\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: length)
            #expect((try? FactJSONParser.parse(body)) == nil)
        }
    }

    @Test("short and long ASCII strings come out equal to the same text built otherwise")
    func asciiStrings() {
        for length in [0, 1, 7, 8, 14, 15, 16, 17, 31, 64, 300] {
            // Printable ASCII without the quote and the backslash.
            let text = String((0..<length).map { index -> Character in
                let byte = UInt8(0x20 + (index * 7) % 95)
                return Character(Unicode.Scalar(byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? UInt8(ascii: "/") : byte))
            })
            let parsed = parseString(Array(text.utf8))
            #expect(parsed == text)
            #expect(parsed?.utf8.count == length)
            #expect(parsed.map { $0.hashValue == text.hashValue } == true)
        }
    }
}
