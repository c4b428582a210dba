import Columnstore
import Foundation
import IngestTestKit
import Testing

@Suite("SHA-256 known answers")
struct SHA256Tests {
    @Test("a token digest is the token's SHA-256: equal tokens meet, one character off does not")
    func tokenDigest() {
        // Token tables (query and producer tokens) are keyed by it.
        #expect(TokenDigest("abc").bytes == SHA256.digest(Array("abc".utf8)))
        #expect(TokenDigest("query-token-0123456789") == TokenDigest("query-token-0123456789"[...]))
        #expect(TokenDigest("query-token-0123456789") != TokenDigest("query-token-0123456788"))
    }

    @Test("FIPS 180-2 test vectors")
    func fipsVectors() {
        #expect(SHA256.hexDigest([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("padding boundaries around one and two blocks", arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
    ])
    func boundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: length)) == expected)
    }

    @Test("hashes bytes, not characters (UTF-8 text)")
    func utf8() {
        #expect(SHA256.hexDigest(Array("— ü".utf8)) == "1d10f4ffa7ffdbfc35b77bd8ff273d8206b1465c6e37c1854e8ea57ba9de3fad")
        #expect(SHA256.digest(Array("abc".utf8)).count == 32)
    }

    @Test("agrees with the plain FIPS 180-4 reference over generated inputs, contiguous or not")
    func generated() {
        var random = SplitMix64(seed: 0x5EED_5A25_6000_0001)
        for round in 0..<2_000 {
            // Every length around the one- and two-block paddings, then longer inputs.
            let length = round < 300 ? round : Int(random.next() % 5_000)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let expected = Self.reference(bytes)
            #expect(SHA256.digest(bytes) == expected, "length \(length)")
            if round % 50 == 0 {
                #expect(SHA256.digest(bytes.lazy.map { $0 }) == expected, "non-contiguous, length \(length)")
                #expect(SHA256.digest(bytes[...]) == expected, "slice, length \(length)")
            }
        }
    }

    @Test("the stream digests pieces as the one-shot digest does their concatenation, however they are cut")
    func streamed() {
        var random = SplitMix64(seed: 0x5EED_5A25_6000_0002)
        for round in 0..<1_500 {
            let length = round < 200 ? round : Int(random.next() % 3_000)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var stream = SHA256Stream()
            var offset = 0
            while offset < length {
                // Pieces of 0 to 130 bytes: empty ones, and ones that fill, cross and skip whole blocks.
                let take = min(length - offset, Int(random.next() % 131))
                if round % 3 == 0 {
                    stream.update(bytes[offset..<offset + take].lazy.map { $0 })
                } else {
                    stream.update(bytes[offset..<offset + take])
                }
                offset += take
            }
            let expected = Self.reference(bytes)
            #expect(stream.finalize() == expected, "length \(length)")
            // Finalizing leaves the stream as it was: more bytes continue the same message.
            stream.update([0x61])
            #expect(stream.finalize() == Self.reference(bytes + [0x61]), "continued, length \(length)")
        }
        #expect(SHA256Stream().hexDigest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// The straightforward FIPS 180-4 algorithm (arrays, a padded copy of the message): the oracle for
    /// the in-place implementation.
    static func reference(_ bytes: [UInt8]) -> [UInt8] {
        // The round constants from their definition (FIPS 180-4 §4.2.2): the first 32 bits of the fractional
        // parts of the cube roots of the first 64 primes, not copied from the implementation's table.
        var primes: [Int] = []
        var candidate = 2
        while primes.count < 64 {
            if primes.allSatisfy({ candidate % $0 != 0 }) { primes.append(candidate) }
            candidate += 1
        }
        let k = primes.map { prime -> UInt32 in
            let root = Foundation.cbrt(Double(prime))
            return UInt32((root - root.rounded(.down)) * 4_294_967_296)
        }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var message = bytes
        let bitLength = UInt64(message.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: message.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(message[j]) << 24 | UInt32(message[j + 1]) << 16 | UInt32(message[j + 2]) << 8 | UInt32(message[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }
}
