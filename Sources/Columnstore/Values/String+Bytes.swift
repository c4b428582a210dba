#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Equal UTF-8 bytes. Swift's `==` treats canonically equivalent strings as equal ("é" composed and
    /// decomposed), while ClickHouse and Postgres compare bytes: keys folded or deduplicated in memory must
    /// use the stores' equality, or a batch boundary would decide whether two facts share a row.
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // In place when both are stored contiguously (not small strings): no copies, no retains.
        if let inPlace = a.withContiguousStorageIfAvailable({ x in b.withContiguousStorageIfAvailable { y in Self.sameBytes(x, y) } }),
           let equal = inPlace {
            return equal
        }
        var c = self, d = other
        return c.withUTF8 { x in d.withUTF8 { y in Self.sameBytes(x, y) } }
    }

    /// Two buffers of the same count hold the same bytes.
    @inlinable
    static func sameBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
    }

    /// Feeds the UTF-8 bytes (and their count) to `hasher`: the hash that goes with `hasSameBytes(as:)`.
    @inlinable
    public func hashBytes(into hasher: inout Hasher) {
        let hashedInPlace: Void? = utf8.withContiguousStorageIfAvailable { Self.hash($0, into: &hasher) }
        guard hashedInPlace == nil else { return }
        var copy = self
        copy.withUTF8 { Self.hash($0, into: &hasher) }
    }

    @inlinable
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, into hasher: inout Hasher) {
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        hasher.combine(bytes.count)
    }
}
