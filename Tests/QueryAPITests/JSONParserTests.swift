import Columnstore
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test("parses documents and keeps number text exact")
    func parses() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, "x\u00e9\ud83d\ude00", true, null], "b": {}} "#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .string("xé😀"), .bool(true), .null]))
        #expect(value["b"] == .object([]))
        #expect(try JSONParser.parse("18446744073709551616123") == .number("18446744073709551616123"))
    }

    @Test("rejects malformed and hostile input", arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "+1", "NaN", "tru", "\"\\x\"", "\"\\ud800\"",
        "\"a\u{1}b\"", "{\"a\":1,\"a\":2}", "[] []", "\"unterminated",
    ])
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("rejects invalid UTF-8 and deep nesting without crashing")
    func hostileBytes() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "[", count: 100_000)) }
        #expect((try? JSONParser.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))) != nil)
    }

    @Test("the writer escapes and round-trips")
    func writer() throws {
        let value = JSONValue.object([("k\"", .string("a\\b\n\u{1}\u{2028}")), ("n", .array([.number("1"), .null]))])
        let text = JSONWriter.write(value)
        #expect(text == #"{"k\"":"a\\b\n\u0001\u2028","n":[1,null]}"#)
        #expect(try JSONParser.parse(text) == value)
        #expect(try JSONParser.parse(JSONWriter.writePretty(value)) == value)
    }

    @Test("strings needing no escape are written as they are, other characters led by 0xE2 included")
    func writerPlainStrings() throws {
        let value = JSONValue.array([.string("plain text"), .string("ünï"), .string("€ 5"), .string(""), .string("a\u{2029}")])
        let text = JSONWriter.write(value)
        #expect(text == #"["plain text","ünï","€ 5","","a\u2029"]"#)
        #expect(try JSONParser.parse(text) == value)
    }
}

@Suite("JSON parser fast paths")
struct JSONParserFastPathTests {
    @Test("strings: an ASCII start followed by an escape, non-ASCII text or a control character")
    func strings() throws {
        #expect(try JSONParser.parse(#""abc\"d""#) == .string("abc\"d"))
        #expect(try JSONParser.parse(#""abc\u00e9x""#) == .string("abcéx"))
        #expect(try JSONParser.parse("\"abcé€😀z\"") == .string("abcé€😀z"))
        #expect(try JSONParser.parse(#""""#) == .string(""))
        #expect(throws: JSONParseError.self) { try JSONParser.parse("\"abc\u{1}\"") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x61, 0x62, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""abc"#) }
    }

    @Test("duplicate keys are refused in small and large objects, wherever the duplicate is")
    func duplicateKeys() throws {
        for size in [2, 15, 16, 17, 40] {
            let members = (0..<size).map { "\"k\($0)\":\($0)" }
            #expect(try JSONParser.parse("{" + members.joined(separator: ",") + "}") == .object((0..<size).map { ("k\($0)", .number("\($0)")) }))
            for repeated in [0, size - 1] {
                let text = "{" + (members + ["\"k\(repeated)\":0"]).joined(separator: ",") + "}"
                #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
            }
        }
        // Canonically equivalent keys are two members (RFC 8259 compares code points; the consumer's envelope
        // parser compares bytes): before, Swift's String equality refused them as duplicates.
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let pair = try JSONParser.parse("{\"\(composed)\":1,\"\(decomposed)\":2}")
        guard case .object(let members) = pair else { Issue.record("not an object"); return }
        #expect(members.count == 2 && members[0].key.hasSameBytes(as: composed) && members[1].key.hasSameBytes(as: decomposed))
        let large = (0..<20).map { "\"k\($0)\":\($0)" } + ["\"\(composed)\":1", "\"\(decomposed)\":2"]
        #expect(throws: Never.self) { try JSONParser.parse("{" + large.joined(separator: ",") + "}") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{" + (large + ["\"\(decomposed)\":3"]).joined(separator: ",") + "}") }
    }
}
