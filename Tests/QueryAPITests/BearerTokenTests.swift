import HTTPGuards
import Testing

/// The Authorization reading the query API, the ingress and the admin endpoints share.
@Suite("Bearer token")
struct BearerTokenTests {
    @Test("RFC 6750: the scheme in any case, one or more spaces, one token")
    func accepted() {
        #expect(BearerToken.parse("Bearer abc.DEF-123_~+/=") == "abc.DEF-123_~+/=")
        #expect(BearerToken.parse("bearer t") == "t")
        #expect(BearerToken.parse("BEARER t") == "t")
        #expect(BearerToken.parse("bEaReR   t\t ") == "t")
    }

    @Test("anything else is no token", arguments: [
        nil, "", "Bearer", "Bearer ", "Bearer    ", "Bearer\tt", "Bearert", "Basic dXNlcjpwYXNz", "Bearer a b",
        "Bearer a\tb", " Bearer t", "Bearerx t", "Bear t", "Bearer\u{00A0}t", "Bearer\u{301} t",
    ] as [String?])
    func refused(_ value: String?) {
        #expect(BearerToken.parse(value) == nil, "\(String(describing: value))")
    }

    @Test("a combining mark after the space stays part of the token (read by UTF-8, not by grapheme)")
    func combining() {
        #expect(BearerToken.parse("Bearer \u{301}tok") == "\u{301}tok")
        #expect(BearerToken.parse("Bearer tok\u{301}") == "tok\u{301}")
    }

    @Test("the letters of the scheme only match themselves in either case")
    func schemeBytes() {
        // 0x02 | 0x20 == 0x22 and so on: no other byte folds onto a letter of "bearer".
        for byte in UInt8(0x21)...UInt8(0x7E) {
            let scalar = Character(Unicode.Scalar(byte))
            let value = String(scalar) + "earer t"
            #expect((BearerToken.parse(value) != nil) == (scalar == "b" || scalar == "B"), "\(value)")
        }
    }
}
