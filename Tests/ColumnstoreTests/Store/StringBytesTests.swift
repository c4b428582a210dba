import Columnstore
import Testing

/// Byte equality and its hash, as the stores compare keys: in place for contiguous strings, through a copy
/// for small ones, and the same answer either way.
@Suite("String byte equality")
struct StringBytesTests {
    @Test("equal bytes are equal and hash alike whatever the storage; canonical equivalents are not")
    func bytes() {
        let small = "order-1"
        var large = String()
        large.reserveCapacity(64)
        large += "order-"
        large += "1"
        let long = String(repeating: "é", count: 20), longCopy = String(repeating: "é", count: 10) + String(repeating: "é", count: 10)
        for (a, b, same) in [
            (small, large, true), (large, small, true), (long, longCopy, true), ("", "", true), ("", String(), true),
            ("caf\u{E9}", "cafe\u{301}", false), ("a\u{316}\u{301}", "a\u{301}\u{316}", false), (small, "order-2", false), (long, long + "x", false),
        ] {
            #expect(a.hasSameBytes(as: b) == same, "\(Array(a.utf8)) \(Array(b.utf8))")
            if same {
                var x = Hasher(), y = Hasher()
                a.hashBytes(into: &x)
                b.hashBytes(into: &y)
                #expect(x.finalize() == y.finalize())
            }
        }
    }
}
