/// SHA-256 over bytes that arrive in pieces: the same digest as `SHA256.digest` of their
/// concatenation, holding at most one 64-byte block besides the state.
public struct SHA256Stream: Sendable {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// Bytes not yet compressed (fewer than 64).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() {
        pending.reserveCapacity(64)
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) != nil { return }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        length &+= UInt64(buffer.count)
        var offset = 0
        SHA256.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                if !pending.isEmpty {
                    let take = min(64 - pending.count, buffer.count)
                    pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<take]))
                    offset = take
                    guard pending.count == 64 else { return }
                    pending.withUnsafeBytes { SHA256.compress($0, into: &h, k: k, w: w) }
                    pending.removeAll(keepingCapacity: true)
                }
                while buffer.count - offset >= 64 {
                    SHA256.compress(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + 64]), into: &h, k: k, w: w)
                    offset += 64
                }
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            }
        }
    }

    /// The 32-byte digest of everything added (the stream itself is left as it was).
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        tail.append(contentsOf: repeatElement(0, count: (pending.count + 1 <= 56 ? 56 : 120) - pending.count - 1))
        for index in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(index)))) }
        let savedLength = copy.length
        copy.update(tail)
        copy.length = savedLength
        let words = [copy.h.0, copy.h.1, copy.h.2, copy.h.3, copy.h.4, copy.h.5, copy.h.6, copy.h.7]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    /// The digest as 64 lower-case hex digits.
    public func hexDigest() -> String { Hex.lowercase(finalize()) }
}
