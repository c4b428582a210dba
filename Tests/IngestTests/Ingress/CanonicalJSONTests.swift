import Columnstore
import Testing
@testable import Ingest

/// RFC 8785: numbers as ECMAScript writes them (Appendix B's vectors), members sorted by UTF-16
/// code units, minimal string escapes (§3.2.2, §3.2.3).
@Suite("Canonical JSON (RFC 8785)")
struct CanonicalJSONTests {
    @Test("numbers: the IEEE 754 vectors of RFC 8785 Appendix B", arguments: [
        (UInt64(0x0000000000000000), "0"), (0x8000000000000000, "0"), (0x0000000000000001, "5e-324"), (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"), (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"), (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"), (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"), (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"), (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"), (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"), (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"), (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"), (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"), (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ])
    func numbers(bits: UInt64, expected: String) {
        #expect(ECMAScriptNumber.format(Double(bitPattern: bits)) == expected)
    }

    @Test("no NaN or infinity")
    func nonFinite() {
        #expect(ECMAScriptNumber.format(.nan) == nil)
        #expect(ECMAScriptNumber.format(.infinity) == nil)
        #expect(CanonicalJSON.bytes(.number("1e400")) == nil)
    }

    @Test("the example of RFC 8785 §3.2.2")
    func example() throws {
        let input = #"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#
        let canonical = try #require(CanonicalJSON.bytes(try JSONParser.parse(input)))
        #expect(String(decoding: canonical, as: UTF8.self)
            == #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    @Test("members sort by UTF-16 code units (RFC 8785 §3.2.3)")
    func sorting() throws {
        let input = #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let canonical = try #require(CanonicalJSON.bytes(try JSONParser.parse(input)))
        guard case .object(let members) = try JSONParser.parse(canonical) else { Issue.record("not an object"); return }
        #expect(members.map(\.value) == ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                                         "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"].map { JSONValue.string($0) })
    }

    @Test("payloadhash: SHA-256 hex of the canonical data; whitespace, member order and number spelling do not matter")
    func payloadHash() throws {
        let a = try JSONParser.parse(#"{"b": 1.50, "a": "x"}"#)
        let b = try JSONParser.parse(#"{"a":"x","b":1.5}"#)
        // sha256 of the 15 bytes {"a":"x","b":1.5}
        let expected = Hex.lowercase(SHA256.digest(Array(#"{"a":"x","b":1.5}"#.utf8)))
        #expect(PayloadHash.of(a) == expected)
        #expect(PayloadHash.of(b) == expected)
        try PayloadHash.verify(expected, data: a)
        #expect(throws: IngressError.self) { try PayloadHash.verify(String(repeating: "0", count: 64), data: a) }
        #expect(throws: IngressError.self) { try PayloadHash.verify(expected.uppercased(), data: a) }
        #expect(PayloadHash.of(nil) == Hex.lowercase(SHA256.digest(Array("null".utf8))))
    }
}
