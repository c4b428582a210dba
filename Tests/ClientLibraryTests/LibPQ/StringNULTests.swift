import Foundation
@testable import LibPQ
import Testing

/// libpq's C strings end at the first NUL, so every SQL text and parameter is checked for one before it
/// is handed over (`String.containsNUL`, a `memchr` over the string's storage).
@Suite("NUL detection for libpq's C strings")
struct StringNULTests {
    @Test func findsANulAnywhere() {
        let body = String(repeating: "a,\"b\\\"\",{ü}", count: 5_000)
        #expect(!body.containsNUL)
        #expect(!"".containsNUL)
        #expect(!"ü😀∑".containsNUL)
        for index in [0, 1, 7, 8, 15, 16, 4_999, body.utf8.count - 1, body.utf8.count] {
            var bytes = Array(body.utf8)
            bytes.insert(0, at: index)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.containsNUL, "NUL at byte \(index)")
        }
    }

    @Test func stringsFromFoundationAreCheckedToo() {
        // Strings that came through Foundation, whichever storage they ended up with.
        let bridged = NSString(string: "abc\u{0}def") as String
        #expect(bridged.containsNUL)
        #expect(!(NSString(string: "abcdef") as String).containsNUL)
    }
}
